"""The JSON routes of online orders and of HQ's signed codes (hq_server/api/orders.py) over a real HQ, on
SQLite and PostgreSQL: what the console and the mall do, for a JSON client; bad input refused with the
field named and nothing changed."""

from __future__ import annotations

import uuid

from hq_server.db import Database
from hq_server.programme import chain_codes
from pos_app.domain import ledger as L
from tests.hq.test_orders import Shop
from tests.hq.test_programme_adjustments import User
from tests.hq.ledger_check import HQLedger
from tests.hq.wire_events import now


def test_a_json_client_places_lists_ships_and_cancels_orders(hq, store_id):
    db, ledger = Database(hq.db_url), HQLedger(hq.db_url)
    try:
        shop = Shop(hq, db, store_id)
        m = shop.member(1000)
        cs, operator = User(hq, "customer_service"), User(hq, "operator")
        body = {"gift_id": shop.gift, "qty": 2, "mode": "pickup", "store_id": store_id, "idempotency_key": "k-1"}
        r = cs("POST", f"/members/{m}/orders", json=body)
        assert r.status_code == 201, r.text
        picked = r.json()
        assert (picked["status"], picked["points"], picked["location"]) == ("placed", 200, store_id)
        assert picked["pickup_code"].startswith("PM1:P:")
        assert cs("POST", f"/members/{m}/orders", json=body).json()["order_id"] == picked["order_id"]  # once
        address = {"name": "李娜", "phone": "13912345678", "address": "上海市徐汇区漕溪北路 88 号"}
        sent = cs("POST", f"/members/{m}/orders", json={"gift_id": shop.gift, "qty": 1, "mode": "delivery",
                                                         "address": address, "idempotency_key": "k-2"}).json()
        assert sent["location"] == "hq" and sent["address"] == address
        assert ledger.balance(L.member_account(m)) == 700
        # refused, nothing changed: too many, a field the route does not know, no such member
        r = cs("POST", f"/members/{m}/orders", json={**body, "qty": 9, "idempotency_key": "k-3"})
        assert r.status_code in (409, 422) and r.json()["code"]
        assert cs("POST", f"/members/{m}/orders", json={**body, "idempotency_key": "k-4", "x": 1}).status_code == 422
        assert cs("POST", f"/members/{uuid.uuid4()}/orders", json={**body, "idempotency_key": "k-5"}
                  ).json()["code"] == "member_unknown"
        assert ledger.balance(L.member_account(m)) == 700

        listed = cs("GET", "/orders", params={"member_id": m}).json()
        assert listed["total"] == 2 and {o["order_id"] for o in listed["rows"]} == {picked["order_id"],
                                                                                    sent["order_id"]}
        assert cs("GET", "/orders", params={"member_id": m, "mode": "delivery"}).json()["total"] == 1
        assert operator("GET", f"/orders/{sent['order_id']}").json()["status"] == "placed"
        assert operator("POST", f"/orders/{sent['order_id']}/pick").json()["status"] == "picking"
        r = operator("POST", f"/orders/{sent['order_id']}/ship", json={"carrier": "顺丰", "tracking_no": "SF1234"})
        assert (r.status_code, r.json()["status"], r.json()["tracking_no"]) == (200, "shipped", "SF1234")
        assert operator("POST", f"/orders/{sent['order_id']}/delivered").json()["status"] == "delivered"
        assert cs("POST", f"/orders/{sent['order_id']}/cancel", json={"reason": "x"}).json()["code"] == "order_closed"
        r = cs("POST", f"/orders/{picked['order_id']}/cancel", json={"reason": "不要了"})
        assert r.json()["status"] == "cancelled" and ledger.balance(L.member_account(m)) == 900
        assert operator("POST", f"/orders/{picked['order_id']}/ship",
                        json={"carrier": "顺丰", "tracking_no": "SF9"}).status_code == 422  # too short a number
        assert cs("GET", f"/orders/{uuid.uuid4()}").json()["code"] == "order_unknown"
        assert [s["location"] for s in cs("GET", f"/gifts/{shop.gift}/pickup-stores").json()] == [store_id]
        assert ledger.problems() == []
    finally:
        db.dispose()
        ledger.close()


def test_coupon_qr_and_general_coupons_are_signed_codes_any_store_reads(hq, store_id):
    db = Database(hq.db_url)
    try:
        shop = Shop(hq, db, store_id)
        m = shop.member(1000)
        type_id = f"FIVE-{store_id}"
        assert hq.admin("PUT", f"/catalog/coupon_type/{type_id}", json={
            "name": "5元券", "points_cost": 100, "kind": "amount", "value": 500}).status_code == 200
        cs, operator = User(hq, "customer_service"), User(hq, "operator")
        code = cs("POST", f"/members/{m}/coupons", json={"type_id": type_id}).json()["code"]
        r = cs("GET", f"/coupons/{code}/qr")
        assert r.status_code == 200 and r.json()["qr"].startswith("PM1:C:")
        assert r.json()["qr"] == chain_codes.coupon_qr(db, code=code, member_id=m, now=now())  # HQ's key signed it
        assert cs("GET", "/coupons/NOSUCH1/qr").json()["code"] == "coupon_unknown"
        assert cs("POST", "/general-coupons", json={"type_id": type_id, "count": 2}).status_code == 403  # operators
        made = operator("POST", "/general-coupons", json={"type_id": type_id, "count": 2})
        assert made.status_code == 201 and len(made.json()) == 2
        assert all(g["qr"].startswith("PM1:C:") and g["code"].startswith("G") for g in made.json())
        assert operator("POST", "/general-coupons", json={"type_id": type_id, "count": 0}).status_code == 422
    finally:
        db.dispose()
