"""feed fragments carry what choosing a feed's activities reads: the public flag and the institution

Revision ID: 0017
Revises: 0016

A feed's window was chosen by joining every fragment of the window with its activity (status, institution)
and sorting them all; the fragment now has copies of both (kept by feeds/store.py's `mark` and `rebuild`), and
indexes shaped like the window's parts (public fragments by end, and by start) and like an area's or an
institution's feed, each with the columns the feed reads. The index on last_end alone goes. A category's or
an audience's feed reads the activities with that key from an index of (key, activity id). On PostgreSQL assembled
feeds are stored compressed with lz4 rather than pglz (faster to write and read, where the server has it).
"""
import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

PUBLIC_STATUSES = "'published', 'cancelled'"


def _postgresql() -> bool:
    return op.get_bind().dialect.name == 'postgresql'


def upgrade():
    with op.batch_alter_table('feed_fragments') as batch:
        batch.add_column(sa.Column('public', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column('institution_id', sa.Integer(), nullable=True))
    op.execute(
        "UPDATE feed_fragments SET "
        f"public = (SELECT a.status IN ({PUBLIC_STATUSES}) FROM activities a WHERE a.id = feed_fragments.activity_id), "
        "institution_id = (SELECT a.institution_id FROM activities a WHERE a.id = feed_fragments.activity_id)")
    # fragments whose activity is gone (SQLite without foreign keys enforced) would have no institution
    op.execute("DELETE FROM feed_fragments WHERE institution_id IS NULL")
    with op.batch_alter_table('feed_fragments') as batch:
        batch.alter_column('institution_id', existing_type=sa.Integer(), nullable=False)
        batch.drop_index('ix_feed_fragments_last_end')
        batch.create_index('ix_feed_fragments_window', ['public', 'last_end', 'first_start', 'activity_id'],
                           postgresql_include=['revision', 'changed_at'])
        batch.create_index('ix_feed_fragments_start', ['public', 'first_start', 'last_end', 'activity_id'],
                           postgresql_include=['revision', 'changed_at'])
        batch.create_index('ix_feed_fragments_institution', ['institution_id', 'last_end'],
                           postgresql_include=['first_start', 'public', 'activity_id', 'revision', 'changed_at'])
    op.create_index('ix_activity_categories_key_activity', 'activity_categories', ['key', 'activity_id'])
    op.create_index('ix_activity_audiences_key_activity', 'activity_audiences', ['key', 'activity_id'])
    if _postgresql() and op.get_bind().scalar(sa.text(
            "SELECT count(*) FROM pg_settings WHERE name = 'default_toast_compression' "
            "AND 'lz4' = ANY(enumvals)")):
        op.execute("ALTER TABLE feed_bodies ALTER COLUMN body SET COMPRESSION lz4")


def downgrade():
    if _postgresql():
        op.execute("ALTER TABLE feed_bodies ALTER COLUMN body SET COMPRESSION DEFAULT")
    op.drop_index('ix_activity_audiences_key_activity', table_name='activity_audiences')
    op.drop_index('ix_activity_categories_key_activity', table_name='activity_categories')
    with op.batch_alter_table('feed_fragments') as batch:
        batch.drop_index('ix_feed_fragments_institution')
        batch.drop_index('ix_feed_fragments_start')
        batch.drop_index('ix_feed_fragments_window')
        batch.create_index('ix_feed_fragments_last_end', ['last_end'])
        batch.drop_column('institution_id')
        batch.drop_column('public')
