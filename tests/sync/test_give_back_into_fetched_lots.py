"""Points given back into a lot of a member this store fetched from HQ.

A fetched member's lots land here as HQ's snapshot holds them. A gift cancelled at the
member's home store puts its points back into the lot the gift took them from; that
give-back reaches the other store as a remote event and must fit into its copy of the
lot, as it fits into HQ's, whatever the lot held when the member was fetched.
(The multi-store property test found these: --hypothesis-seed=8, 30 examples, SQLite.)
"""

from __future__ import annotations

import shutil

from sqlalchemy import select

from pos_app.services import checkout, members, redeem
from pos_app.services.demo import CASHIER_ID, MANAGER_ID
from pos_app.store import tables as T
from pos_app.sync.cycle import sync_once
from tests.sync.conftest import bare_stores, fetch_at, hq_balances, local_balances, local_ledger_ok, unique_phone
from tests.sync.multistore import HQView

MEMBER_PIN, MANAGER_PIN = "2468", "9999"


def _member_with_a_gift(a, gift: str = "GIFT-CUP"):
    """A member of store A: 804 points earned in one lot, `gift` redeemed and handed over."""
    m = members.register_member(a, staff_id=CASHIER_ID, phone=unique_phone(), name="张伟", member_pin=MEMBER_PIN)
    checkout.checkout(a, staff_id=CASHIER_ID, items=[("TEA-PUER", 3)], member_id=m.member_id)  # 804 points
    r = redeem.redeem_gift(a, staff_id=CASHIER_ID, member_id=m.member_id, gift_id=gift, member_pin=MEMBER_PIN,
                           approver_pin=MANAGER_PIN, hand_over=True)
    return m, r


def _settle(*stores) -> None:
    for _ in range(2):
        for s in stores:
            sync_once(s.db)


def test_a_gift_cancelled_at_home_gives_back_into_a_lot_fetched_part_spent(hq, make_store):
    """B fetches M while M's lot holds 4 of its 804 points (800 went on a cup); A then cancels the cup and
    the 800 go back into that lot. B's copy of the lot held only what the snapshot said it held (4) and
    had no room for them: B's balance 804, its lots 4, and fetching M again could not mend it."""
    a, b = bare_stores(make_store, "a", "b")
    m, r = _member_with_a_gift(a)
    sync_once(a.db)
    fetch_at(b, m.phone, m.member_id)
    assert local_balances(b, m.member_id) == {f"member:{m.member_id}:consumer": 4}
    with b.db.read() as conn:  # HQ's snapshot carries each lot's grant: B's copy has room for the 800
        lots = conn.execute(select(T.lots.c.amount, T.lots.c.remaining)
                            .where(T.lots.c.account == f"member:{m.member_id}:consumer")).all()
    assert [tuple(r) for r in lots] == [(804, 4)]
    redeem.cancel_redemption(a, staff_id=MANAGER_ID, redemption_id=r.redemption_id, approver_pin=MANAGER_PIN,
                             reason="客户取消")
    _settle(a, b)
    assert local_balances(b, m.member_id) == hq_balances(hq, m.member_id) == local_balances(a, m.member_id) == {
        f"member:{m.member_id}:consumer": 804}
    local_ledger_ok(a)
    local_ledger_ok(b)
    # and B can spend the points given back
    checkout.checkout(b, staff_id=CASHIER_ID, items=[("SNACK-NUTS", 1)], member_id=m.member_id, cash_points=800,
                      member_pin=MEMBER_PIN)
    _settle(b, a)
    assert local_balances(b, m.member_id) == hq_balances(hq, m.member_id) == local_balances(a, m.member_id)
    local_ledger_ok(a)
    local_ledger_ok(b)


def _double_spent_cups(make_store):
    """M earns 804 points at A; B fetches M; both stores hand M a cup for 800 before either
    syncs (a double spend: HQ books 796 as M's debt); then both sync."""
    a, b = bare_stores(make_store, "a", "b")
    m = members.register_member(a, staff_id=CASHIER_ID, phone=unique_phone(), name="张伟", member_pin=MEMBER_PIN)
    checkout.checkout(a, staff_id=CASHIER_ID, items=[("TEA-PUER", 3)], member_id=m.member_id)  # 804 points
    sync_once(a.db)
    fetch_at(b, m.phone, m.member_id)
    cups = [redeem.redeem_gift(s, staff_id=CASHIER_ID, member_id=m.member_id, gift_id="GIFT-CUP",
                               member_pin=MEMBER_PIN, approver_pin=MANAGER_PIN, hand_over=True) for s in (a, b)]
    _settle(a, b)
    return a, b, m, cups


def test_a_double_spend_cancelled_at_both_stores(hq, make_store):
    """M's 804 points pay for a cup at A and at B before either syncs (a double spend: HQ books 796 as M's
    debt); then both cups come back. Every side ends with M's 804 points, no debt, and lots equal to it."""
    a, b, m, cups = _double_spent_cups(make_store)
    assert hq_balances(hq, m.member_id) == {f"debt:{m.member_id}": -796}
    for store, cup in zip((a, b), cups, strict=True):
        redeem.cancel_redemption(store, staff_id=MANAGER_ID, redemption_id=cup.redemption_id,
                                 approver_pin=MANAGER_PIN, reason="客户取消")
        local_ledger_ok(store)
    _settle(a, b)
    assert local_balances(b, m.member_id) == hq_balances(hq, m.member_id) == local_balances(a, m.member_id) == {
        f"member:{m.member_id}:consumer": 804}  # was 1600 points with 796 of debt, and lots of 804
    _ledgers_ok(hq, m.member_id, a, b)


