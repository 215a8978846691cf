"""why a meeting was moved or cancelled, why an activity was cancelled: shown to the public and in feeds

Revision ID: 0010
Revises: 0008

Numbered 0010 by the staff branch (issue 13); it follows 0007, the latest on that branch, and is rechained
after whatever lands first when the branches merge.
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancel_reason', sa.String(length=500), nullable=True))
    with op.batch_alter_table('occurrences', schema=None) as batch_op:
        batch_op.add_column(sa.Column('change_reason', sa.String(length=500), nullable=True))


def downgrade():
    with op.batch_alter_table('occurrences', schema=None) as batch_op:
        batch_op.drop_column('change_reason')
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_column('cancel_reason')
