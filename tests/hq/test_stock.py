"""Gift stock per location at HQ (hq_server.programme.stock, through its admin API), on SQLite and
PostgreSQL: allot, move, every location's count, the pull items the stores get, and refusals that
change nothing."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx

from pos_app.domain import entries as E
from pos_app.domain import ledger as L
from pos_app.domain.ids import new_id
from pos_app.domain.ledger import Kind
from pos_app.domain.lots import Lot
from tests.hq.test_login_security import PASSWORD, bearer, login, new_user
from tests.hq.wire_events import FakeDevice, now


def gift(hq) -> str:
    gift_id = f"G-{uuid.uuid4().hex[:8]}"
    assert hq.admin("PUT", f"/catalog/gift/{gift_id}", json={"name": "杯", "points_cost": 50}).status_code == 200
    return gift_id


def levels(hq, gift_id: str) -> dict[str, int]:
    r = hq.admin("GET", "/stock", params={"gift_id": gift_id})
    assert r.status_code == 200, r.text
    return {level["location"]: level["qty"] for level in r.json()}


def test_hq_allots_and_moves_stock_and_each_store_pulls_only_its_own_count(hq, store_id):
    a, b = FakeDevice(hq, store_id), FakeDevice(hq, f"{store_id}-b")
    g = gift(hq)
    _, a_cursor = a.pull_all()
    _, b_cursor = b.pull_all()
    r = hq.admin("POST", "/stock/allot", json={"gift_id": g, "location": "hq", "qty": 10, "note": "delivery 7"})
    assert r.status_code == 200 and r.json()["qty"] == 10
    r = hq.admin("POST", "/stock/move", json={"gift_id": g, "from_location": "hq", "to_location": store_id, "qty": 6})
    assert r.status_code == 200 and [x["qty"] for x in r.json()] == [4, 6]
    r = hq.admin("POST", "/stock/move", json={"gift_id": g, "from_location": store_id,
                                             "to_location": f"{store_id}-b", "qty": 2})
    assert r.status_code == 200
    assert levels(hq, g) == {"hq": 4, store_id: 4, f"{store_id}-b": 2}
    assert list(levels(hq, g))[0] == "hq"  # the warehouse first
    a_items, _ = a.pull_all(a_cursor)
    b_items, _ = b.pull_all(b_cursor)
    a_stock = [i["data"] for i in a_items if i["type"] == "stock"]
    b_stock = [i["data"] for i in b_items if i["type"] == "stock"]
    assert [(d["location"], d["qty"]) for d in a_stock] == [(store_id, 6), (store_id, 4)]
    assert [(d["location"], d["qty"]) for d in b_stock] == [(f"{store_id}-b", 2)]
    assert all(d["gift_id"] == g and isinstance(d["as_of"], int) for d in a_stock + b_stock)
    assert a_stock[0]["as_of"] < a_stock[1]["as_of"]


def hold(dev: FakeDevice, member_id: str, earn: dict, gift_id: str, qty: int, points: int) -> dict:
    """A till's redemption held for pickup, taking its points from the earn's lot, its unit from stock."""
    lot = Lot(FakeDevice.lot_of(earn), L.member_account(member_id), 500, now() - timedelta(days=1),
              now() + timedelta(days=300))
    entry = E.spend(Kind.REDEEM_HOLD, member_id=member_id, lots=[lot], points=points,
                    to_account=L.suspense(dev.store_id), now=now(),
                    payload={"redemption_id": new_id(), "gift_id": gift_id, "qty": qty, "stock": -qty})
    return dev.event(entry)


def statuses(r) -> list[str]:
    assert r.status_code == 200, r.text
    return [a["status"] for a in r.json()["answers"]]


def test_a_tills_redemption_moves_its_stores_count_once_however_often_it_is_pushed(hq, store_id):
    dev = FakeDevice(hq, store_id)
    g = gift(hq)
    hq.admin("POST", "/stock/allot", json={"gift_id": g, "location": store_id, "qty": 3})
    m = new_id()
    reg, earn = dev.register(m, "13600000011"), dev.earn(m, 500)
    held = hold(dev, m, earn, g, 2, 100)
    assert statuses(dev.push([reg, earn, held])) == ["ok", "ok", "ok"]
    assert statuses(dev.push([held])) == ["exists"]
    assert levels(hq, g) == {store_id: 1}
    # a store HQ never stocked with the gift keeps its own count: nothing moves at HQ
    other = FakeDevice(hq, f"{store_id}-x")
    m2 = new_id()
    reg2, earn2 = other.register(m2, "13600000012"), other.earn(m2, 500)
    assert statuses(other.push([reg2, earn2, hold(other, m2, earn2, g, 1, 50)])) == ["ok", "ok", "ok"]
    assert levels(hq, g) == {store_id: 1}


def test_refusals_change_nothing(hq, store_id):
    hq.create_store(store_id)
    g = gift(hq)
    hq.admin("POST", "/stock/allot", json={"gift_id": g, "location": store_id, "qty": 2})
    before = levels(hq, g)
    bad = [
        ("/stock/allot", {"gift_id": "NO-SUCH-GIFT", "location": "hq", "qty": 1}, "gift_id"),
        ("/stock/allot", {"gift_id": g, "location": "no-such-store", "qty": 1}, "location"),
        ("/stock/allot", {"gift_id": g, "location": store_id, "qty": 0}, "qty"),
        ("/stock/allot", {"gift_id": g, "location": store_id, "qty": -3}, "holds 2"),
        ("/stock/move", {"gift_id": g, "from_location": store_id, "to_location": "hq", "qty": 3}, "holds 2"),
        ("/stock/move", {"gift_id": g, "from_location": store_id, "to_location": store_id, "qty": 1}, "different"),
        ("/stock/move", {"gift_id": g, "from_location": "hq", "to_location": store_id, "qty": 1}, "holds 0"),
    ]
    for path, body, says in bad:
        r = hq.admin("POST", path, json=body)
        assert r.status_code == 422 and says in r.json()["message"], (body, r.text)
    r = hq.admin("POST", "/stock/allot", json={"gift_id": g, "location": store_id, "qty": 1, "colour": "red"})
    assert r.status_code == 422
    assert levels(hq, g) == before


def test_a_store_manager_works_on_their_own_stores_stock_only(hq, store_id):
    hq.create_store(store_id)
    hq.create_store(f"{store_id}-b")
    g = gift(hq)
    hq.admin("POST", "/stock/allot", json={"gift_id": g, "location": store_id, "qty": 5})
    token = login(hq, new_user(hq, "store_manager", store_id), PASSWORD).json()["token"]

    def post(path: str, body: dict) -> httpx.Response:
        return httpx.post(hq.url + "/api/v1/admin/stock" + path, json=body, headers=bearer(token), timeout=30)

    assert post("/move", {"gift_id": g, "from_location": store_id, "to_location": f"{store_id}-b", "qty": 1}
                ).status_code == 200
    assert post("/move", {"gift_id": g, "from_location": f"{store_id}-b", "to_location": store_id, "qty": 1}
                ).status_code == 403
    assert post("/allot", {"gift_id": g, "location": "hq", "qty": 1}).status_code == 403
    finance = login(hq, new_user(hq, "finance"), PASSWORD).json()["token"]
    assert httpx.post(hq.url + "/api/v1/admin/stock/allot", json={"gift_id": g, "location": "hq", "qty": 1},
                      headers=bearer(finance), timeout=30).status_code == 403
    assert levels(hq, g) == {store_id: 4, f"{store_id}-b": 1}
