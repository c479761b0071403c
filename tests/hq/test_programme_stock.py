"""Gift stock by location (hq_server.programme.stock): HQ receives into its warehouse, allots to
stores, each store pulls its own moves; HQ sees every location, the stores' redemptions counted. Over a
real HQ, on SQLite and PostgreSQL."""

from __future__ import annotations

from pos_app.domain import entries as E
from pos_app.domain import ledger as L
from pos_app.domain.ids import new_id
from pos_app.domain.ledger import Kind
from tests.hq.wire_events import FakeDevice


def levels(hq, gift_id: str) -> dict[str, int]:
    r = hq.admin("GET", "/stock", params={"gift_id": gift_id})
    assert r.status_code == 200, r.text
    return {s["location"]: s["quantity"] for s in r.json()}


def test_stock_belongs_to_a_location_and_each_store_is_told_its_own(hq, store_id):
    a, b = FakeDevice(hq, store_id), FakeDevice(hq, store_id + "-b")
    _, cursor_a = a.pull_all()
    _, cursor_b = b.pull_all()
    gift = f"CUP-{store_id}"
    assert hq.admin("PUT", f"/catalog/gift/{gift}", json={"name": "保温杯", "points_cost": 900}).status_code == 200
    r = hq.admin("PUT", f"/catalog/gift/{gift}", json={"name": "保温杯", "points_cost": 900, "stock": 10})
    assert r.status_code == 422 and r.json()["message"].startswith("stock:")  # no number copied to every till
    assert hq.admin("POST", "/stock/receive", json={"gift_id": gift, "qty": 10}).status_code == 201
    assert hq.admin("POST", "/stock/moves", json={"gift_id": gift, "from": "hq", "to": a.store_id,
                                                  "qty": 6}).status_code == 201
    assert hq.admin("POST", "/stock/moves", json={"gift_id": gift, "from": "hq", "to": b.store_id,
                                                  "qty": 4}).status_code == 201
    r = hq.admin("POST", "/stock/moves", json={"gift_id": gift, "from": "hq", "to": a.store_id, "qty": 1})
    assert (r.status_code, r.json()["code"]) == (409, "stock_short")
    assert levels(hq, gift) == {"hq": 0, a.store_id: 6, b.store_id: 4}
    items_a, _ = a.pull_all(cursor_a)
    items_b, _ = b.pull_all(cursor_b)
    assert [(i["data"]["gift_id"], i["data"]["delta"]) for i in items_a if i["type"] == "stock"] == [(gift, 6)]
    assert [(i["data"]["gift_id"], i["data"]["delta"]) for i in items_b if i["type"] == "stock"] == [(gift, 4)]
    # a redemption at store a (held, then one more voided) moves HQ's view of a's count
    m = new_id()
    earn = a.earn(m, 5000)
    lot = FakeDevice.lot_of(earn)
    hold = _hold(a, m, lot, gift, 2)
    assert a.push([a.register(m, "13712340000"), earn, hold]).status_code == 200
    assert levels(hq, gift)[a.store_id] == 4
    r = hq.admin("POST", "/stock/moves", json={"gift_id": gift, "from": a.store_id, "to": b.store_id, "qty": 5})
    assert r.status_code == 409  # a holds 4 now
    assert hq.admin("POST", "/stock/moves", json={"gift_id": gift, "from": a.store_id, "to": b.store_id,
                                                  "qty": 4}).status_code == 201
    assert levels(hq, gift) == {"hq": 0, a.store_id: 0, b.store_id: 8}


def _hold(dev: FakeDevice, member_id: str, lot_id: str, gift_id: str, qty: int) -> dict:
    """A held redemption of `qty` of the gift, 900 points each, from the member's lot."""
    from datetime import timedelta

    from pos_app.domain.lots import Lot
    from tests.hq.wire_events import now
    lots = [Lot(lot_id, L.member_account(member_id), 5000, now() - timedelta(days=1), now() + timedelta(days=300))]
    entry = E.spend(Kind.REDEEM_HOLD, member_id=member_id, lots=lots, points=900 * qty,
                    to_account=L.suspense(dev.store_id), now=now(),
                    payload={"redemption_id": new_id(), "gift_id": gift_id, "qty": qty, "copay_fen": 0})
    return dev.event(entry)


def test_a_bad_move_is_refused_and_moves_nothing(hq, store_id):
    gift = f"MUG-{store_id}"
    assert hq.admin("PUT", f"/catalog/gift/{gift}", json={"name": "杯", "points_cost": 90}).status_code == 200
    for body, status in (({"gift_id": "NOPE", "qty": 1}, 404), ({"gift_id": gift, "qty": 0}, 422),
                         ({"gift_id": gift, "qty": True}, 422)):
        assert hq.admin("POST", "/stock/receive", json=body).status_code == status, body
    assert hq.admin("POST", "/stock/receive", json={"gift_id": gift, "qty": 3}).status_code == 201
    for body, status in (({"from": "hq", "to": "no-such-store"}, 404), ({"from": "hq", "to": "hq"}, 422)):
        r = hq.admin("POST", "/stock/moves", json={"gift_id": gift, "qty": 1, **body})
        assert r.status_code == status, r.text
    assert levels(hq, gift) == {"hq": 3}
