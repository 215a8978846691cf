"""each occurrence carries its activity's institution, so that the public lists filter an area's dates from the
date index alone

Revision ID: 0016
Revises: 0014

Chained after 0014 when it was written (it does not depend on 0015); the lead rechains it at merge.
occurrences.institution_id is a copy of activities.institution_id (an activity never changes institution;
merging institutions or moving them between areas keeps their ids). The date walk's index covers it
(PostgreSQL INCLUDE), so a district's list checks each date's institution without a lookup of its activity.

The fill is one UPDATE … FROM on PostgreSQL, with the three plain indexes of the table dropped first and built
again after (each row is rewritten: otherwise every index gets a new entry per row), then a VACUUM ANALYZE
outside the transaction: the lists scan indexes only, which needs the visibility map the rewrite cleared.
"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0014'
branch_labels = None
depends_on = None

COVERED = ['ends_at', 'status', 'id']


def _postgresql() -> bool:
    return op.get_bind().dialect.name == 'postgresql'


def upgrade():
    postgresql = _postgresql()
    if postgresql:
        # rebuilt below (the walk's index with the new column); dropped first so the fill does not grow them
        op.drop_index('ix_occurrences_starts_activity', table_name='occurrences')
        op.drop_index('ix_occurrences_activity_starts', table_name='occurrences')
        op.drop_index('ix_occurrences_duration', table_name='occurrences')
        op.add_column('occurrences', sa.Column('institution_id', sa.Integer(), nullable=True))
        op.execute('UPDATE occurrences SET institution_id = activities.institution_id FROM activities '
                   'WHERE activities.id = occurrences.activity_id')
        op.alter_column('occurrences', 'institution_id', nullable=False)
        op.create_foreign_key('fk_occurrences_institution_id_institutions', 'occurrences', 'institutions',
                              ['institution_id'], ['id'])
        op.create_index('ix_occurrences_starts_activity', 'occurrences', ['starts_at', 'activity_id'],
                        postgresql_include=[*COVERED, 'institution_id'])
        op.create_index('ix_occurrences_activity_starts', 'occurrences', ['activity_id', 'starts_at'],
                        postgresql_include=COVERED)
        op.create_index('ix_occurrences_duration', 'occurrences', [sa.text('(ends_at - starts_at)')])
        with op.get_context().autocommit_block():
            op.execute('VACUUM ANALYZE occurrences')
    else:
        with op.batch_alter_table('occurrences') as batch:
            batch.add_column(sa.Column('institution_id', sa.Integer(), nullable=True))
        op.execute('UPDATE occurrences SET institution_id = (SELECT activities.institution_id FROM activities '
                   'WHERE activities.id = occurrences.activity_id)')
        with op.batch_alter_table('occurrences') as batch:
            batch.alter_column('institution_id', existing_type=sa.Integer(), nullable=False)
            batch.create_foreign_key('fk_occurrences_institution_id_institutions', 'institutions',
                                     ['institution_id'], ['id'])


def downgrade():
    if _postgresql():
        op.drop_index('ix_occurrences_starts_activity', table_name='occurrences')
        op.drop_constraint('fk_occurrences_institution_id_institutions', 'occurrences', type_='foreignkey')
        op.drop_column('occurrences', 'institution_id')
        op.create_index('ix_occurrences_starts_activity', 'occurrences', ['starts_at', 'activity_id'],
                        postgresql_include=COVERED)
    else:
        with op.batch_alter_table('occurrences') as batch:
            batch.drop_constraint('fk_occurrences_institution_id_institutions', type_='foreignkey')
            batch.drop_column('institution_id')
