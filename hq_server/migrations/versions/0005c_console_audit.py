"""The console's audit log and the adjustments waiting for a second approver

Revision ID: 0005c
Revises: 0004
Create Date: 2026-12-07 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005c'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=40), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('target', sa.String(length=120), nullable=False),
    sa.Column('before', sa.Text(), nullable=True),
    sa.Column('after', sa.Text(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    op.create_index('ix_audit_log_at', 'audit_log', ['at'])
    op.create_index('ix_audit_log_actor_at', 'audit_log', ['actor', 'at'])
    op.create_index('ix_audit_log_action_at', 'audit_log', ['action', 'at'])
    op.create_index('ix_audit_log_target', 'audit_log', ['target'])
    op.create_table('approvals',
    sa.Column('approval_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('member_id', sa.String(length=36), nullable=False),
    sa.Column('request', sa.Text(), nullable=False),
    sa.Column('requested_by', sa.String(length=40), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('decided_by', sa.String(length=40), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('event_id', sa.String(length=36), nullable=True),
    sa.PrimaryKeyConstraint('approval_id', name=op.f('pk_approvals'))
    )
    op.create_index('ix_approvals_member_id', 'approvals', ['member_id'])
    op.create_index('ix_approvals_status', 'approvals', ['status', 'requested_at'])


def downgrade() -> None:
    op.drop_table('approvals')
    op.drop_table('audit_log')
