"""The mall's address book (member_addresses) and members who are shopping guides (member_guides)

Revision ID: 0011A
Revises: 0010p
Create Date: 2026-12-07 15:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011A'
down_revision = '0010p'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('member_addresses',
    sa.Column('address_id', sa.String(length=36), nullable=False),
    sa.Column('member_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('is_default', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('address_id', name=op.f('pk_member_addresses'))
    )
    op.create_index('ix_member_addresses_member', 'member_addresses', ['member_id', 'created_at'])
    op.create_table('member_guides',
    sa.Column('member_id', sa.String(length=36), nullable=False),
    sa.Column('staff_id', sa.String(length=36), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('member_id', name=op.f('pk_member_guides')),
    sa.UniqueConstraint('staff_id', name=op.f('uq_member_guides_staff_id'))
    )


def downgrade() -> None:
    op.drop_table('member_guides')
    op.drop_index('ix_member_addresses_member', table_name='member_addresses')
    op.drop_table('member_addresses')
