"""Coupons at any store, each used once chain-wide (DESIGN.md 11, rule 10), with real tills over a real
HQ on SQLite and PostgreSQL: a coupon bought at one store's counter, one HQ gave a member free, and a
general coupon HQ handed out, each taken at another store offline; the same coupon taken at two
stores before either syncs is costed to the member (or, free, is the chain's loss)."""

from __future__ import annotations

import uuid

import pytest

from hq_server.db import Database
from hq_server.programme import chain_codes as hq_codes
from hq_server.programme.audit import Actor
from hq_server.programme.coupons import issue_coupon
from hq_server.roles import StaffRole
from pos_app.domain import ledger as L
from pos_app.domain.problems import Refused
from pos_app.services import chain_coupons, checkout, points, refunds
from pos_app.services.demo import CASHIER_ID, MANAGER_ID
from pos_app.sync.cycle import client_for, sync_once
from pos_app.sync.lookup import find_or_fetch
from tests.hq.wire_events import now
from tests.sync.conftest import SEED_PIN, hq_balances, local_balances, local_ledger_ok, member_ids
from tests.sync.multistore import HQView

OPERATOR = Actor("op-coupons", StaffRole.OPERATOR)
SALE = [("TEA-PUER", 1)]  # 268.00


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


def coupon_type(hq, points_cost: int = 50) -> str:
    type_id = f"CT-{uuid.uuid4().hex[:8]}"
    r = hq.admin("PUT", f"/catalog/coupon_type/{type_id}", json={"name": "减5元", "points_cost": points_cost,
                                                                 "kind": "amount", "value": 500})
    assert r.status_code == 200, r.text
    return type_id


def sell(till, member_id: str | None, coupons: list[str]):
    return checkout.checkout(till, staff_id=CASHIER_ID, items=SALE, member_id=member_id, coupons=coupons)


def refused(fn, *args) -> tuple[str, ...]:
    with pytest.raises(Refused) as err:
        fn(*args)
    return err.value.codes


def conflicts(hq, kind: str) -> list[dict]:
    return [c for c in hq.admin("GET", "/conflicts", params={"limit": 1000}).json() if c["kind"] == kind]


def points_coupons(till, member_id: str):
    from pos_app.store import repos
    with till.db.read() as conn:
        return repos.member_coupons(conn, member_id)


def fetch(till, member_id: str) -> None:
    assert find_or_fetch(till.db, client_for(till.db), member_id) == member_id


def test_a_coupon_bought_at_one_store_is_taken_at_another_offline_once(hq, make_store):
    a, b = make_store("a"), make_store("b")
    ctype = coupon_type(hq)
    for till in (a, b, a):
        sync_once(till.db)
    m = member_ids(a)[0]
    fetch(b, m)
    bought = points.buy_coupon(a, staff_id=CASHIER_ID, member_id=m, type_id=ctype, member_pin=SEED_PIN)
    assert bought.qr.startswith("PM1:C:")
    assert chain_coupons.coupon_qr(a, bought.code) == bought.qr
    # B, offline, takes it from its owner only: the sale's discount is the coupon's, and a second time no more
    assert "coupon.not_owner" in refused(sell, b, member_ids(b)[0], [bought.qr])
    sale = sell(b, m, [bought.qr])
    assert sale.quote.coupon_fen == {bought.code: 500}
    assert "coupon.used" in refused(sell, b, m, [bought.qr])
    sync_once(b.db)
    sync_once(a.db)
    # A learned of the use: its own coupon is refused, typed or scanned, and listed as used
    assert [c.status for c in points_coupons(a, m) if c.code == bought.code] == ["used"]
    assert "coupon.used" in refused(sell, a, m, [bought.code])
    assert "coupon.used" in refused(sell, a, m, [bought.qr])
    assert not [c for c in conflicts(hq, "coupon_used_twice") if c["detail"]["coupon"] == bought.code]


def test_one_coupon_taken_at_two_stores_offline_the_second_is_costed_to_the_member(hq, view, make_store):
    a, b = make_store("a"), make_store("b")
    ctype = coupon_type(hq, points_cost=50)
    for till in (a, b, a):
        sync_once(till.db)
    m = member_ids(a)[0]
    fetch(b, m)
    bought = points.buy_coupon(a, staff_id=CASHIER_ID, member_id=m, type_id=ctype, member_pin=SEED_PIN)
    sync_once(a.db)
    sell(a, m, [bought.code])  # both offline from here
    sell(b, m, [bought.qr])
    for till in (a, b, a, b):
        sync_once(till.db)
    twice = [c for c in conflicts(hq, "coupon_used_twice") if c["detail"]["coupon"] == bought.code]
    assert len(twice) == 1 and twice[0]["status"] == "open" and twice[0]["store_id"] == b.who.store_id
    assert twice[0]["detail"]["points"] == 50 and "loss_fen" not in twice[0]["detail"]
    balances = hq_balances(hq, m)
    assert balances.get(L.debt_account(m)) == -50
    for till in (a, b):
        assert local_balances(till, m) == balances
        local_ledger_ok(till)
    assert view.ledger_problems() == []


def test_a_free_coupon_hq_gave_works_at_any_store_and_a_second_use_is_the_chains_loss(hq, hq_db, make_store):
    a, b = make_store("a"), make_store("b")
    ctype = coupon_type(hq)
    m = member_ids(a)[0]
    for till in (a, b):
        sync_once(till.db)
    given = issue_coupon(hq_db, member_id=m, type_id=ctype, staff="cs-li", now=now())
    qr = hq_codes.coupon_qr(hq_db, code=given.code, member_id=m, now=now())
    with pytest.raises(Exception) as not_hers:
        hq_codes.coupon_qr(hq_db, code=given.code, member_id=str(uuid.uuid4()), now=now())
    assert getattr(not_hers.value, "status", None) == 404
    for till in (a, b):
        sync_once(till.db)  # HQ's key reaches every till
    fetch(b, m)
    sell(a, m, [qr])  # both offline from here
    sell(b, m, [qr])
    for till in (a, b, a):
        sync_once(till.db)
    twice = [c for c in conflicts(hq, "coupon_used_twice") if c["detail"]["coupon"] == given.code]
    assert len(twice) == 1 and twice[0]["detail"]["loss_fen"] == 500 and twice[0]["detail"]["points"] == 0
    assert L.debt_account(m) not in hq_balances(hq, m)


def test_a_general_coupon_works_in_any_sale_and_a_refund_gives_it_back_chain_wide(hq, hq_db, make_store):
    a, b = make_store("a"), make_store("b")
    ctype = coupon_type(hq)
    (general,) = hq_codes.issue_general_coupons(hq_db, OPERATOR, type_id=ctype, count=1, now=now())
    for till in (a, b):
        sync_once(till.db)
    sale = sell(a, None, [general.qr])  # no member needed
    assert sale.quote.coupon_fen == {general.code: 500}
    sync_once(a.db)
    sync_once(b.db)
    assert "coupon.used" in refused(sell, b, None, [general.qr])
    refunds.refund(a, staff_id=MANAGER_ID, sale=sale.sale_id, reason="returned", approver_pin="9999")
    sync_once(a.db)
    sync_once(b.db)
    assert sell(b, None, [general.qr]).quote.coupon_fen == {general.code: 500}
    assert not [c for c in conflicts(hq, "coupon_used_twice") if c["detail"]["coupon"] == general.code]
