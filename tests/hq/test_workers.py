"""Correct with several uvicorn workers: two OS processes push one device's events at once.

The session's server runs 2 workers (conftest.py). Each pushing process has its own
connection, so the kernel hands the requests to either worker; HQ's writer lock (the
hq_counter row on PostgreSQL, BEGIN IMMEDIATE on SQLite) is all that keeps them apart.
One process pushes the batches in order, the other in reverse order (a spend may then
reach HQ before the earn whose lot it takes from: it waits, rule 5, and is applied when
the earn arrives). Every event must be applied exactly once, answered `ok` by one
process and `exists` (with the same hq_seq) by the other, and the ledger and the
device's rolling hash must come out as if the events had arrived once, in order.
"""

from __future__ import annotations

import multiprocessing
import random
import time
from concurrent.futures import ProcessPoolExecutor

import httpx

from pos_app.domain.ids import new_id
from tests.hq.ledger_check import HQLedger
from tests.hq.wire_events import FakeDevice

BATCH = 100


def _push_batches(url: str, headers: dict, batches: list[list[dict]], start=None) -> list[dict]:
    """Runs in a separate process: wait at the start barrier, then push the batches one by one."""
    return _timed_push(url, headers, batches, start)[0]


def _timed_push(url: str, headers: dict, batches: list[list[dict]], start=None) -> tuple[list[dict], float, float]:
    """The answers, and when (wall clock, the same in both processes) the first push went out and the
    last answer came back."""
    answers = []
    with httpx.Client(base_url=url, headers=headers, timeout=120) as client:
        client.get("/api/v1/health").raise_for_status()  # connected before the start
        if start is not None:
            start.wait(timeout=120)
        began = time.time()
        for batch in batches:
            r = client.post("/api/v1/sync/push", json={"events": batch})
            r.raise_for_status()
            answers += r.json()["answers"]
    return answers, began, time.time()


def _worker_pids(url: str, tries: int = 200) -> set[int]:
    pids: set[int] = set()
    for _ in range(tries):
        pids.add(httpx.get(url + "/api/v1/health", timeout=10).json()["pid"])  # a new connection each time
        if len(pids) >= 2:
            break
    return pids


def make_events(dev: FakeDevice, n: int, rng: random.Random) -> tuple[list[dict], dict[str, int]]:
    """Earns and gift redemptions over a few members, as a till would make them (valid, in device_seq order)."""
    members = [new_id() for _ in range(8)]
    lots: dict[str, list[list]] = {m: [] for m in members}  # member -> [[lot_id, remaining]]
    expected = dict.fromkeys(members, 0)
    events = []
    while len(events) < n:
        m = rng.choice(members)
        full = [lot for lot in lots[m] if lot[1] >= 30]
        if full and rng.random() < 0.35:
            lot = rng.choice(full)
            events.append(dev.spend(m, 30, [(lot[0], lot[1])]))
            lot[1] -= 30
            expected[m] -= 30
        else:
            points = rng.randint(30, 120)
            ev = dev.earn(m, points)
            lots[m].append([FakeDevice.lot_of(ev), points])
            expected[m] += points
            events.append(ev)
    return events, expected


def test_two_processes_push_one_devices_events_at_once_through_two_workers(hq, store_id):
    assert hq.workers >= 2
    assert len(_worker_pids(hq.url)) >= 2, "the server should be answering from two worker processes"
    dev = FakeDevice(hq, store_id)
    events, expected = make_events(dev, 600, random.Random(4))
    batches = [events[i:i + BATCH] for i in range(0, len(events), BATCH)]
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager, ProcessPoolExecutor(max_workers=2, mp_context=ctx) as pool:
        start = manager.Barrier(2)
        forward = pool.submit(_timed_push, hq.url, hq.auth(dev.creds), batches, start)
        backward = pool.submit(_timed_push, hq.url, hq.auth(dev.creds), batches[::-1], start)
        (a, a_began, a_ended), (b, b_began, b_ended) = forward.result(timeout=300), backward.result(timeout=300)
    # both really pushed at once. Which of them applies what is HQ's turn order's business: the backward
    # pusher's first batch waits for its turn (rule 5's order), so the forward one may apply them all.
    assert a_began < b_ended and b_began < a_ended, "the two pushers did not overlap"

    by_id_a, by_id_b = {x["event_id"]: x for x in a}, {x["event_id"]: x for x in b}
    assert set(by_id_a) == set(by_id_b) == {e["event_id"] for e in events}
    for e in events:
        x, y = by_id_a[e["event_id"]], by_id_b[e["event_id"]]
        assert sorted([x["status"], y["status"]]) == ["exists", "ok"], (x, y)  # applied by exactly one of them
        assert x["hq_seq"] == y["hq_seq"]
    assert len({by_id_a[e["event_id"]]["hq_seq"] for e in events}) == len(events)

    ledger = HQLedger(hq.db_url)
    try:
        d = dev.device_id
        assert ledger.scalar("SELECT COUNT(*) FROM events WHERE device_id = :d", d=d) == len(events)
        assert ledger.scalar("SELECT COUNT(*) FROM events WHERE device_id = :d AND status <> 'applied'", d=d) == 0
        assert ledger.scalar("SELECT COUNT(*) FROM waiting_lots w JOIN events e ON e.event_id = w.event_id "
                             "WHERE e.device_id = :d", d=d) == 0
        assert ledger.scalar("SELECT COUNT(*) FROM postings p JOIN events e ON e.event_id = p.event_id "
                             "WHERE e.device_id = :d", d=d) == sum(len(e["payload"]["postings"]) for e in events)
        for m, points in expected.items():
            assert ledger.balance(f"member:{m}:consumer") == points, m
            assert ledger.balance(f"debt:{m}") == 0, m
        assert ledger.problems() == []
    finally:
        ledger.close()

    # the device's sanity check agrees with HQ's: as if every event had arrived once, in order
    for e in events:
        dev.acked[e["device_seq"]] = (e["event_id"], e["payload_hash"])
    hs = dev.handshake().json()
    assert (hs["hq_acked_count"], hs["hq_acked_hash"]) == dev.acked_state()
    assert hs["full_resync_required"] is False
    # and a third push of everything changes nothing
    again = _push_batches(hq.url, hq.auth(dev.creds), batches)
    assert {x["status"] for x in again} == {"exists"}
    dev.close()
