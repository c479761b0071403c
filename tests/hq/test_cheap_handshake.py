"""The handshake is cheap (issue 17): it never waits for HQ's writer lock, and with the till's pull cursor
(protocol 2) it says whether the till has anything to pull, so an idle till's sync is one request."""

from __future__ import annotations

import threading
import time

import psycopg
import sqlite3

from pos_app.domain.ids import new_id
from pos_app.sync.wire import HandshakeResponse
from tests.hq.wire_events import FakeDevice, now


def _handshake(dev: FakeDevice, cursor: int | None, protocol_max: int = 2) -> dict:
    count, h = dev.acked_state()
    body = {"protocol_min": 1, "protocol_max": protocol_max, "device_time": now().isoformat(),
            "acked_count": count, "acked_hash": h}
    if cursor is not None:
        body["pull_cursor"] = cursor
    r = dev.client.post("/api/v1/sync/handshake", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def test_the_handshake_says_whether_the_till_has_anything_to_pull(hq, store_id):
    a, b = FakeDevice(hq, store_id, "till-a"), FakeDevice(hq, store_id, "till-b")
    try:
        _, cursor_a = a.pull_all()
        _, cursor_b = b.pull_all()
        first = _handshake(a, cursor_a)
        assert first["protocol"] == 2 and first["feed_news"] is False and first["feed_head"] >= cursor_a
        HandshakeResponse.model_validate(first)
        # A's own events reach B (the store's other till), never A: A has still nothing to pull,
        # and the head moves past them so A's next check does not start behind them.
        assert a.push([a.earn(new_id(), 10) for _ in range(3)]).status_code == 200
        after_push = _handshake(a, cursor_a)
        assert after_push["feed_news"] is False and after_push["feed_head"] > first["feed_head"]
        items, _ = a.pull_all(after=cursor_a)
        assert items == []  # the head skipped nothing A would have pulled
        seen_by_b = _handshake(b, cursor_b)
        assert seen_by_b["feed_news"] is True and "feed_head" not in seen_by_b
        items, cursor_b = b.pull_all(after=cursor_b)
        assert len(items) == 3
        assert _handshake(b, cursor_b)["feed_news"] is False
    finally:
        a.close()
        b.close()


def test_a_till_of_protocol_1_gets_the_answer_it_knows(hq, store_id):
    dev = FakeDevice(hq, store_id)
    try:
        doc = dev.handshake().json()  # protocol_max 1, no cursor
        assert doc["protocol"] == 1
        assert not {"feed_news", "feed_head"} & set(doc)
    finally:
        dev.close()


def _hold_writer_lock(url: str, held: threading.Event, release: threading.Event) -> None:
    """HQ's writer lock held by another transaction, as a long push holds it."""
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE hq_counter SET value = value WHERE name = 'seq'")
    else:
        conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1))
        conn.execute("SELECT value FROM hq_counter WHERE name = 'seq' FOR UPDATE")
    held.set()
    release.wait(30)
    conn.rollback()
    conn.close()


def test_a_handshake_and_a_pull_do_not_wait_for_the_writer_lock(hq, store_id):
    dev = FakeDevice(hq, store_id)
    try:
        _, cursor = dev.pull_all()
        _handshake(dev, cursor)  # the first one records last_seen and the skew; a steady till's writes nothing
        held, release = threading.Event(), threading.Event()
        holder = threading.Thread(target=_hold_writer_lock, args=(hq.db_url, held, release))
        holder.start()
        try:
            assert held.wait(10)
            t0 = time.monotonic()
            assert _handshake(dev, cursor)["feed_news"] is False
            dev.pull_all(after=cursor)
            took = time.monotonic() - t0
        finally:
            release.set()
            holder.join()
        assert took < 3, f"the handshake and the pull waited {took:.1f} s for the writer lock"
    finally:
        dev.close()


def test_a_push_with_the_pull_cursor_answers_the_pull_too(hq, store_id):
    a, b = FakeDevice(hq, store_id, "till-a"), FakeDevice(hq, store_id, "till-b")
    try:
        _, cursor_a = a.pull_all()
        _, cursor_b = b.pull_all()
        plain = a.push([a.earn(new_id(), 10)]).json()
        assert "pull" not in plain  # a till of protocol 1 refuses fields it does not know
        # B pushes with its cursor: the answer holds A's event, as the pull after the push would
        events = [b.earn(new_id(), 5)]
        r = b.client.post("/api/v1/sync/push", json={"events": events, "pull_cursor": cursor_b})
        assert r.status_code == 200, r.text
        doc = r.json()
        assert [x["status"] for x in doc["answers"]] == ["ok"]
        items, cursor = b.pull_all(after=cursor_b)
        assert doc["pull"] == {"items": items, "cursor": cursor, "more": False} and len(items) == 1
        assert items[0]["data"]["device_id"] == a.device_id  # B's own event is not sent back to it
        # and A's next push brings B's event
        doc = a.client.post("/api/v1/sync/push", json={"events": [a.earn(new_id(), 7)], "pull_cursor": cursor_a}).json()
        assert [i["data"]["device_id"] for i in doc["pull"]["items"]] == [b.device_id]
    finally:
        a.close()
        b.close()
