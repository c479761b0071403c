"""Gift stock per location: each location's count (gift_stock) and every change of it (stock_moves)

Revision ID: 0006s
Revises: 0006m
Create Date: 2026-12-11 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006s'
down_revision = '0006m'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('gift_stock',
    sa.Column('location', sa.String(length=36), nullable=False),
    sa.Column('gift_id', sa.String(length=64), nullable=False),
    sa.Column('qty', sa.BigInteger(), nullable=False),
    sa.Column('updated_seq', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('location', 'gift_id', name=op.f('pk_gift_stock'))
    )
    op.create_table('stock_moves',
    sa.Column('move_id', sa.String(length=36), nullable=False),
    sa.Column('hq_seq', sa.BigInteger(), nullable=False),
    sa.Column('gift_id', sa.String(length=64), nullable=False),
    sa.Column('location', sa.String(length=36), nullable=False),
    sa.Column('delta', sa.BigInteger(), nullable=False),
    sa.Column('qty_after', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('ref', sa.String(length=64), nullable=True),
    sa.Column('event_id', sa.String(length=36), nullable=True),
    sa.Column('by', sa.String(length=40), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('move_id', name=op.f('pk_stock_moves'))
    )
    op.create_index('ix_stock_moves_location_gift_seq', 'stock_moves', ['location', 'gift_id', 'hq_seq'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_stock_moves_location_gift_seq', table_name='stock_moves')
    op.drop_table('stock_moves')
    op.drop_table('gift_stock')
