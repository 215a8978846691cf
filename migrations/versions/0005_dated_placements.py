"""codes reused across reforms, a country level, dated placements of institutions, official successions

Revision ID: 0005
Revises: 0004

Every existing institution gets one open placement in its area "since always", so every report computed
before this revision gives the same document after it.
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('areas', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('uq_areas_code'), type_='unique')
        batch_op.drop_constraint(op.f('ck_areas_level'), type_='check')
        batch_op.create_check_constraint('level', "level IN ('country', 'province', 'district', 'commune')")
        batch_op.create_index(batch_op.f('ix_areas_code'), ['code'], unique=False)
        batch_op.add_column(sa.Column('latitude', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('longitude', sa.Double(), nullable=True))

    op.create_table('placements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.CheckConstraint('valid_to IS NULL OR valid_from IS NULL OR valid_to > valid_from',
                       name=op.f('ck_placements_order')),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_placements_area_id_areas')),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'],
                            name=op.f('fk_placements_institution_id_institutions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_placements'))
    )
    with op.batch_alter_table('placements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_placements_area_id'), ['area_id'], unique=False)
        batch_op.create_index('ix_placements_institution_from', ['institution_id', 'valid_from'], unique=False)

    op.create_table('area_successions',
    sa.Column('predecessor_id', sa.Integer(), nullable=False),
    sa.Column('successor_id', sa.Integer(), nullable=False),
    sa.Column('default', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['predecessor_id'], ['areas.id'],
                            name=op.f('fk_area_successions_predecessor_id_areas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['successor_id'], ['areas.id'],
                            name=op.f('fk_area_successions_successor_id_areas'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('predecessor_id', 'successor_id', name=op.f('pk_area_successions'))
    )
    with op.batch_alter_table('area_successions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_area_successions_successor_id'), ['successor_id'], unique=False)

    op.execute("INSERT INTO placements (institution_id, area_id, valid_from, valid_to) "
               "SELECT id, area_id, NULL, NULL FROM institutions ORDER BY id")


def downgrade():
    with op.batch_alter_table('area_successions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_area_successions_successor_id'))
    op.drop_table('area_successions')
    with op.batch_alter_table('placements', schema=None) as batch_op:
        batch_op.drop_index('ix_placements_institution_from')
        batch_op.drop_index(batch_op.f('ix_placements_area_id'))
    op.drop_table('placements')
    # the old schema has neither a country level nor codes shared by two units: the provinces become roots
    # again (their paths keep the country's prefix, which still selects the same subtrees), and every unit
    # but the first of a code is renamed <code>~<id>
    op.execute("UPDATE areas SET parent_id = NULL WHERE parent_id IN (SELECT id FROM areas WHERE level = 'country')")
    op.execute("DELETE FROM areas WHERE level = 'country'")
    op.execute("UPDATE areas SET code = code || '~' || CAST(id AS VARCHAR(12)) WHERE id NOT IN "
               "(SELECT MIN(id) FROM areas GROUP BY code)")
    with op.batch_alter_table('areas', schema=None) as batch_op:
        batch_op.drop_column('longitude')
        batch_op.drop_column('latitude')
        batch_op.drop_index(batch_op.f('ix_areas_code'))
        batch_op.drop_constraint(op.f('ck_areas_level'), type_='check')
        batch_op.create_check_constraint('level', "level IN ('province', 'district', 'commune')")
        batch_op.create_unique_constraint(batch_op.f('uq_areas_code'), ['code'])
