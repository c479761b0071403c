"""The store's Alembic migrations build exactly the schema tables.py declares, so a till
upgraded from any release and a fresh one hold the same tables and indexes; and the hot
reads use the indexes made for them."""

import subprocess
import sys
from datetime import datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from pos_app.store import ledger_repo
from pos_app.store import tables as T
from pos_app.store.db import HEAD, MIGRATIONS, open_database
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


def test_head_is_alembics_head():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(cfg).get_current_head() == HEAD


def test_a_store_at_head_opens_without_alembic_and_an_older_one_is_upgraded(tmp_path):
    path = tmp_path / "store.db"
    open_database(path).close()  # a new store: migrated to head
    probe = ("import sys; from pos_app.store.db import open_database, revision; "
             f"db = open_database({str(path)!r}); print(revision(db.engine), 'alembic' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert run.stdout.split() == [HEAD, "False"]
    db = open_database(path)
    with db.engine.begin() as conn:  # as a till left by the previous release would be
        conn.exec_driver_sql("DROP INDEX ix_lots_live")
        conn.exec_driver_sql("DROP TABLE code_uses")  # 0007s
        conn.exec_driver_sql("DROP TABLE stock_own")  # 0006s
        conn.exec_driver_sql("DROP TABLE stock_hq")
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0004'")
    db.close()
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert run.stdout.split() == [HEAD, "True"]
    db = open_database(path)
    with db.engine.connect() as conn:
        assert "COVERING INDEX ix_lots_live" in plan(conn, ledger_repo._SQL_LOTS_OF, ("member:m-1:consumer",))
    db.close()
