"""The dashboard's rollup of the ledger, and indexes for the dashboard's new members

Revision ID: 0011C
Revises: 0011A
Create Date: 2026-12-07 15:30:00

The dashboard summed every event and posting of its period on each page (seconds on 10,000,000 events);
it now reads a rollup per day and store that HQ folds the new events into (hq_server.programme.dashboard_rollup).
The rollup of an existing ledger is made here, once. The new members of a period are counted from the
members' created_at (partial indexes: merged members do not count).
"""
from alembic import op
import sqlalchemy as sa


revision = '0011C'
down_revision = '0011A'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('dashboard_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('store_id', sa.String(length=36), nullable=False),
    *[sa.Column(name, sa.BigInteger(), server_default='0', nullable=False)
      for name in ('events', 'sales_fen', 'issued_any', 'issued_own', 'issued_acct', 'redeemed_any', 'redeemed_own',
                   'expired')],
    sa.PrimaryKeyConstraint('day', 'store_id', name=op.f('pk_dashboard_days'))
    )
    op.create_table('dashboard_gifts',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('store_id', sa.String(length=36), nullable=False),
    sa.Column('gift_id', sa.String(length=64), nullable=False),
    sa.Column('qty', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'store_id', 'gift_id', name=op.f('pk_dashboard_gifts'))
    )
    op.create_table('dashboard_last_active',
    sa.Column('member_id', sa.String(length=36), nullable=False),
    sa.Column('scope', sa.String(length=36), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('member_id', 'scope', name=op.f('pk_dashboard_last_active'))
    )
    op.create_table('dashboard_active',
    sa.Column('scope', sa.String(length=36), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('members', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('scope', 'day', name=op.f('pk_dashboard_active'))
    )
    op.create_table('dashboard_state',
    sa.Column('name', sa.String(length=16), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_dashboard_state'))
    )
    live = sa.text('merged_into IS NULL')
    op.create_index('ix_members_created_live', 'members', ['created_at'], postgresql_where=live, sqlite_where=live)
    op.create_index('ix_members_home_created_live', 'members', ['home_store', 'created_at'], postgresql_where=live,
                    sqlite_where=live)
    # the rollup of the ledger as it stands (the code of this revision: the tables above are its own)
    from hq_server.programme.dashboard_rollup import rebuild
    rebuild(op.get_bind(), new_members=False)  # their table comes with 0013K


def downgrade() -> None:
    op.drop_index('ix_members_home_created_live', table_name='members')
    op.drop_index('ix_members_created_live', table_name='members')
    for table in ('dashboard_state', 'dashboard_active', 'dashboard_last_active', 'dashboard_gifts',
                  'dashboard_days'):
        op.drop_table(table)
