"""Withdrawals of guide and agent points as cash: request, approval, payout

Revision ID: 0009p
Revises: 0008s
Create Date: 2026-12-10 22:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009p'
down_revision = '0008s'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('withdrawals',
    sa.Column('withdrawal_id', sa.String(length=36), nullable=False),
    sa.Column('holder', sa.String(length=36), nullable=False),
    sa.Column('point_type', sa.String(length=12), nullable=False),
    sa.Column('points', sa.BigInteger(), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('requested_by', sa.String(length=40), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by', sa.String(length=40), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('hold_event', sa.String(length=36), nullable=False),
    sa.Column('settle_event', sa.String(length=36), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('exported_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('withdrawal_id', name=op.f('pk_withdrawals'))
    )
    op.create_index('ix_withdrawals_holder', 'withdrawals', ['holder'])


def downgrade() -> None:
    op.drop_index('ix_withdrawals_holder', table_name='withdrawals')
    op.drop_table('withdrawals')
