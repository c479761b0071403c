"""HQ killed after committing a push and before answering (a proxy drops the answer and
kills HQ, tests/sync/proxy.py): the scheduler backs off
(exponentially, with jitter) while HQ is down, recovers when it is back, and the retried
push is answered `exists`: nothing counted twice."""

from __future__ import annotations

import json
import random
import time

import pytest
from sqlalchemy import select

from pos_app.store import tables as T
from pos_app.sync import outbox, state
from pos_app.sync.client import HQClient
from pos_app.sync.cycle import sync_once
from pos_app.sync.errors import HQUnreachable
from pos_app.sync.scheduler import SyncScheduler
from tests.sync.conftest import hq_balances, local_balances, local_ledger_ok, member_ids
from tests.sync.proxy import DropProxy
from tests.sync.test_enrol_push import sell


def _wait(pred, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(step)
    return pred()


def test_backoff_grows_with_jitter_and_is_capped(tmp_path):
    from pos_app.services.setup import open_store
    sched = SyncScheduler(open_store(tmp_path / "s").db, base_backoff=1.0, max_backoff=30.0, rng=random.Random(7))
    for failures in range(1, 12):
        cap = min(30.0, 2.0 ** (failures - 1))
        delays = [sched.backoff_delay(failures) for _ in range(50)]
        assert all(cap / 2 <= d <= cap for d in delays)
        assert len(set(delays)) > 1  # jitter: two tills do not retry in step


def test_hq_killed_after_commit_backoff_then_recovery_answers_exists(hq, make_store):
    ctx = make_store("a")
    sync_once(ctx.db)
    sell(ctx, 5)
    with ctx.db.read() as conn:
        events = outbox.pending(conn, 500)
        creds = state.credentials(conn)
    n = len(events)
    proxy = DropProxy(hq.port)
    try:
        proxy.drop_next_push_answer(hq.kill)  # HQ commits the push, then dies before the store hears it
        with pytest.raises(HQUnreachable):
            sync_once(ctx.db, HQClient(proxy.url, creds.device_id, creds.device_key))
        assert proxy.dropped.is_set()
    finally:
        proxy.close()
    attempts: list[float] = []
    sched = SyncScheduler(ctx.db, interval=60, base_backoff=0.1, max_backoff=0.8, rng=random.Random(1),
                          client_kw={"connect_timeout": 0.5, "read_timeout": 5},
                          on_status=lambda st: attempts.append(time.monotonic()) if st.state == "syncing" else None)
    try:
        sched.start()
        assert _wait(lambda: sched.status().failures >= 4, 20)
        st = sched.status(refresh=True)
        assert st.state == "offline" and not st.online and st.pending == n
        assert "unreachable" in st.last_error
        gaps = [b - a for a, b in zip(attempts, attempts[1:])][:3]
        assert all(later >= earlier * 0.9 for earlier, later in zip(gaps, gaps[1:])), gaps  # backing off
        before = sched.status().failures
        sched.nudge()  # a sale while HQ is down does not hammer it
        time.sleep(0.02)
        assert sched.status().failures <= before + 1
    finally:
        hq.start()
    try:
        assert _wait(lambda: sched.status().online, 30), sched.status()
        st = sched.status(refresh=True)
        assert st.pending == 0 and st.failures == 0 and st.last_success is not None and st.last_error is None
    finally:
        sched.stop()
    with ctx.db.read() as conn:
        ids = [e["event_id"] for e in events]
        answers = conn.execute(select(T.outbox.c.answer).where(T.outbox.c.event_id.in_(ids))).scalars().all()
    assert [json.loads(a)["status"] for a in answers] == ["exists"] * n
    for m in member_ids(ctx):
        assert local_balances(ctx, m) == hq_balances(hq, m)
    local_ledger_ok(ctx)


def test_a_sale_while_online_is_pushed_at_once_after_a_nudge(hq, make_store):
    from pos_app.services import checkout
    from pos_app.services.demo import CASHIER_ID
    ctx = make_store("a")
    seen = []
    sched = SyncScheduler(ctx.db, interval=600, on_status=seen.append)
    sched.start()
    try:
        assert _wait(lambda: sched.status().online, 20)  # a run at start
        checkout.checkout(ctx, staff_id=CASHIER_ID, items=[("TEA-JASMINE", 1)], member_id=member_ids(ctx)[0])
        assert sched.status(refresh=True).pending > 0
        sched.nudge()
        assert _wait(lambda: sched.status(refresh=True).pending == 0, 10)  # not after the 600 s interval
        assert _wait(lambda: sched.status().online and 590 < (sched.status().next_attempt_in or 0) <= 600, 10)
    finally:
        sched.stop()
    assert any(st.state == "syncing" for st in seen) and seen[-1].state == "online"
