"""hq_server.bulk writes exactly what SQLAlchemy Core would (same stored text on SQLite, same values on PG)."""

from __future__ import annotations

import gc
from datetime import datetime, timezone

import pytest
from sqlalchemy import create_engine, select, text

from hq_server import bulk
from hq_server import models as M
from hq_server.db import migrate
from pos_app.sync.wire import WireEvent
from tests.hq.server import need_postgres, postgres_database, sqlite_url


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        url = sqlite_url(tmp_path / "bulk")
        migrate(url)
        eng = create_engine(url)
        yield eng
        eng.dispose()
        return
    need_postgres()
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


def _wire(device: dict, seq: int, member_id: str, points: int) -> WireEvent:
    from pos_app.domain import entries as E
    from pos_app.domain.ids import new_id
    from pos_app.domain.ledger import Kind, payload_hash
    from tests.hq.wire_events import RULES, now, wire_payload
    entry = E.earn(Kind.EARN, member_id=member_id, points=points, store_id=device["store_id"], owed=0,
                   lot_id=new_id(), now=now(), rules=RULES, payload={"sale_id": new_id(), "paid_fen": points * 100})
    payload = wire_payload(entry)
    return WireEvent(event_id=new_id(), kind="earn", store_id=device["store_id"], device_id=device["device_id"],
                     device_seq=seq, device_time=now(), staff_id="staff-1", rule_version=1, member_id=member_id,
                     payload=payload, payload_hash=payload_hash(payload))


def test_push_finds_a_used_device_seq_whatever_the_batch_holds_and_turns_the_collector_back_on(engine):
    """ingest.push looks device_seqs up only when the batch reaches down to what HQ holds (acked_max_seq);
    in-process, on both backends, with the cycle collector paused during each push and on again after."""
    from hq_server.ledger import ingest
    from hq_server.db import Database
    from hq_server.errors import HQProblem
    from hq_server.models import devices, stores
    from tests.hq.wire_events import now
    db = Database(engine.url.render_as_string(hide_password=False))
    dev = {"store_id": "s-bulk", "device_id": "d-bulk"}
    with engine.begin() as conn:
        conn.execute(stores.insert().values(store_id="s-bulk", name="s", created_at=now()))
        conn.execute(devices.insert().values(device_id="d-bulk", store_id="s-bulk", name="t", key_hash="x",
                                             created_at=now()))

    def push(events):
        answers = ingest.push(db, "d-bulk", "s-bulk", events, now()).answers
        assert gc.isenabled()
        return [(a.status, a.reason or "") for a in answers]

    try:
        m = "0190b3c2-6a4e-7bcd-8123-0000000b01c0"  # a member id as tills make them (a UUID)
        first = [_wire(dev, s, m, 10) for s in (1, 2, 3)]
        assert [s for s, _ in push(first)] == ["ok"] * 3
        again = push([_wire(dev, 2, m, 5), _wire(dev, 4, m, 5), _wire(dev, 5, m, 5)])
        assert [s for s, _ in again] == ["rejected", "ok", "ok"] and "already event" in again[0][1]
        assert [s for s, _ in push([_wire(dev, 7, m, 5)])] == ["ok"]  # a gap: wholly above what HQ holds
        late = push([_wire(dev, 6, m, 5), _wire(dev, 7, m, 5)])
        assert [s for s, _ in late] == ["ok", "rejected"] and "already event" in late[1][1]
        assert push(first) == [("exists", "")] * 3
        with pytest.raises(HQProblem):
            ingest.push(db, "d-bulk", "s-bulk", [_wire({"store_id": "other", "device_id": "d-bulk"}, 8, m, 1)], now())
        assert gc.isenabled()
        with engine.connect() as conn:
            assert conn.execute(text("SELECT COUNT(*) FROM events")).scalar_one() == 7
            assert conn.execute(text("SELECT balance FROM balances WHERE account = :a"),
                                {"a": f"member:{m}:consumer"}).scalar_one() == 30 + 5 * 4
    finally:
        db.dispose()


def test_pg_array_quotes_every_element_the_one_way_the_array_syntax_reads():
    plain = ["member:0191-a:consumer", "debt:0191-b", "x"]
    odd = ['a"b', "c\\d", "e"]

    def slow(values):  # each element escaped on its own: what the short cut must equal
        return "{" + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "}"
    assert bulk.pg_array(plain) == slow(plain) == '{"member:0191-a:consumer","debt:0191-b","x"}'
    assert bulk.pg_array(odd) == slow(odd)
    assert bulk.pg_array(["only"]) == '{"only"}' and bulk.pg_array([]) == "{}"
    assert bulk.pg_array([3, 1, 2]) == "{3,1,2}"


def test_many_rows_go_by_copy_binary_when_they_fit_and_text_when_they_do_not(engine):
    """Over PG_VALUES_UP_TO rows PostgreSQL gets COPY: binary when every value is of its column's type, text
    when one is not (an int for a text column, an aware datetime): both store what the Core stores."""
    n = bulk.PG_VALUES_UP_TO + 5
    at = datetime(2026, 1, 2, 3, 4, 5, 600)
    fits = [lot(f"fit{i:03}", at) for i in range(n)]
    odd = [{**lot(f"odd{i:03}", at), "event_id": 7 if i == 3 else f"e-{i}"} for i in range(n)]
    aware = [{**lot(f"tz{i:03}", at), "expires_at": at.replace(tzinfo=timezone.utc)} for i in range(n)]
    if engine.dialect.name == "postgresql":
        names = tuple(fits[0])
        types = bulk.binary_types(M.lots, names)
        assert types is not None and bulk._fit_binary(types, [list(r.values()) for r in fits])
        assert not bulk._fit_binary(types, [list(r.values()) for r in odd])
        assert not bulk._fit_binary(types, [list(r.values()) for r in aware])
    with engine.begin() as conn:
        for rows in (fits, odd, aware):
            bulk.insert(conn, M.lots, rows)
    with engine.connect() as conn:
        got = {r.lot_id: r for r in conn.execute(select(M.lots))}
    assert len(got) == 3 * n
    assert got["fit007"].available_at == at and got["fit007"].amount == 10 and got["fit007"].account == "member:m:consumer"
    assert got["odd003"].event_id == "7" and got["odd004"].event_id == "e-4"
    assert got["tz001"].expires_at == at
