"""The store's Alembic migrations build exactly the schema tables.py declares, so a till
upgraded from any release and a fresh one hold the same tables and indexes."""

from datetime import datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from pos_app.store import tables as T
from pos_app.store.db import open_database
from pos_app.sync import offline_limits


def test_migrations_match_the_declared_tables(tmp_path):
    db = open_database(tmp_path / "store.db")
    try:
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), T.metadata)
        assert diff == []
    finally:
        db.close()


def test_redeemed_sums_use_their_indexes(tmp_path):
    """The offline budget's sums read only recent redemptions (or one member's), not every event."""
    db = open_database(tmp_path / "store.db")
    try:
        with db.engine.connect() as conn:
            def plan(query) -> str:
                sql = str(query.compile(conn, compile_kwargs={"literal_binds": True}))
                return " | ".join(row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))

            since = datetime(2026, 11, 1)
            assert "ix_events_kind_time" in plan(offline_limits.redeemed_query(since))
            assert "ix_events_member_time" in plan(offline_limits.redeemed_query(since, "m-1"))
    finally:
        db.close()


def test_a_members_live_lots_are_read_from_the_covering_index_alone(tmp_path):
    from pos_app.store import ledger_repo

    db = open_database(tmp_path / "store.db")
    try:
        with db.engine.connect() as conn:
            plan = " | ".join(row[-1] for row in conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + ledger_repo._SQL_LOTS_OF, ("member:m-1:consumer",)))
        assert "COVERING INDEX ix_lots_live" in plan, plan
    finally:
        db.close()
