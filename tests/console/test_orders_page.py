"""Online orders in the console, on SQLite and PostgreSQL: the list (filtered, sorted, CSV), a delivery
order picked, refused a bad tracking number (named beside the field), shipped and marked delivered,
another cancelled with the points back; the wrong role, a stale form and an order already closed
change nothing; every step is in the audit log."""

from __future__ import annotations

import csv
import io
import uuid

import pytest

from hq_server.db import Database
from hq_server.programme import orders as O
from hq_server.programme import stock
from hq_server.programme.audit import Actor
from hq_server.roles import StaffRole
from tests.console.client import Console, flash_of
from tests.console.test_members_page import a_member, balance_on
from tests.hq.wire_events import now

ADDRESS = O.Address("李娜", "13912345678", "上海市徐汇区漕溪北路 88 号 12 楼")


@pytest.fixture
def db(web_hq):
    database = Database(web_hq.db_url)
    yield database
    database.dispose()


def a_gift(web_hq, db, *, points: int = 30, at: str = "hq", qty: int = 5) -> str:
    gift = f"G-{uuid.uuid4().hex[:8]}"
    r = web_hq.admin("PUT", f"/catalog/gift/{gift}", json={"name": "保温杯", "points_cost": points})
    assert r.status_code == 200, r.text
    stock.allot_stock(db, Actor("seed", StaffRole.OPERATOR), gift_id=gift, location=at, qty=qty, now=now())
    return gift


def an_order(db, member_id: str, gift: str, *, qty: int = 1) -> str:
    return O.place_order(db, member_id=member_id, gift_id=gift, qty=qty, mode="delivery", address=ADDRESS,
                         idempotency_key=uuid.uuid4().hex, now=now()).order_id


def test_ship_an_order_from_placed_to_delivered(web_hq, db, store_id, staff_user):
    member, _phone, _name, till = a_member(web_hq, store_id, points=100)
    gift = a_gift(web_hq, db)
    order = an_order(db, member, gift, qty=2)
    with Console(web_hq, *staff_user("customer_service")) as cs:
        listed = cs.get("/console/orders", params={"status": "placed", "gift_id": gift})
        assert listed.status_code == 200 and f"/console/orders/{order}" in listed.text and "待处理" in listed.text
        assert cs.get("/console/orders", params={"status": "shipped", "gift_id": gift}).text.count(order) == 0
        assert cs.get("/console/orders", params={"sort": "-created_at", "q": member}).text.count(
            f"/console/orders/{order}") == 1
        assert cs.get("/console/orders", params={"sort": "points"}).status_code == 422  # not a sortable column
        rows = list(csv.reader(io.StringIO(cs.get("/console/orders", params={"gift_id": gift, "format": "csv"})
                                           .content.decode("utf-8-sig"))))
        assert rows[0][:3] == ["下单时间", "订单", "礼品"] and rows[1][1] == order and rows[1][4] == "60"

        page = cs.get(f"/console/orders/{order}")
        assert "李娜" in page.text and "开始拣货" in page.text
        picked = cs.post(f"/console/orders/{order}/pick")
        assert picked.status_code == 303 and flash_of(cs.get(picked.headers["location"])) == ["已开始拣货。"]
        assert cs.post(f"/console/orders/{order}/pick").status_code == 409  # already picking

        bad = cs.post(f"/console/orders/{order}/ship", {"carrier": "顺丰速运", "tracking_no": "SF 12"})
        assert bad.status_code == 422 and "快递单号：4 到 64 个字母、数字或 -" in bad.text
        assert 'value="顺丰速运"' in bad.text  # what was typed stays
        assert O.order(db, order).status == O.PICKING
        shipped = cs.post(f"/console/orders/{order}/ship", {"carrier": "顺丰速运", "tracking_no": "SF1234567890"})
        assert shipped.status_code == 303
        assert flash_of(cs.get(shipped.headers["location"])) == ["已通过 顺丰速运 发货，单号 SF1234567890：积分已核销。"]
        assert cs.post(f"/console/orders/{order}/cancel", {"reason": "太晚了"}).status_code == 409  # shipped
        assert cs.get("/console/orders", params={"q": "SF1234567890"}).text.count(f"/console/orders/{order}") == 1
        done = cs.post(f"/console/orders/{order}/delivered")
        assert done.status_code == 303 and "已送达" in cs.get(done.headers["location"]).text
        assert O.order(db, order).status == O.DELIVERED
    with Console(web_hq) as admin:
        log = admin.get("/console/audit", params={"target": f"order:{order}"}).text
        for action in ("order.pick", "order.ship", "order.delivered"):
            assert action in log
        assert balance_on(admin.get(f"/console/members/{member}").text) == "40"
    till.close()


