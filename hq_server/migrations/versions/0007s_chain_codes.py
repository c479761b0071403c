"""Codes any store takes: device keys (device_keys), gifts held for pickup (pickups), first uses (code_uses)

Revision ID: 0007s
Revises: 0006s
Create Date: 2026-12-11 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007s'
down_revision = '0006s'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('device_keys',
    sa.Column('key_id', sa.String(length=8), nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=False),
    sa.Column('store_id', sa.String(length=36), nullable=False),
    sa.Column('public_key', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key_id', name=op.f('pk_device_keys'))
    )
    op.create_index(op.f('ix_device_keys_device_id'), 'device_keys', ['device_id'], unique=False)
    op.create_table('pickups',
    sa.Column('redemption_id', sa.String(length=36), nullable=False),
    sa.Column('member_id', sa.String(length=36), nullable=False),
    sa.Column('gift_id', sa.String(length=64), nullable=False),
    sa.Column('qty', sa.BigInteger(), nullable=False),
    sa.Column('points', sa.BigInteger(), nullable=False),
    sa.Column('suspense', sa.String(length=80), nullable=False),
    sa.Column('redeemed', sa.String(length=80), nullable=False),
    sa.Column('stock_at', sa.String(length=36), nullable=False),
    sa.Column('hold_event', sa.String(length=36), nullable=False),
    sa.Column('created_seq', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('redemption_id', name=op.f('pk_pickups'))
    )
    op.create_table('code_uses',
    sa.Column('code_key', sa.String(length=80), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('store_id', sa.String(length=36), nullable=False),
    sa.Column('hq_seq', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('code_key', name=op.f('pk_code_uses'))
    )


def downgrade() -> None:
    op.drop_table('code_uses')
    op.drop_table('pickups')
    op.drop_index(op.f('ix_device_keys_device_id'), table_name='device_keys')
    op.drop_table('device_keys')
