"""lots: a partial covering index of the lots still holding points

Every member checkout, redemption and statement reads the member's lots with points
left. A member with a year of purchases has some sixty lots, most of them spent to zero;
the (account, expires_at) index found all of them and read each row. This index holds
only the live lots, with every column the read needs, so SQLite reads the index alone
(about five entries for that member). The old index stays: give-backs look for lots
with room, which includes spent ones.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('lots', schema=None) as batch_op:
        batch_op.create_index('ix_lots_live', ['account', 'expires_at', 'remaining', 'available_at', 'lot_id'],
                              unique=False, sqlite_where=sa.text('remaining > 0'))


def downgrade() -> None:
    with op.batch_alter_table('lots', schema=None) as batch_op:
        batch_op.drop_index('ix_lots_live')
