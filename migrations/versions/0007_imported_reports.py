"""indicator documents imported from provinces that run their own deployment

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('imported_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_imported_reports_area_id_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_imported_reports')),
    sa.UniqueConstraint('area_id', 'year', name=op.f('uq_imported_reports_area_id_year'))
    )


def downgrade():
    op.drop_table('imported_reports')
