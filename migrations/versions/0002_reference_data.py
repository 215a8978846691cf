"""reference data: the shipped observances and the plan's indicator targets

Revision ID: 0002
Revises: 0001
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

from calendar_app.indicators.targets import DEFAULT_TARGETS
from calendar_app.observances.defaults import DEFAULT_OBSERVANCES

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

observances = sa.table(
    'observances',
    sa.column('key', sa.String), sa.column('name_vi', sa.String), sa.column('name_en', sa.String),
    sa.column('rule', sa.String), sa.column('month', sa.Integer), sa.column('day', sa.Integer),
    sa.column('duration_days', sa.Integer), sa.column('window_before', sa.Integer),
    sa.column('window_after', sa.Integer), sa.column('provincial', sa.Boolean),
    sa.column('created_at', sa.DateTime),
)
targets = sa.table(
    'indicator_targets',
    sa.column('indicator', sa.String), sa.column('category', sa.String), sa.column('milestone', sa.Integer),
    sa.column('low', sa.Float), sa.column('high', sa.Float),
)


def upgrade():
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    op.bulk_insert(observances, [dict(row, provincial=False, created_at=now) for row in DEFAULT_OBSERVANCES])
    op.bulk_insert(targets, [
        {'indicator': i, 'category': c, 'milestone': m, 'low': low, 'high': high}
        for i, c, m, low, high in DEFAULT_TARGETS
    ])


def downgrade():
    op.execute(targets.delete())
    op.execute(observances.delete().where(observances.c.provincial.is_(False)))
