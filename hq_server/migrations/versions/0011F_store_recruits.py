"""Agents recruit retail stores; the network's rewarded sources (for a refund's reversal)

Revision ID: 0011F
Revises: 0011C
Create Date: 2026-12-07 15:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011F'
down_revision = '0011C'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('store_recruits',
    sa.Column('store_id', sa.String(length=36), nullable=False),
    sa.Column('agent_id', sa.String(length=36), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('store_id', name=op.f('pk_store_recruits'))
    )
    op.create_index('ix_store_recruits_agent_id', 'store_recruits', ['agent_id'])
    op.create_table('network_sources',
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('role', sa.String(length=8), nullable=False),
    sa.Column('store_id', sa.String(length=36), nullable=False),
    sa.Column('sale_id', sa.String(length=36), nullable=True),
    sa.Column('points', sa.BigInteger(), nullable=False),
    sa.Column('reversed', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('paid', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_network_sources'))
    )
    op.create_index('ix_network_sources_sale', 'network_sources', ['store_id', 'sale_id'])


def downgrade() -> None:
    op.drop_index('ix_network_sources_sale', table_name='network_sources')
    op.drop_table('network_sources')
    op.drop_index('ix_store_recruits_agent_id', table_name='store_recruits')
    op.drop_table('store_recruits')
