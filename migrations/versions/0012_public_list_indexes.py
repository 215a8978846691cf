"""indexes for the public lists at province scale: walk the dates in order, check activities from the index

Revision ID: 0012
Revises: 0011

The public lists find each activity's first date in a window by walking the occurrences in date order
(calendar_app/events/listing.py), and count them going through the latest activities first. On PostgreSQL
those indexes carry the columns the lists read, so they never visit the tables, and an index on the duration
gives the longest occurrence at once. The index on occurrences.starts_at alone is the prefix of the new
(starts_at, activity_id) one and goes. An area page lists its institutions by name, a page at a time.
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

COVERED = ['ends_at', 'status', 'id']


def _postgresql() -> bool:
    return op.get_bind().dialect.name == 'postgresql'


def upgrade():
    op.drop_index('ix_occurrences_starts_at', table_name='occurrences')
    op.create_index('ix_occurrences_starts_activity', 'occurrences', ['starts_at', 'activity_id'],
                    postgresql_include=COVERED)
    if _postgresql():
        op.drop_index('ix_occurrences_activity_starts', table_name='occurrences')
        op.create_index('ix_occurrences_activity_starts', 'occurrences', ['activity_id', 'starts_at'],
                        postgresql_include=COVERED)
        op.create_index('ix_occurrences_duration', 'occurrences', [sa.text('(ends_at - starts_at)')])
        op.drop_index('ix_activities_starts_at', table_name='activities')
        op.create_index('ix_activities_starts_at', 'activities', ['starts_at'],
                        postgresql_include=['status', 'institution_id', 'id'])
    op.create_index('ix_activities_listing', 'activities', ['id'],
                    postgresql_include=['status', 'institution_id'])
    op.create_index('ix_institutions_name', 'institutions', ['name'])


def downgrade():
    op.drop_index('ix_institutions_name', table_name='institutions')
    op.drop_index('ix_activities_listing', table_name='activities')
    if _postgresql():
        op.drop_index('ix_activities_starts_at', table_name='activities')
        op.create_index('ix_activities_starts_at', 'activities', ['starts_at'])
        op.drop_index('ix_occurrences_duration', table_name='occurrences')
        op.drop_index('ix_occurrences_activity_starts', table_name='occurrences')
        op.create_index('ix_occurrences_activity_starts', 'occurrences', ['activity_id', 'starts_at'])
    op.drop_index('ix_occurrences_starts_activity', table_name='occurrences')
    op.create_index('ix_occurrences_starts_at', 'occurrences', ['starts_at'])
