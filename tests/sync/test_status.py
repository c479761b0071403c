"""The status the UI shows: pending count, last success, offline window and redemption
budget left per HQ's offline limits; a device clock days off still syncs and is flagged."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from pos_app.services import checkout
from pos_app.services.demo import CASHIER_ID
from pos_app.store import tables as T
from pos_app.sync import offline_limits
from pos_app.sync.scheduler import SyncScheduler
from tests.sync.conftest import SEED_PIN, Clock, hq_balances, local_balances, member_ids


def test_status_reports_pending_count_and_offline_window(hq, make_store):
    clock = Clock()
    ctx = make_store("a", clock=clock)
    r = hq.admin("PUT", f"/stores/{ctx.who.store_id}/offline-limits",
                 json={"max_offline_hours": 24, "member_redeem_points": 1000, "store_redeem_budget": 5000})
    assert r.status_code == 200, r.text
    sched = SyncScheduler(ctx.db, clock=clock)
    st = sched.status(refresh=True)
    assert st.pending > 0 and st.last_success is None and not st.online
    # before the first sync the period runs from the enrolment, on the protocol's default limits (72 h)
    assert timedelta(hours=71) < st.offline_window_left <= timedelta(hours=72) and st.redeem_allowed
    st = sched.run_once()
    assert st.online and st.state == "online" and st.pending == 0 and st.clock_ok
    assert timedelta(hours=23, minutes=59) < st.offline_window_left <= timedelta(hours=24)
    assert st.redeem_allowed and st.store_redeem_budget_left == 5000
    member = member_ids(ctx)[0]
    checkout.checkout(ctx, staff_id=CASHIER_ID, items=[("TEA-JASMINE", 1)], member_id=member, cash_points=100,
                      member_pin=SEED_PIN)
    sched.nudge()
    st = sched.status(refresh=True)
    assert st.pending >= 1 and st.store_redeem_budget_left == 4900
    with ctx.db.read() as conn:
        assert offline_limits.member_redeem_left(conn, member) == 900
    clock.offset = timedelta(hours=25)  # a day offline: earning goes on, redeeming stops
    st = sched.status(refresh=True)
    assert st.offline_window_left == timedelta(0) and not st.redeem_allowed
    st = sched.run_once()  # back online: a new offline period starts
    assert st.online and st.pending == 0 and st.redeem_allowed and st.store_redeem_budget_left == 5000


def test_a_device_clock_days_off_still_syncs_and_is_flagged(hq, make_store):
    clock = Clock(timedelta(days=3))
    ctx = make_store("a", clock=clock)
    st = SyncScheduler(ctx.db, clock=clock).run_once()
    assert st.online and st.pending == 0
    assert abs(st.clock_skew_s + 3 * 86400) < 60 and not st.clock_ok
    for m in member_ids(ctx):
        assert local_balances(ctx, m) == hq_balances(hq, m)
    with ctx.db.read() as conn:
        flagged = conn.execute(select(T.outbox.c.hq_status, T.outbox.c.hq_note)).all()
    assert flagged and all(s == "flagged" and "clock skew" in note for s, note in flagged)
    skewed = hq.admin("GET", "/conflicts", params={"rule": 4}).json()
    assert [c for c in skewed if c["store_id"] == ctx.who.store_id and c["kind"] == "clock_skew"]


def test_the_stores_tills_split_its_offline_budget(hq, make_store):
    """Offline, a till cannot see the other tills' redemptions: each keeps to its share of the store's budget."""
    ctx = make_store("a")
    r = hq.admin("PUT", f"/stores/{ctx.who.store_id}/offline-limits",
                 json={"max_offline_hours": 24, "member_redeem_points": 1000, "store_redeem_budget": 5001})
    assert r.status_code == 200, r.text
    sched = SyncScheduler(ctx.db)
    assert sched.run_once().store_redeem_budget_left == 5001  # the store's only till
    hq.enrol(ctx.who.store_id, "till-2")
    hq.enrol(ctx.who.store_id, "till-3")
    st = sched.run_once()  # the handshake tells the till how many tills its store has
    assert st.online and st.store_redeem_budget_left == 1667  # 5001 // 3: the three together never exceed it
    with ctx.db.read() as conn:
        assert offline_limits.member_redeem_left(conn, member_ids(ctx)[0]) == 1000
