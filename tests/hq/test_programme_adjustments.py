"""Customer service's adjustments at HQ (hq_server.programme.adjustments) and coupons HQ issues to
members (hq_server.programme.coupons): ledger events of HQ's online device that the member's tills
pull; above the threshold a second person approves. Over a real HQ, on SQLite and PostgreSQL."""

from __future__ import annotations

import secrets

import httpx
import pytest

from pos_app.domain import ledger as L
from pos_app.domain.ids import new_id
from tests.hq.wire_events import FakeDevice

PASSWORD = "a good long password"


class User:
    """One of HQ's staff, signed in."""

    def __init__(self, hq, role: str):
        self.hq, self.name = hq, f"{role[:4]}-{secrets.token_hex(4)}"
        assert hq.admin("PUT", f"/users/{self.name}", json={"role": role, "password": PASSWORD}).status_code == 200
        r = httpx.post(hq.url + "/api/v1/admin/login", json={"username": self.name, "password": PASSWORD},
                       headers={"X-Forwarded-For": f"10.9.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"})
        assert r.status_code == 200, r.text
        self.headers = {"Authorization": f"Bearer {r.json()['token']}"}

    def __call__(self, method: str, path: str, **kw) -> httpx.Response:
        return httpx.request(method, self.hq.url + "/api/v1/admin" + path, headers=self.headers, timeout=30, **kw)


@pytest.fixture
def member(hq, store_id):
    """A member registered at a till, 50 points earned there; the till's device."""
    dev = FakeDevice(hq, store_id)
    m = new_id()
    assert dev.push([dev.register(m, f"139{secrets.randbelow(10**8):08d}"), dev.earn(m, 50)]).status_code == 200
    return m, dev


def test_an_adjustment_within_the_threshold_is_applied_at_once_and_reaches_the_till(hq, member, ledger):
    m, dev = member
    _, cursor = dev.pull_all()
    cs = User(hq, "customer_service")
    r = cs("POST", "/adjustments", json={"member_id": m, "points": 30, "reason": "丢失小票 lost receipt"})
    assert r.status_code == 201, r.text
    a = r.json()
    assert a["status"] == "applied" and a["requested_by"] == cs.name and a["event_id"]
    assert ledger.balance(L.member_account(m)) == 80
    r = cs("POST", "/adjustments", json={"member_id": m, "points": -20, "reason": "double entry"})
    assert r.status_code == 201 and r.json()["status"] == "applied"
    assert ledger.balance(L.member_account(m)) == 60 and ledger.problems() == []
    items, _ = dev.pull_all(cursor)
    pulled = {i["key"]: i["data"] for i in items if i["type"] == "event"}
    assert pulled[a["event_id"]]["kind"] == "adjust"
    assert pulled[a["event_id"]]["payload"]["reason"] == "丢失小票 lost receipt"
    assert pulled[a["event_id"]]["payload"]["requested_by"] == cs.name
    assert [x["points"] for x in cs("GET", "/adjustments", params={"member_id": m}).json()] == [-20, 30]


@pytest.mark.parametrize("body, status, code", [
    ({"points": 0, "reason": "x"}, 422, "invalid_body"),
    ({"points": 10, "reason": ""}, 422, "invalid_body"),
    ({"points": 10, "reason": "  "}, 422, "invalid_body"),
    ({"points": 10.5, "reason": "x"}, 422, "invalid_body"),
    ({"points": -51, "reason": "more than the member holds"}, 409, "points_insufficient"),
    ({"points": 100_001, "reason": "beyond the rules' max_adjust_points"}, 422, "invalid_body"),
])
def test_a_bad_adjustment_is_refused_and_changes_nothing(hq, member, ledger, body, status, code):
    m, _ = member
    cs = User(hq, "customer_service")
    r = cs("POST", "/adjustments", json={"member_id": m, **body})
    assert (r.status_code, r.json()["code"]) == (status, code), r.text
    assert ledger.balance(L.member_account(m)) == 50
    assert cs("GET", "/adjustments", params={"member_id": m}).json() == []


