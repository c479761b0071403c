"""Pickup codes at any store, each used once chain-wide (DESIGN.md 11, rule 10), with real tills over a
real HQ on SQLite and PostgreSQL.

A gift held at store A is collected at store B, offline: B verifies A's signature with the device
key it pulled, hands the gift over from its own stock, and HQ moves the points out of A's suspense
and frees A's unit. The same code used at both stores before either syncs: the first by hq_seq
stands, the second is kept, costed to the member as debt and shown to HQ as a conflict.
"""

from __future__ import annotations

import uuid

import pytest

from hq_server.db import Database
from hq_server.programme import stock
from hq_server.programme.audit import Actor
from hq_server.roles import StaffRole
from pos_app.domain import ledger as L
from pos_app.domain.problems import Refused
from pos_app.services import redeem
from pos_app.services.demo import CASHIER_ID
from pos_app.sync.cycle import client_for, sync_once
from pos_app.sync.lookup import find_or_fetch
from tests.hq.wire_events import now
from tests.sync.conftest import SEED_PIN, hq_balances, local_balances, local_ledger_ok, member_ids
from tests.sync.multistore import HQView

OPERATOR = Actor("op-pickups", StaffRole.OPERATOR)


@pytest.fixture
def hq_db(hq):
    db = Database(hq.db_url)
    yield db
    db.dispose()


@pytest.fixture
def view(hq):
    v = HQView(hq.db_url)
    yield v
    v.close()


def stocked_gift(hq, hq_db, stores: dict[str, int], points: int = 100) -> str:
    gift_id = f"G-{uuid.uuid4().hex[:8]}"
    assert hq.admin("PUT", f"/catalog/gift/{gift_id}", json={"name": "保温杯", "points_cost": points}).status_code == 200
    for store_id, qty in stores.items():
        stock.allot_stock(hq_db, OPERATOR, gift_id=gift_id, location=store_id, qty=qty, now=now())
    return gift_id


def held_at(till, member_id: str, gift_id: str) -> redeem.Redemption:
    return redeem.redeem_gift(till, staff_id=CASHIER_ID, member_id=member_id, gift_id=gift_id, member_pin=SEED_PIN,
                              hand_over=False)


def count(till, gift_id: str) -> int:
    from tests.sync.test_stock_per_location import till_stock
    return till_stock(till, gift_id)


def hq_count(hq_db, gift_id: str) -> dict[str, int]:
    return {s.location: s.qty for s in stock.stock_by_location(hq_db, gift_id=gift_id)}


def conflicts(hq, kind: str, member_id: str) -> list[dict]:
    return [c for c in hq.admin("GET", "/conflicts", params={"limit": 1000}).json()
            if c["kind"] == kind and c["member_id"] == member_id]


def converge(*tills) -> None:
    for _ in range(2):
        for till in tills:
            sync_once(till.db)


def test_a_gift_held_at_one_store_is_collected_at_another_offline(hq, hq_db, view, make_store):
    a, b = make_store("a"), make_store("b")
    gift = stocked_gift(hq, hq_db, {a.who.store_id: 2, b.who.store_id: 2})
    converge(a, b)  # each till sends its signing key, and pulls the other's and the stock
    m = member_ids(a)[0]
    held = held_at(a, m, gift)
    assert count(a, gift) == 1
    sync_once(a.db)  # the hold reaches HQ; B has A's key from before
    # B is offline from here: it hands over from its own stock, moving no points
    got = redeem.pickup_redemption(b, held.pickup_code)
    assert (got.gift_id, got.qty, got.status) == (gift, 1, "held")
    done = redeem.write_off_pickup(b, staff_id=CASHIER_ID, pickup_code=held.pickup_code)
    assert done.status == "picked_up" and count(b, gift) == 1
    with pytest.raises(Refused) as again:
        redeem.write_off_pickup(b, staff_id=CASHIER_ID, pickup_code=held.pickup_code)
    assert again.value.codes == ("pickup.closed",)
    converge(b, a)
    # HQ moved the points out of A's suspense into A's redeemed, and freed A's unit
    assert view.accounts(a.who.store_id).get(L.suspense(a.who.store_id), 0) == 0
    assert hq_count(hq_db, gift) == {a.who.store_id: 2, b.who.store_id: 1}
    assert (count(a, gift), count(b, gift)) == (2, 1)
    # A learned it was collected: its row is closed, and A refuses the code too
    assert redeem.member_redemptions(a, m)[0].status == "picked_up"
    with pytest.raises(Refused) as at_a:
        redeem.write_off_pickup(a, staff_id=CASHIER_ID, pickup_code=held.pickup_code)
    assert at_a.value.codes == ("pickup.closed",)
    assert local_balances(a, m) == hq_balances(hq, m)
    for till in (a, b):
        local_ledger_ok(till)
    assert view.ledger_problems() == []


