"""The dashboard's new members rolled up per day and store

Revision ID: 0013K
Revises: 0012C
Create Date: 2026-12-07 18:50:00

The dashboard counted a period's new members from members.created_at on every page (an index-only scan
of ~330,000 rows for 30 days on 1,000,000 members: most of the dashboard's time, bench.console). They are
now counted per local day and home store in dashboard_new, kept right by the rollup's folds
(hq_server.programme.dashboard_rollup: a day with a registration or a merge is counted again).
"""
from alembic import op
import sqlalchemy as sa


revision = '0013K'
down_revision = '0012C'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('dashboard_new',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('store_id', sa.String(length=36), nullable=False),
    sa.Column('members', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'store_id', name=op.f('pk_dashboard_new'))
    )
    # the members as they stand (the code of this revision: the table above is its own)
    from hq_server.programme.dashboard_rollup import count_new_members
    count_new_members(op.get_bind())


def downgrade() -> None:
    op.drop_table('dashboard_new')