def test_a_gift_cancelled_at_home_gives_back_into_a_lot_fetched_empty(hq, make_store):
    """A tea bag (300) took all of M's first lot (268) and 32 of the second: B's snapshot has no copy of the
    emptied lot, so the give-back cannot land there until B fetches M again (the drift mend), and then the
    second lot must take back the 32 beyond the 504 it held at the first fetch."""
    a, b = bare_stores(make_store, "a", "b")
    m = members.register_member(a, staff_id=CASHIER_ID, phone=unique_phone(), name="张伟", member_pin=MEMBER_PIN)
    for qty in (1, 2):  # lots of 268 and 536 points, the first expiring first
        checkout.checkout(a, staff_id=CASHIER_ID, items=[("TEA-PUER", qty)], member_id=m.member_id)
    r = redeem.redeem_gift(a, staff_id=CASHIER_ID, member_id=m.member_id, gift_id="GIFT-TEABAG",
                           member_pin=MEMBER_PIN, approver_pin=MANAGER_PIN, hand_over=True)
    sync_once(a.db)
    fetch_at(b, m.phone, m.member_id)
    redeem.cancel_redemption(a, staff_id=MANAGER_ID, redemption_id=r.redemption_id, approver_pin=MANAGER_PIN,
                             reason="客户取消")
    _settle(a, b)
    assert local_balances(b, m.member_id) == hq_balances(hq, m.member_id) == local_balances(a, m.member_id) == {
        f"member:{m.member_id}:consumer": 804}
    _ledgers_ok(hq, m.member_id, a, b)


def test_a_snapshot_lot_carries_its_grant_when_hq_sends_it(store_template, tmp_path):
    """A snapshot lot with a sixth field (its grant: HQ's lots.amount) has room for a give-back at once,
    without a second fetch; a lot without it keeps room for what it holds; a later snapshot holding more
    in a lot than the copy was granted grows the copy."""
    from datetime import timedelta

    from pos_app.services.context import utcnow
    from pos_app.services.setup import open_store
    from pos_app.store import ledger_repo
    from pos_app.sync import remote_events
    from pos_app.sync.wire import MemberLookup

    shutil.copyfile(store_template, tmp_path / "store.sqlite3")
    ctx = open_store(tmp_path)
    try:
        now, acct = utcnow(), "member:m-1:consumer"
        times = [now.isoformat(), (now + timedelta(days=365)).isoformat()]
        with ctx.db.write() as conn:
            remote_events.apply_snapshot(conn, MemberLookup(
                member={"member_id": "m-1"}, balances={acct: 6},
                lots=[["lot-a", acct, 4, *times, 804], ["lot-b", acct, 2, *times]], as_of_hq_seq=5), now)
            give_back = {"event_id": "e-1", "kind": "reverse", "store_id": "s-x", "device_id": "d-x",
                         "device_time": now.isoformat(), "member_id": "m-1", "hq_seq": 6,
                         "payload": {"postings": [["store:s-x:redeemed", -800], [acct, 800]],
                                     "lots": [["lot-a", -800]]}}
            assert remote_events.apply_event(conn, give_back)
            assert ledger_repo.lot_mismatches(conn) == []
            lots = dict(conn.execute(select(T.lots.c.lot_id, T.lots.c.amount)).all())
            assert lots == {"lot-a": 804, "lot-b": 2}
            remote_events.apply_snapshot(conn, MemberLookup(
                member={"member_id": "m-1"}, balances={acct: 1004},
                lots=[["lot-a", acct, 804, *times], ["lot-b", acct, 200, *times]], as_of_hq_seq=7), now)
            assert ledger_repo.lot_mismatches(conn) == []
            lots = dict(conn.execute(select(T.lots.c.lot_id, T.lots.c.amount)).all())
            assert lots == {"lot-a": 804, "lot-b": 200}
    finally:
        ctx.db.close()


def test_a_double_spend_cancelled_at_one_store_after_the_other_stores_cancel_arrived(hq, make_store):
    """As above, but B cancels its cup after it has pulled A's cancel: the lot B gives back into is full."""
    a, b, m, cups = _double_spent_cups(make_store)
    redeem.cancel_redemption(a, staff_id=MANAGER_ID, redemption_id=cups[0].redemption_id, approver_pin=MANAGER_PIN,
                             reason="客户取消")
    _settle(a, b)
    redeem.cancel_redemption(b, staff_id=MANAGER_ID, redemption_id=cups[1].redemption_id, approver_pin=MANAGER_PIN,
                             reason="客户取消")
    _settle(b, a)
    assert local_balances(b, m.member_id) == hq_balances(hq, m.member_id) == local_balances(a, m.member_id) == {
        f"member:{m.member_id}:consumer": 804}
    _ledgers_ok(hq, m.member_id, a, b)


def _ledgers_ok(hq, member_id: str, *stores) -> None:
    view = HQView(hq.db_url)
    try:
        assert [p for p in view.ledger_problems() if member_id in p] == []
    finally:
        view.close()
    for s in stores:
        local_ledger_ok(s)
