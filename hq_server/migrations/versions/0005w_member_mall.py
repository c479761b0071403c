"""The members' mall: SMS sign-in codes, the development sender's outbox, members' sessions, help tickets

Revision ID: 0005w
Revises: 0005c
Create Date: 2026-12-10 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005w'
down_revision = '0005c'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('sms_codes',
    sa.Column('id', _ID, autoincrement=True, nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('tries', sa.Integer(), server_default='0', nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_codes'))
    )
    op.create_index('ix_sms_codes_phone_created', 'sms_codes', ['phone', 'created_at'])
    op.create_index('ix_sms_codes_address_created', 'sms_codes', ['address', 'created_at'])
    op.create_table('dev_sms',
    sa.Column('id', _ID, autoincrement=True, nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dev_sms'))
    )
    op.create_index('ix_dev_sms_phone', 'dev_sms', ['phone'])
    op.create_table('member_sessions',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('member_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('signed_in_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_member_sessions'))
    )
    op.create_index('ix_member_sessions_member_id', 'member_sessions', ['member_id'])
    op.create_table('help_tickets',
    sa.Column('ticket_id', sa.String(length=36), nullable=False),
    sa.Column('member_id', sa.String(length=36), nullable=False),
    sa.Column('topic', sa.String(length=20), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_by', sa.String(length=40), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('ticket_id', name=op.f('pk_help_tickets'))
    )
    op.create_index('ix_help_tickets_member_id', 'help_tickets', ['member_id'])
    op.create_index('ix_help_tickets_status_created', 'help_tickets', ['status', 'created_at'])


def downgrade() -> None:
    op.drop_table('help_tickets')
    op.drop_table('member_sessions')
    op.drop_table('dev_sms')
    op.drop_table('sms_codes')
