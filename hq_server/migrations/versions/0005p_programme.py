"""The programme's use cases: adjustments with a second approver, coupons HQ issues, job runs

Revision ID: 0005p
Revises: 0005w
Create Date: 2026-12-10 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005p'
down_revision = '0005w'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('adjustments',
    sa.Column('adjustment_id', sa.String(length=36), nullable=False),
    sa.Column('member_id', sa.String(length=36), nullable=False),
    sa.Column('points', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('requested_by', sa.String(length=40), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('decided_by', sa.String(length=40), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('event_id', sa.String(length=36), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('adjustment_id', name=op.f('pk_adjustments'))
    )
    op.create_index('ix_adjustments_member_id', 'adjustments', ['member_id'])
    op.create_table('coupons',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('type_id', sa.String(length=64), nullable=False),
    sa.Column('member_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('issued_event', sa.String(length=36), nullable=False),
    sa.Column('issued_by', sa.String(length=40), nullable=True),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_coupons'))
    )
    op.create_index('ix_coupons_member_id', 'coupons', ['member_id'])
    op.create_table('job_runs',
    sa.Column('job', sa.String(length=40), nullable=False),
    sa.Column('last_run_at', sa.DateTime(), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('job', name=op.f('pk_job_runs'))
    )


def downgrade() -> None:
    op.drop_table('job_runs')
    op.drop_index('ix_coupons_member_id', table_name='coupons')
    op.drop_table('coupons')
    op.drop_index('ix_adjustments_member_id', table_name='adjustments')
    op.drop_table('adjustments')
