"""hq_server.bulk writes exactly what SQLAlchemy Core would (same stored text on SQLite, same values on PG)."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import create_engine, select, text

from hq_server import bulk
from hq_server import models as M
from hq_server.db import migrate
from tests.hq.server import postgres_available, postgres_database, sqlite_url


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        url = sqlite_url(tmp_path / "bulk")
        migrate(url)
        eng = create_engine(url)
        yield eng
        eng.dispose()
        return
    if not postgres_available():
        pytest.skip("no PostgreSQL on 127.0.0.1:5432")
    with postgres_database() as url:
        migrate(url)
        eng = create_engine(url)
        yield eng
        eng.dispose()


def lot(lot_id: str, at: datetime) -> dict:
    return {"lot_id": lot_id, "event_id": "e-" + lot_id, "account": "member:m:consumer", "amount": 10,
            "remaining": 10, "available_at": at, "expires_at": at.replace(year=2030)}


@pytest.mark.parametrize("at", [datetime(2026, 1, 2, 3, 4, 5), datetime(2026, 1, 2, 3, 4, 5, 600)])
def test_bulk_insert_stores_what_the_core_stores(engine, at):
    with engine.begin() as conn:
        conn.execute(M.lots.insert(), [lot("core", at)])
        bulk.insert(conn, M.lots, [lot("bulk", at), lot("bulk2", at)])
    with engine.connect() as conn:
        raw = conn.execute(text("SELECT lot_id, CAST(available_at AS TEXT), CAST(expires_at AS TEXT) FROM lots "
                                "ORDER BY lot_id")).all()
        typed = conn.execute(select(M.lots.c.available_at, M.lots.c.expires_at)).all()
    assert raw[0][1:] == raw[1][1:] == raw[2][1:]
    assert set(typed) == {(at, at.replace(year=2030))}


def test_balances_and_lots_updates(engine):
    with engine.begin() as conn:
        bulk.add_to_balances(conn, M.balances, [("a", 5), ("b", -5)])
        bulk.add_to_balances(conn, M.balances, [("a", 2), ("c", 1)])
        bulk.insert(conn, M.lots, [lot("x", datetime(2026, 1, 1)), lot("y", datetime(2026, 1, 1))])
        bulk.set_remaining(conn, M.lots, [("x", 3), ("y", 0)])
        assert dict(conn.execute(select(M.balances.c.account, M.balances.c.balance)).all()) == {"a": 7, "b": -5,
                                                                                              "c": 1}
        assert dict(conn.execute(select(M.lots.c.lot_id, M.lots.c.remaining)).all()) == {"x": 3, "y": 0}
        ids = [f"id{i}" for i in range(2000)]  # over SQLite's chunk size
        found = [r for where in bulk.where_in(conn, M.lots.c.lot_id, ids + ["x"])
                 for r in conn.execute(select(M.lots.c.lot_id).where(where)).scalars()]
        assert found == ["x"]


def test_bulk_writes_roll_back_with_the_transaction(engine):
    with pytest.raises(RuntimeError), engine.begin() as conn:
        bulk.insert(conn, M.lots, [lot("gone", datetime(2026, 1, 1))])
        bulk.add_to_balances(conn, M.balances, [("gone", 1)])
        raise RuntimeError("rollback")
    with engine.connect() as conn:
        assert conn.execute(select(M.lots.c.lot_id)).all() == []
        assert conn.execute(select(M.balances.c.account)).all() == []


NASTY = ['a"b', "back\\slash", "com,ma", "{brace}", "NULL", "", " spaced ", "积分", "x" * 36, "tab\there",
         "new\nline", "cr\rx", "\\N", "\\.", "."]


def test_where_in_matches_odd_strings_exactly(engine):
    with engine.begin() as conn:
        bulk.add_to_balances(conn, M.balances, [(s, 1) for s in NASTY])
        found = [r for where in bulk.where_in(conn, M.balances.c.account, NASTY + ["absent", "a\\\"b"])
                 for r in conn.execute(select(M.balances.c.account).where(where)).scalars()]
        assert sorted(found) == sorted(NASTY)
        bulk.add_to_balances(conn, M.balances, [(s, 2) for s in NASTY])
        assert set(conn.execute(select(M.balances.c.balance)).scalars()) == {3}


def test_bulk_insert_keeps_odd_strings_and_nulls(engine):
    rows = [{"conflict_id": f"c{i}", "hq_seq": i, "rule": 1, "kind": "k", "event_id": None if i % 2 else s,
             "store_id": s, "member_id": None, "status": "open", "detail": s, "made_events": "[]",
             "created_at": datetime(2026, 1, 1, 0, 0, i)} for i, s in enumerate(NASTY)]
    with engine.begin() as conn:
        bulk.insert(conn, M.conflicts, rows)
        got = {r.conflict_id: r for r in conn.execute(select(M.conflicts))}
    for row in rows:
        r = got[row["conflict_id"]]
        assert (r.event_id, r.store_id, r.member_id, r.detail, r.created_at, r.hq_seq) == (
            row["event_id"], row["store_id"], None, row["detail"], row["created_at"], row["hq_seq"])
