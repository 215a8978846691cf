"""monthly facts per institution, read by the indicators instead of the occurrences; tallies by year

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

from calendar_app.indicators.facts import rebuild

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('institution_months',
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('held', sa.Integer(), nullable=False),
    sa.Column('attended', sa.Integer(), nullable=False),
    sa.Column('online', sa.Integer(), nullable=False),
    sa.Column('club', sa.Integer(), nullable=False),
    sa.Column('attendance', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'],
                            name=op.f('fk_institution_months_institution_id_institutions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('institution_id', 'month', name=op.f('pk_institution_months'))
    )
    op.create_table('institution_month_keys',
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'],
                            name=op.f('fk_institution_month_keys_institution_id_institutions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('institution_id', 'month', 'kind', 'key', name=op.f('pk_institution_month_keys'))
    )
    op.create_index('ix_monthly_tallies_year_metric', 'monthly_tallies', ['year', 'metric', 'institution_id'],
                    unique=False, postgresql_include=['value'])
    rebuild(op.get_bind())  # the facts of what an existing database already holds


def downgrade():
    op.drop_index('ix_monthly_tallies_year_metric', table_name='monthly_tallies')
    op.drop_table('institution_month_keys')
    op.drop_table('institution_months')