def test_cancel_gives_the_points_back(web_hq, db, store_id, staff_user):
    member, _phone, _name, till = a_member(web_hq, store_id, points=100)
    gift = a_gift(web_hq, db, qty=1)
    order = an_order(db, member, gift)
    with Console(web_hq, *staff_user("customer_service")) as cs:
        assert balance_on(cs.get(f"/console/members/{member}").text) == "70"
        long = cs.post(f"/console/orders/{order}/cancel", {"reason": "长" * 201})
        assert long.status_code == 422 and "原因最多 200 个字符" in long.text and O.order(db, order).status == O.PLACED
        gone = cs.post(f"/console/orders/{order}/cancel", {"reason": "会员要求取消"})
        assert gone.status_code == 303
        assert flash_of(cs.get(gone.headers["location"])) == ["已取消：30 积分已退还会员。"]
        assert balance_on(cs.get(f"/console/members/{member}").text) == "100"
        again = cs.post(f"/console/orders/{order}/cancel", {"reason": "again"})
        assert again.status_code == 409 and "该订单已取消，不能取消" in again.text
        ship = cs.post(f"/console/orders/{order}/ship", {"carrier": "EMS", "tracking_no": "E1234"})
        assert ship.status_code == 409 and "该订单已取消，不能发货" in ship.text
        cs.http.cookies.set("lang", "en")  # the same refusals in English, the state and step words too
        ship = cs.post(f"/console/orders/{order}/ship", {"carrier": "EMS", "tracking_no": "E1234"})
        assert ship.status_code == 409 and "this order is cancelled: it cannot be shipped" in ship.text
        assert "已取消" not in ship.text
        cs.http.cookies.set("lang", "zh")
    assert [s.qty for s in stock.stock_by_location(db, gift_id=gift)] == [1]  # the unit is back
    with Console(web_hq) as admin:
        entry = admin.get("/console/audit", params={"target": f"order:{order}"}).text
        assert "order.cancel" in entry and "会员要求取消" in entry
    till.close()


def test_refusals_wrong_role_stale_form_unknown_order(web_hq, db, store_id, staff_user):
    member, _phone, _name, till = a_member(web_hq, store_id, points=100)
    order = an_order(db, member, a_gift(web_hq, db))
    with Console(web_hq, *staff_user("finance")) as fin:
        assert fin.get(f"/console/orders/{order}").status_code == 200  # finance reads orders
        assert "开始拣货" not in fin.get(f"/console/orders/{order}").text
        assert fin.post(f"/console/orders/{order}/pick").status_code == 403
        assert fin.post(f"/console/orders/{order}/cancel", {"reason": "x"}).status_code == 403
    with Console(web_hq, *staff_user("store_manager", store_id=store_id)) as manager:
        assert manager.get("/console/orders").status_code == 403
        assert "/console/orders" not in manager.get("/console/").text  # not in the menu either
    with Console(web_hq, *staff_user("customer_service")) as cs:
        stale = cs.post(f"/console/orders/{order}/pick", csrf="0" * 64)
        assert stale.status_code == 403 and O.order(db, order).status == O.PLACED
        assert cs.get(f"/console/orders/{uuid.uuid4()}").status_code == 404
        assert cs.post(f"/console/orders/{uuid.uuid4()}/pick").status_code == 404
        assert cs.get("/console/orders", params={"page": "0"}).status_code == 422
    till.close()
