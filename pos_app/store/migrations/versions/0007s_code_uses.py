"""codes used once chain-wide: each pickup and coupon used here or anywhere in the chain

Revision ID: 0007s
Revises: 0006s
"""
import sqlalchemy as sa
from alembic import op

revision = '0007s'
down_revision = '0006s'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('code_uses',
    sa.Column('code_key', sa.String(length=80), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('store_id', sa.String(length=36), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('code_key', name=op.f('pk_code_uses'))
    )


def downgrade() -> None:
    op.drop_table('code_uses')
