"""Two seams of HQ's merge that the four-till chaos run found (issue 12), through a real HQ on
SQLite and PostgreSQL:

- a member's debt repaid by two tills, each from its own view of it, before either syncs: HQ applied
  both and `debt:<member>` went positive, points the member held in no lot. The overshoot comes back
  to the member as a lot (docs/design-additions.md, section 6, rule 8);
- two tills spending from a member's lots in different orders of arrival: HQ covered a shortfall
  from another lot than a till did, and the till's lots stayed unlike HQ's for good (the balances
  agreed, so nothing fetched the member again). Lots converge lot by lot.
"""

from __future__ import annotations

from sqlalchemy import select

from pos_app.services import checkout, members, redeem
from pos_app.services.demo import CASHIER_ID
from pos_app.store import tables as T
from pos_app.sync.cycle import sync_once
from tests.sync.conftest import bare_stores, fetch_at, hq_balances, local_balances, local_ledger_ok, unique_phone
from tests.sync.multistore import HQView, lot_rows

MEMBER_PIN, MANAGER_PIN = "2468", "9999"


def _cup(store, member_id: str):
    return redeem.redeem_gift(store, staff_id=CASHIER_ID, member_id=member_id, gift_id="GIFT-CUP",
                              member_pin=MEMBER_PIN, approver_pin=MANAGER_PIN, hand_over=True)


def _earn_804(store, member_id: str):
    return checkout.checkout(store, staff_id=CASHIER_ID, items=[("TEA-PUER", 3)], member_id=member_id)


def local_lots(ctx, member_id: str) -> list[tuple]:
    lt = T.lots.c
    with ctx.db.read() as conn:
        return lot_rows(conn.execute(select(lt.lot_id, lt.account, lt.remaining, lt.expires_at).where(
            lt.account.like(f"member:{member_id}:%"), lt.remaining > 0)).all())


def hq_lots(hq, member_id: str) -> list[tuple]:
    view = HQView(hq.db_url)
    try:
        return view.lots(member_id)
    finally:
        view.close()


def _hq_problems(hq, member_id: str) -> list[str]:
    view = HQView(hq.db_url)
    try:
        return [p for p in view.ledger_problems() if member_id in p]
    finally:
        view.close()


def test_a_debt_repaid_at_two_tills_gives_the_overshoot_back_as_a_lot(hq, make_store):
    """M's 804 points pay for a cup (800) at A and at B before either syncs: HQ books 796 of debt, which
    both tills then learn. Each till sells M 804 points' worth while cut off from the other: each repays
    the 796 out of the earning and keeps 8. HQ held both repayments: debt:M at +796, and M's 812
    points (3 x 804 earned, 1,600 spent) were 16 in lots and 796 in no lot, never spendable."""
    a, b = bare_stores(make_store, "a", "b")
    m = members.register_member(a, staff_id=CASHIER_ID, phone=unique_phone(), name="张伟", member_pin=MEMBER_PIN)
    _earn_804(a, m.member_id)
    sync_once(a.db)
    fetch_at(b, m.phone, m.member_id)
    _cup(a, m.member_id)
    _cup(b, m.member_id)
    for s in (a, b, a):
        sync_once(s.db)
    debt, points = f"debt:{m.member_id}", f"member:{m.member_id}:consumer"
    assert hq_balances(hq, m.member_id) == local_balances(a, m.member_id) == local_balances(b, m.member_id) == {
        debt: -796}
    _earn_804(a, m.member_id)  # both tills repay the 796 they know of, and keep 8
    _earn_804(b, m.member_id)
    assert local_balances(a, m.member_id) == local_balances(b, m.member_id) == {points: 8}
    for s in (a, b, a, b):
        sync_once(s.db)
    assert hq_balances(hq, m.member_id) == {points: 812}  # was {debt: +796, points: 16}
    assert local_balances(a, m.member_id) == local_balances(b, m.member_id) == {points: 812}
    assert _hq_problems(hq, m.member_id) == []
    assert local_lots(a, m.member_id) == local_lots(b, m.member_id) == hq_lots(hq, m.member_id)
    for s in (a, b):
        local_ledger_ok(s)
    # the overshoot is the member's to spend at either till
    _cup(b, m.member_id)
    for s in (b, a):
        sync_once(s.db)
    assert hq_balances(hq, m.member_id) == local_balances(a, m.member_id) == {points: 12}


def test_lots_converge_lot_by_lot_when_hq_covers_a_shortfall_from_another_lot(hq, make_store):
    """M's first lot L0 (804) is known at A and B. B hands M a cup (800 from L0), then sells M a lot L2;
    later A hands M a cup too (800 from L0: a shortfall of 796 for whichever arrives second) and sells M
    a lot L1, L2 expiring first. A syncs first: at HQ, B's cup finds L0 at 4 and covers 796 from L1, the
    only other lot HQ holds then. B, pulling A's cup, covers the same shortfall from L2 (its soonest
    lot). Balances agree (812); B's lots were L1 804, L2 8 where HQ's are L1 8, L2 804."""
    a, b = bare_stores(make_store, "a", "b")
    m = members.register_member(a, staff_id=CASHIER_ID, phone=unique_phone(), name="张伟", member_pin=MEMBER_PIN)
    _earn_804(a, m.member_id)
    sync_once(a.db)
    fetch_at(b, m.phone, m.member_id)
    _cup(b, m.member_id)
    _earn_804(b, m.member_id)  # L2: earned first, expires first
    _cup(a, m.member_id)
    _earn_804(a, m.member_id)  # L1
    for s in (a, b, a, b):
        sync_once(s.db)
    points = f"member:{m.member_id}:consumer"
    assert hq_balances(hq, m.member_id) == local_balances(a, m.member_id) == local_balances(b, m.member_id) == {
        points: 812}
    assert local_lots(a, m.member_id) == hq_lots(hq, m.member_id)
    assert local_lots(b, m.member_id) == hq_lots(hq, m.member_id)  # was L1 804 / L2 8 against HQ's 8 / 804
    assert _hq_problems(hq, m.member_id) == []
    for s in (a, b):
        local_ledger_ok(s)
