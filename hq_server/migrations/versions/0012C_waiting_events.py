"""The events waiting for a lot, found without reading the others

Revision ID: 0012C
Revises: 0012B
Create Date: 2026-12-07 16:10:00

A store's page in the console counts the events of each till that wait at HQ (rule 5); with no index
on status that read every event of the store (seconds on a ledger of 10,000,000 events: bench.console).
Waiting events are few at any time, so a partial index holds only them.
"""
from alembic import op
import sqlalchemy as sa


revision = '0012C'
down_revision = '0012B'
branch_labels = None
depends_on = None


def upgrade() -> None:
    waiting = sa.text("status = 'waiting'")
    op.create_index('ix_events_waiting', 'events', ['store_id', 'device_id'], postgresql_where=waiting,
                    sqlite_where=waiting)


def downgrade() -> None:
    op.drop_index('ix_events_waiting', table_name='events')
