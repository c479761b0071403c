"""Admin roles, lockout and sessions; the login throttle's failures

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 06:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('admins') as batch:
        batch.add_column(sa.Column('role', sa.String(length=20), nullable=False, server_default='admin'))
        batch.add_column(sa.Column('store_id', sa.String(length=36), nullable=True))
        batch.add_column(sa.Column('active', sa.Integer(), nullable=False, server_default='1'))
        batch.add_column(sa.Column('password_changed_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('admin_tokens') as batch:
        batch.add_column(sa.Column('created_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('address', sa.String(length=64), nullable=True))
        batch.create_index('ix_admin_tokens_username', ['username'])
    op.create_table('login_failures',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures'))
    )
    op.create_index('ix_login_failures_key_at', 'login_failures', ['key', 'at'])
    op.create_table('login_locks',
    sa.Column('username', sa.String(length=40), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('locked_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('username', name=op.f('pk_login_locks'))
    )


def downgrade() -> None:
    op.drop_table('login_locks')
    op.drop_index('ix_login_failures_key_at', table_name='login_failures')
    op.drop_table('login_failures')
    with op.batch_alter_table('admin_tokens') as batch:
        batch.drop_index('ix_admin_tokens_username')
        batch.drop_column('address')
        batch.drop_column('created_at')
    with op.batch_alter_table('admins') as batch:
        for name in ('password_changed_at', 'active', 'store_id', 'role'):
            batch.drop_column(name)