def test_only_customer_service_adjusts_and_an_unknown_member_is_a_404(hq, member):
    m, _ = member
    assert User(hq, "operator")("POST", "/adjustments", json={"member_id": m, "points": 5,
                                                              "reason": "x"}).status_code == 403
    r = User(hq, "customer_service")("POST", "/adjustments", json={"member_id": new_id(), "points": 5,
                                                                   "reason": "x"})
    assert r.status_code == 404 and r.json()["code"] == "member_unknown"


def test_above_the_threshold_a_second_person_approves(hq, member, ledger):
    m, _ = member
    first, second = User(hq, "customer_service"), User(hq, "customer_service")
    assert hq.admin("PUT", "/adjustment-threshold", json={"points": 100}).json() == {"points": 100}
    try:
        r = first("POST", "/adjustments", json={"member_id": m, "points": 500, "reason": "会员投诉 goodwill"})
        assert r.status_code == 201 and r.json()["status"] == "pending" and r.json()["event_id"] is None
        a = r.json()["adjustment_id"]
        assert ledger.balance(L.member_account(m)) == 50  # nothing moves while it waits
        assert a in [x["adjustment_id"] for x in second("GET", "/adjustments", params={"status": "pending"}).json()]
        r = first("POST", f"/adjustments/{a}/approve")
        assert (r.status_code, r.json()["code"]) == (409, "second_person")
        r = second("POST", f"/adjustments/{a}/approve")
        assert r.status_code == 200 and r.json()["status"] == "applied" and r.json()["decided_by"] == second.name
        assert ledger.balance(L.member_account(m)) == 550
        assert second("POST", f"/adjustments/{a}/approve").json()["code"] == "not_pending"
        assert ledger.balance(L.member_account(m)) == 550
        # turned down: a note, and no point moves
        b = first("POST", "/adjustments", json={"member_id": m, "points": -400, "reason": "fraud?"}).json()
        assert b["status"] == "pending"
        assert second("POST", f"/adjustments/{b['adjustment_id']}/refuse", json={"note": ""}).status_code == 422
        r = second("POST", f"/adjustments/{b['adjustment_id']}/refuse", json={"note": "no evidence"})
        assert r.json()["status"] == "refused" and r.json()["note"] == "no evidence"
        assert second("POST", f"/adjustments/{b['adjustment_id']}/approve").json()["code"] == "not_pending"
        assert ledger.balance(L.member_account(m)) == 550 and ledger.problems() == []
    finally:
        hq.admin("PUT", "/adjustment-threshold", json={"points": 1000})


def test_hq_issues_coupons_free_or_paid_and_the_till_is_told(hq, member, ledger, store_id):
    m, dev = member
    _, cursor = dev.pull_all()
    type_id = f"TEN-{store_id}"
    assert hq.admin("PUT", f"/catalog/coupon_type/{type_id}", json={
        "name": "10元券", "points_cost": 40, "kind": "amount", "value": 1000, "valid_days": 10}).status_code == 200
    cs = User(hq, "customer_service")
    r = cs("POST", f"/members/{m}/coupons", json={"type_id": type_id})
    assert r.status_code == 201, r.text
    free = r.json()
    assert free["points"] == 0 and free["code"].startswith("H") and ledger.balance(L.member_account(m)) == 50
    paid = cs("POST", f"/members/{m}/coupons", json={"type_id": type_id, "paid": True}).json()
    assert paid["points"] == 40 and ledger.balance(L.member_account(m)) == 10
    r = cs("POST", f"/members/{m}/coupons", json={"type_id": type_id, "paid": True})
    assert (r.status_code, r.json()["code"]) == (409, "points_insufficient")
    r = cs("POST", f"/members/{m}/coupons", json={"type_id": "NO-SUCH-TYPE"})
    assert (r.status_code, r.json()["code"]) == (404, "coupon_type_unknown")
    assert sorted(c["code"] for c in cs("GET", f"/members/{m}/coupons").json()) == sorted([free["code"],
                                                                                          paid["code"]])
    items, _ = dev.pull_all(cursor)
    told = [i["data"]["payload"] for i in items if i["type"] == "event" and i["data"]["kind"] == "redeem_post"]
    assert [(p["coupon"], p["points"]) for p in told] == [(free["code"], 0), (paid["code"], 40)]
    assert ledger.problems() == []
