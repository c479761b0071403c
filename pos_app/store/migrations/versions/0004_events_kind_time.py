"""events: an index by kind and time, for the offline limits' redeemed sums

While enrolled, every redemption (gift, lottery, points paid as cash) checks the store's
offline budget: the points this till's redemptions took since the last sync. Without an
index that sum read every event of the store (a million rows in a busy year); with it,
only the redemptions since the last sync.

Revision ID: 0004
Revises: 0003
"""
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_kind_time', ['kind', 'device_time'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_kind_time')
