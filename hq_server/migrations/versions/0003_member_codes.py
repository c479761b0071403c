"""member_codes: each member dynamic code a spend used, chain-wide (a code used twice is flagged)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 03:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('member_codes',
    sa.Column('code_key', sa.String(length=80), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('store_id', sa.String(length=36), nullable=False),
    sa.Column('hq_seq', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('code_key', name=op.f('pk_member_codes'))
    )


def downgrade() -> None:
    op.drop_table('member_codes')
