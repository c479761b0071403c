"""The shopping guides' network: who recruited whom

Revision ID: 0010p
Revises: 0009p
Create Date: 2026-12-10 23:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010p'
down_revision = '0009p'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('guide_recruits',
    sa.Column('staff_id', sa.String(length=36), nullable=False),
    sa.Column('recruited_by', sa.String(length=36), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('staff_id', name=op.f('pk_guide_recruits'))
    )
    op.create_index('ix_guide_recruits_recruited_by', 'guide_recruits', ['recruited_by'])


def downgrade() -> None:
    op.drop_index('ix_guide_recruits_recruited_by', table_name='guide_recruits')
    op.drop_table('guide_recruits')
