"""figure_generations: a random value per year renewed by every write to what its figures are computed from
(year 0: the places), so that a worker keeps the dashboard's past years while they stay the same

Revision ID: 0018
Revises: 0017

An empty table and one row (the places' generation, without which nothing is kept: indicators/kept.py); no
existing row is read or rewritten.
"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'figure_generations',
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('generation', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('year', name=op.f('pk_figure_generations')),
    )
    op.bulk_insert(table, [{'year': 0, 'generation': secrets.randbits(62)}])


def downgrade():
    op.drop_table('figure_generations')