@pytest.mark.parametrize("first", ["a", "b"])
def test_one_code_collected_at_two_stores_offline_the_second_is_costed_to_the_member(hq, hq_db, view, make_store,
                                                                                     first):
    """Rule 10: whichever reaches HQ first stands; the second handover is kept, the member owes the
    redemption's points (debt), HQ flags the member and opens a conflict; stock and ledgers converge."""
    a, b = make_store("a"), make_store("b")
    gift = stocked_gift(hq, hq_db, {a.who.store_id: 3, b.who.store_id: 3}, points=100)
    converge(a, b)
    m = member_ids(a)[0]
    assert find_or_fetch(b.db, client_for(b.db), m) == m
    held = held_at(a, m, gift)
    sync_once(a.db)
    # both offline: A hands over its own held gift, B hands over the same code
    redeem.write_off_pickup(a, staff_id=CASHIER_ID, pickup_code=held.pickup_code)
    redeem.write_off_pickup(b, staff_id=CASHIER_ID, pickup_code=held.pickup_code)
    order = (a, b) if first == "a" else (b, a)
    for till in order:
        sync_once(till.db)
    converge(a, b)
    twice = conflicts(hq, "pickup_used_twice", m)
    assert len(twice) == 1 and twice[0]["status"] == "open" and twice[0]["detail"]["points"] == 100
    assert twice[0]["store_id"] == order[1].who.store_id
    balances = hq_balances(hq, m)
    assert balances.get(L.debt_account(m)) == -100
    assert hq.admin("GET", f"/members/{m}").json()["risk_flag"].startswith("pickup")
    # two units left the chain: one at each store
    assert hq_count(hq_db, gift) == {a.who.store_id: 2, b.who.store_id: 2}
    assert (count(a, gift), count(b, gift)) == (2, 2)
    assert view.accounts(a.who.store_id).get(L.suspense(a.who.store_id), 0) == 0
    for till in (a, b):
        assert local_balances(till, m) == balances
        local_ledger_ok(till)
    assert view.ledger_problems() == []


def test_a_void_at_the_holding_store_after_a_handover_elsewhere_is_costed(hq, hq_db, view, make_store):
    a, b = make_store("a"), make_store("b")
    gift = stocked_gift(hq, hq_db, {a.who.store_id: 2, b.who.store_id: 2})
    converge(a, b)
    m = member_ids(a)[0]
    held = held_at(a, m, gift)
    sync_once(a.db)
    redeem.write_off_pickup(b, staff_id=CASHIER_ID, pickup_code=held.pickup_code)
    sync_once(b.db)
    # A, offline since, voids it: the member gets the points back, though B handed the gift over
    redeem.cancel_redemption(a, staff_id=CASHIER_ID, redemption_id=held.redemption_id, approver_pin="9999",
                             reason="changed mind")
    converge(a, b)
    assert len(conflicts(hq, "pickup_voided_after_use", m)) == 1
    assert hq_balances(hq, m).get(L.debt_account(m)) == -100
    assert hq_count(hq_db, gift) == {a.who.store_id: 2, b.who.store_id: 1}
    assert (count(a, gift), count(b, gift)) == (2, 1)
    assert view.accounts(a.who.store_id).get(L.suspense(a.who.store_id), 0) == 0
    assert local_balances(a, m) == hq_balances(hq, m)
    assert view.ledger_problems() == []


def test_an_online_order_is_picked_up_at_the_stores_till_offline(hq, hq_db, view, make_store):
    """The mall's pickup order (hq_server.programme.orders): HQ reserves the unit at the chosen store and
    signs the pickup code with its own key; the store's till hands it over offline, HQ redeems the points."""
    from hq_server.programme import orders
    a = make_store("a")
    gift = stocked_gift(hq, hq_db, {a.who.store_id: 3})
    sync_once(a.db)
    m = member_ids(a)[0]
    placed = orders.place_order(hq_db, member_id=m, gift_id=gift, qty=1, mode="pickup", store_id=a.who.store_id,
                                idempotency_key=uuid.uuid4().hex, now=now())
    sync_once(a.db)  # HQ's key, the store's new count (one reserved) and the hold
    assert count(a, gift) == 2
    done = redeem.write_off_pickup(a, staff_id=CASHIER_ID, pickup_code=placed.pickup_code)
    assert (done.gift_id, done.status) == (gift, "picked_up") and count(a, gift) == 2
    sync_once(a.db)
    got = orders.order(hq_db, placed.order_id, member_id=m)
    assert (got.status, got.collected_at, got.pickup_code) == ("picked_up", a.who.store_id, None)
    assert len(conflicts(hq, "pickup_collected", m)) == 1
    with pytest.raises(Exception) as late:
        orders.cancel_order(hq_db, placed.order_id, member_id=m, now=now())
    assert getattr(late.value, "status", None) == 409
    assert hq_count(hq_db, gift) == {a.who.store_id: 2} and count(a, gift) == 2
    assert local_balances(a, m) == hq_balances(hq, m)
    local_ledger_ok(a)
    assert view.ledger_problems() == []


def test_an_order_cancelled_in_the_mall_while_the_store_hands_it_over_offline_is_costed(hq, hq_db, view, make_store):
    """Rule 10: the mall's cancel (first at HQ) gave the points back, the offline till's handover (second)
    stands: the member owes the points, and the unit the cancel put back is gone from the store's count."""
    from hq_server.programme import orders
    a = make_store("a")
    gift = stocked_gift(hq, hq_db, {a.who.store_id: 3})
    sync_once(a.db)
    m = member_ids(a)[0]
    placed = orders.place_order(hq_db, member_id=m, gift_id=gift, qty=1, mode="pickup", store_id=a.who.store_id,
                                idempotency_key=uuid.uuid4().hex, now=now())
    sync_once(a.db)
    redeem.write_off_pickup(a, staff_id=CASHIER_ID, pickup_code=placed.pickup_code)  # offline
    assert orders.cancel_order(hq_db, placed.order_id, member_id=m, now=now()).status == "cancelled"
    converge(a)
    assert len(conflicts(hq, "pickup_used_twice", m)) == 1
    assert hq_balances(hq, m).get(L.debt_account(m)) == -100
    assert hq_count(hq_db, gift) == {a.who.store_id: 2} and count(a, gift) == 2
    assert local_balances(a, m) == hq_balances(hq, m)
    assert view.ledger_problems() == []
