"""Gift pictures uploaded from the console

Revision ID: 0012B
Revises: 0011F
Create Date: 2026-12-07 16:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0012B'
down_revision = '0011F'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('gift_pictures',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('gift_id', sa.String(length=64), nullable=False),
    sa.Column('png', sa.LargeBinary(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('uploaded_by', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_gift_pictures'))
    )
    op.create_index('ix_gift_pictures_gift_id', 'gift_pictures', ['gift_id'])


def downgrade() -> None:
    op.drop_index('ix_gift_pictures_gift_id', table_name='gift_pictures')
    op.drop_table('gift_pictures')
