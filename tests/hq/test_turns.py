"""A push waits for its device's earlier batches before HQ's writer lock (hq_server.ledger.turns): woken by the
commit it waits for, holding no database connection while it waits."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select, update

from hq_server import models as M
from hq_server.ledger import turns
from hq_server.db import Database


def _acked(db: Database, device_id: str) -> int:
    with db.read() as conn:
        return conn.execute(select(M.devices.c.acked_max_seq).where(M.devices.c.device_id == device_id)).scalar()


def _commit_up_to(db: Database, device_id: str, seq: int, announce: bool = True) -> None:
    with db.write() as (conn, _):
        conn.execute(update(M.devices).where(M.devices.c.device_id == device_id).values(acked_max_seq=seq))
        if announce:
            turns.announce(conn, device_id, seq)


def test_waiting_batches_go_on_when_the_one_they_follow_commits_and_hold_no_connection(hq, db, store_id):
    """More waiters than the pool has connections (5 + 5; SQLite 4 + 4): the commit they wait for still
    gets one, and every waiter goes on. Waiters that each held a pooled connection would starve it."""
    hq.create_store(store_id)
    device_id = hq.enrol(store_id)["device_id"]
    first = _acked(db, device_id) + 2  # one batch is missing before these
    done: list[bool] = []
    until = time.monotonic() + 60  # far: the waiters go on because the batch came, not because time ran out

    def wait() -> None:
        turns.await_turn(db, device_id, first, until)
        done.append(turns.in_turn(first, _acked(db, device_id)))

    waiters = [threading.Thread(target=wait) for _ in range(14)]
    for w in waiters:
        w.start()
    time.sleep(0.3)
    assert not done, "a waiter went on before its turn"
    _commit_up_to(db, device_id, first - 1)
    for w in waiters:
        w.join(20)
    assert done == [True] * len(waiters)


def test_on_postgresql_the_commit_wakes_the_listener_and_a_rollback_does_not(hq, db, hq_db_url, store_id):
    if not hq_db_url.startswith("postgresql"):
        pytest.skip("LISTEN/NOTIFY: PostgreSQL only (SQLite's waiters poll)")
    hq.create_store(store_id)
    rolled_back, committed = hq.enrol(store_id, "till-1")["device_id"], hq.enrol(store_id, "till-2")["device_id"]
    listener = turns._listener(db)
    deadline = time.monotonic() + 10
    while not listener.up and time.monotonic() < deadline:
        time.sleep(0.01)
    assert listener.up
    before = listener.wakes(rolled_back), listener.wakes(committed)
    with pytest.raises(RuntimeError):
        with db.write() as (conn, _):
            turns.announce(conn, rolled_back)
            raise RuntimeError("rolled back")
    _commit_up_to(db, committed, 5)
    listener.wait(committed, before[1], 10)
    # Notifications arrive in commit order: had the rollback sent one, it would be counted by now.
    assert (listener.wakes(rolled_back), listener.wakes(committed)) == (before[0], before[1] + 1)
    # The wake-up carries the device's acked_max_seq: a batch it puts in turn goes on without a read.
    assert listener.acked(committed) == 5 and listener.acked(rolled_back) is None


def test_a_batch_the_announced_seq_puts_in_turn_goes_on_and_one_it_does_not_keeps_waiting(hq, db, hq_db_url,
                                                                                          store_id, monkeypatch):
    if not hq_db_url.startswith("postgresql"):
        pytest.skip("LISTEN/NOTIFY: PostgreSQL only (SQLite's waiters poll)")
    hq.create_store(store_id)
    device_id = hq.enrol(store_id)["device_id"]
    listener = turns._listener(db)
    deadline = time.monotonic() + 10
    while not listener.up and time.monotonic() < deadline:
        time.sleep(0.01)
    base = _acked(db, device_id)
    _commit_up_to(db, device_id, base + 10)
    while listener.acked(device_id) != base + 10 and time.monotonic() < deadline:
        time.sleep(0.01)
    def no_read():
        raise AssertionError("the announced seq said the batch is in turn: no read needed")

    monkeypatch.setattr(db, "read", no_read)
    turns.await_turn(db, device_id, base + 11, time.monotonic() + 5)  # in turn: returns, reading nothing
    monkeypatch.undo()
    until = time.monotonic() + 0.3
    turns.await_turn(db, device_id, base + 12, until)  # one batch still missing: it waits until `until`
    assert time.monotonic() >= until
