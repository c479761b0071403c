"""The store's Alembic migrations build exactly the schema tables.py declares, so a till
upgraded from any release and a fresh one hold the same tables and indexes; and the hot
reads use the indexes made for them."""

from datetime import datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from pos_app.store import ledger_repo
from pos_app.store import tables as T
from pos_app.store.db import open_database
from pos_app.sync import offline_limits


@pytest.fixture
def conn(tmp_path):
    db = open_database(tmp_path / "store.db")
    try:
        with db.engine.connect() as connection:
            yield connection
    finally:
        db.close()


def plan(conn, sql: str, params=()) -> str:
    return " | ".join(row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params))


def test_migrations_match_the_declared_tables(conn):
    assert compare_metadata(MigrationContext.configure(conn), T.metadata) == []


def test_redeemed_sums_use_their_indexes(conn):
    """The offline budget's sums read only recent redemptions (or one member's), not every event."""
    def query_plan(query) -> str:
        return plan(conn, str(query.compile(conn, compile_kwargs={"literal_binds": True})))

    since = datetime(2026, 11, 1)
    assert "ix_events_kind_time" in query_plan(offline_limits.redeemed_query(since))
    assert "ix_events_member_time" in query_plan(offline_limits.redeemed_query(since, "m-1"))


def test_a_members_live_lots_are_read_from_the_covering_index_alone(conn):
    got = plan(conn, ledger_repo._SQL_LOTS_OF, ("member:m-1:consumer",))
    assert "COVERING INDEX ix_lots_live" in got, got
