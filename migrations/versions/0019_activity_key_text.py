"""each activity carries its category and audience keys as one text, in the listing indexes: a list filtered by
keys checks each activity it walks past inside the index instead of probing the link tables; an area's
institution ids read from an index

Revision ID: 0019
Revises: 0018

activities.key_text is " c:club a:youth " (sorted, each key between spaces), a copy of activity_categories and
activity_audiences that the app keeps at every write (events/keys.py). The two listing indexes cover it
(PostgreSQL INCLUDE): they are dropped before the fill, which rewrites every row, and built again after it,
then a VACUUM ANALYZE outside the transaction (the lists scan indexes only, which needs the visibility map).
ix_institutions_area_id gains the id: an area's list reads its institutions' ids from the index alone.
"""
import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def _keys(table: str, prefix: str, aggregate: str) -> str:
    return (f"(SELECT {aggregate} FROM (SELECT '{prefix}:' || key || ' ' AS word FROM {table} "
            f"WHERE {table}.activity_id = activities.id ORDER BY key) AS words)")


def upgrade():
    postgresql = op.get_bind().dialect.name == 'postgresql'
    op.drop_index('ix_institutions_area_id', table_name='institutions')
    op.create_index('ix_institutions_area_id', 'institutions', ['area_id', 'id'])
    if postgresql:
        op.drop_index('ix_activities_listing', table_name='activities')
        op.drop_index('ix_activities_starts_at', table_name='activities')
    with op.batch_alter_table('activities') as batch:
        batch.add_column(sa.Column('key_text', sa.Text(), nullable=False, server_default=' '))
    aggregate = "string_agg(word, '')" if postgresql else "group_concat(word, '')"
    # the words come sorted from the subquery (SQLite's group_concat keeps the order it is given)
    op.execute("UPDATE activities SET key_text = ' ' || coalesce(" + _keys('activity_categories', 'c', aggregate)
               + ", '') || coalesce(" + _keys('activity_audiences', 'a', aggregate) + ", '') "
               "WHERE EXISTS (SELECT 1 FROM activity_categories WHERE activity_id = activities.id) "
               "OR EXISTS (SELECT 1 FROM activity_audiences WHERE activity_id = activities.id)")
    if postgresql:
        op.create_index('ix_activities_listing', 'activities', ['id'],
                        postgresql_include=['status', 'institution_id', 'key_text'])
        op.create_index('ix_activities_starts_at', 'activities', ['starts_at'],
                        postgresql_include=['status', 'institution_id', 'id', 'key_text'])
        with op.get_context().autocommit_block():
            op.execute('VACUUM ANALYZE activities')


def downgrade():
    postgresql = op.get_bind().dialect.name == 'postgresql'
    op.drop_index('ix_institutions_area_id', table_name='institutions')
    op.create_index('ix_institutions_area_id', 'institutions', ['area_id'])
    if postgresql:
        op.drop_index('ix_activities_listing', table_name='activities')
        op.drop_index('ix_activities_starts_at', table_name='activities')
    with op.batch_alter_table('activities') as batch:
        batch.drop_column('key_text')
    if postgresql:
        op.create_index('ix_activities_listing', 'activities', ['id'], postgresql_include=['status', 'institution_id'])
        op.create_index('ix_activities_starts_at', 'activities', ['starts_at'],
                        postgresql_include=['status', 'institution_id', 'id'])
