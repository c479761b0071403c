"""Online exchange orders (orders)

Revision ID: 0008s
Revises: 0007s
Create Date: 2026-12-11 15:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008s'
down_revision = '0007s'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('orders',
    sa.Column('order_id', sa.String(length=36), nullable=False),
    sa.Column('member_id', sa.String(length=36), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('gift_id', sa.String(length=64), nullable=False),
    sa.Column('qty', sa.BigInteger(), nullable=False),
    sa.Column('points', sa.BigInteger(), nullable=False),
    sa.Column('copay_fen', sa.BigInteger(), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('location', sa.String(length=36), nullable=False),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('hold_event', sa.String(length=36), nullable=False),
    sa.Column('close_event', sa.String(length=36), nullable=True),
    sa.Column('carrier', sa.String(length=40), nullable=True),
    sa.Column('tracking_no', sa.String(length=64), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('order_id', name=op.f('pk_orders')),
    sa.UniqueConstraint('member_id', 'idempotency_key', name='uq_orders_member_key')
    )
    op.create_index('ix_orders_member_created', 'orders', ['member_id', 'created_at'], unique=False)
    op.create_index('ix_orders_status_created', 'orders', ['status', 'created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_orders_status_created', table_name='orders')
    op.drop_index('ix_orders_member_created', table_name='orders')
    op.drop_table('orders')
