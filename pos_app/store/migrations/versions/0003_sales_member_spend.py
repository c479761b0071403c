"""sales: a covering index for a member's rolling 12-month spend (tier qualification)

Every member checkout sums due_fen - refunded_fen over the member's sales of the last
twelve months; with the amounts in the index SQLite reads the index alone instead of
every sale row (about 55 per member at a million events). It replaces the narrower
(member_id, created_at) index it extends.

Revision ID: 0003
Revises: 0002
"""
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sales', schema=None) as batch_op:
        batch_op.drop_index('ix_sales_member_time')
        batch_op.create_index('ix_sales_member_spend', ['member_id', 'created_at', 'due_fen', 'refunded_fen'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sales', schema=None) as batch_op:
        batch_op.drop_index('ix_sales_member_spend')
        batch_op.create_index('ix_sales_member_time', ['member_id', 'created_at'], unique=False)
