"""Gift stock by location and HQ's stock moves

Revision ID: 0006p
Revises: 0006m
Create Date: 2026-12-10 15:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006p'
down_revision = '0006m'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('stock',
    sa.Column('gift_id', sa.String(length=64), nullable=False),
    sa.Column('location', sa.String(length=36), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('gift_id', 'location', name=op.f('pk_stock'))
    )
    op.create_table('stock_moves',
    sa.Column('move_id', sa.String(length=36), nullable=False),
    sa.Column('gift_id', sa.String(length=64), nullable=False),
    sa.Column('from_location', sa.String(length=36), nullable=True),
    sa.Column('to_location', sa.String(length=36), nullable=False),
    sa.Column('qty', sa.BigInteger(), nullable=False),
    sa.Column('staff', sa.String(length=40), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('move_id', name=op.f('pk_stock_moves'))
    )
    op.create_index('ix_stock_moves_gift_id', 'stock_moves', ['gift_id'])


def downgrade() -> None:
    op.drop_index('ix_stock_moves_gift_id', table_name='stock_moves')
    op.drop_table('stock_moves')
    op.drop_table('stock')
