"""Indexes for the console's member search: a phone or name prefix read in index order

Revision ID: 0014K
Revises: 0013K
Create Date: 2026-12-07 19:00:00

The search (hq_server.programme.member_care) compares phone and name by code point (COLLATE "C" on
PostgreSQL, whatever the database's collation) and, unless another order is asked for, lists the matches
in that order: with these partial indexes (members not merged away, ties by member_id) a page reads its 25
rows in index order and stops, and the count ("10000+" at most) reads the index alone, where it sorted
every match read from the table before (bench.console). On PostgreSQL they hold the list's other
columns too (INCLUDE): a search page is read from the index alone, no row of the table (cold, each was a
random read of a 1,000,000-member table).
"""
from alembic import op
import sqlalchemy as sa


revision = '0014K'
down_revision = '0013K'
branch_labels = None
depends_on = None

LIVE = 'merged_into IS NULL'
# the members list's columns (hq_server.programme.member_care.LIST)
SHOWN = 'name, phone, card_no, tier, home_store, created_at, risk_flag'


def upgrade() -> None:
    bind = op.get_bind()
    for column in ('phone', 'name'):
        if bind.dialect.name == 'postgresql':
            shown = ", ".join(c for c in SHOWN.split(", ") if c != column)
            op.execute(f'CREATE INDEX ix_members_{column}_live ON members ({column} COLLATE "C", member_id) '
                       f'INCLUDE ({shown}) WHERE {LIVE}')
        else:
            op.create_index(f'ix_members_{column}_live', 'members', [column, 'member_id'],
                            sqlite_where=sa.text(LIVE))


def downgrade() -> None:
    for column in ('phone', 'name'):
        op.drop_index(f'ix_members_{column}_live', table_name='members')
