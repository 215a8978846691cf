"""the feed store shared by every worker: each activity's VEVENT fragment, assembled feeds, filter aliases

Revision ID: 0008
Revises: 0007

Every activity gets its fragment row, with the span of its occurrences that places it in a feed's window; its
body is serialised by the first request that needs it, or by `flask feeds rebuild`.
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('feed_fragments',
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('first_start', sa.DateTime(), nullable=True),
    sa.Column('last_end', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_feed_fragments_activity_id_activities'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('activity_id', name=op.f('pk_feed_fragments'))
    )
    op.create_index(op.f('ix_feed_fragments_last_end'), 'feed_fragments', ['last_end'], unique=False)
    op.create_table('feed_fragment_bodies',
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('context', sa.String(length=32), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('events', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['feed_fragments.activity_id'],
                            name=op.f('fk_feed_fragment_bodies_activity_id_feed_fragments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('activity_id', name=op.f('pk_feed_fragment_bodies'))
    )
    # choosing a feed's public activities joins the activities on id and status: read from the index alone
    op.create_index('ix_activities_status_id', 'activities', ['status', 'id'], unique=False)
    op.create_table('feed_bodies',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('key', sa.Text(), nullable=False),
    sa.Column('generation', sa.BigInteger(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('etag', sa.String(length=40), nullable=False),
    sa.Column('last_modified', sa.DateTime(), nullable=False),
    sa.Column('events', sa.Integer(), nullable=False),
    sa.Column('activities', sa.Integer(), nullable=False),
    sa.Column('in_window', sa.Integer(), nullable=False),
    sa.Column('built_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_bodies'))
    )
    op.create_index('ix_feed_bodies_day', 'feed_bodies', ['day'], unique=False)
    op.create_table('feed_aliases',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('args', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_feed_aliases'))
    )
    op.create_table('feed_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('generation', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_state'))
    )
    op.execute("INSERT INTO feed_state (id, generation) VALUES (1, 1)")
    op.execute(
        "INSERT INTO feed_fragments (activity_id, revision, changed_at, first_start, last_end) "
        "SELECT a.id, 0, CASE WHEN i.updated_at > a.updated_at THEN i.updated_at ELSE a.updated_at END, "
        "min(o.starts_at), max(o.ends_at) "
        "FROM activities a JOIN institutions i ON i.id = a.institution_id "
        "LEFT JOIN occurrences o ON o.activity_id = a.id GROUP BY a.id, a.updated_at, i.updated_at")


def downgrade():
    op.drop_index('ix_activities_status_id', table_name='activities')
    op.drop_table('feed_fragment_bodies')
    op.drop_table('feed_state')
    op.drop_table('feed_aliases')
    op.drop_index('ix_feed_bodies_day', table_name='feed_bodies')
    op.drop_table('feed_bodies')
    op.drop_index(op.f('ix_feed_fragments_last_end'), table_name='feed_fragments')
    op.drop_table('feed_fragments')
