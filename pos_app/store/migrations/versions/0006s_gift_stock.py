"""gift stock per location: HQ's count of each gift at this store, and this device's own changes of it

Revision ID: 0006s
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = '0006s'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('stock_hq',
    sa.Column('gift_id', sa.String(length=36), nullable=False),
    sa.Column('qty', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('gift_id', name=op.f('pk_stock_hq'))
    )
    op.create_table('stock_own',
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('gift_id', sa.String(length=36), nullable=False),
    sa.Column('delta', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.event_id'], name=op.f('fk_stock_own_event_id_events')),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_stock_own'))
    )
    op.create_index(op.f('ix_stock_own_gift_id'), 'stock_own', ['gift_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_stock_own_gift_id'), table_name='stock_own')
    op.drop_table('stock_own')
    op.drop_table('stock_hq')
