"""An exchange order in a real browser at a phone's size (Debian's Chromium, 390x844), written off by a
till: the member browses the gift mall, taps "exchange" twice (one order), shows the pickup code; the
chosen store's till (the store app's services and sync over a real HQ) pulls what it needs, writes the
code off, and after its next sync the member's order reads "collected". The member code stays one tap
away on every page of the way."""

from __future__ import annotations

import uuid

import pytest

from hq_server.programme import orders as O
from hq_server.programme import stock
from hq_server.programme.audit import Actor
from hq_server.programme.member_signin import member_by_phone
from hq_server.roles import StaffRole
from pos_app.domain.problems import Refused
from pos_app.services import redeem
from pos_app.services.demo import CASHIER_ID
from pos_app.sync.cycle import sync_once
from tests.hq.wire_events import now
from tests.mall.phone import sign_up
from tests.mall.test_campaigns import give_points, points

OPERATOR = Actor("op-browser", StaffRole.OPERATOR)


def test_a_gift_ordered_for_pickup_on_the_phone_is_written_off_at_the_till(hq, db, phone_page, phone, make_store):
    page = phone_page
    till = make_store("pickup")
    store_id = till.who.store_id
    gift = f"G-{uuid.uuid4().hex[:8]}"
    r = hq.admin("PUT", f"/catalog/gift/{gift}", json={"name": "青花瓷茶杯", "points_cost": 180, "category": "茶具",
                                                     "image": "/m/pictures/GIFT-CUP.png", "per_member_limit": 2})
    assert r.status_code == 200, r.text
    stock.allot_stock(db, OPERATOR, gift_id=gift, location=store_id, qty=3, now=now())
    sign_up(page, db, phone)
    with db.read() as conn:
        member_id = member_by_phone(conn, phone)
    give_points(hq, store_id, member_id, 500)

    page.click("a.tab[href='/m/mall']")
    page.wait_for_url("**/m/mall")
    assert page.is_visible("a.tab-code")  # the member code, one tap from here
    page.fill("input[name=q]", "青花瓷")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/m/mall?q=*")
    page.click(f"a.gift-tile[href='/m/gift/{gift}']")
    page.wait_for_url(f"**/m/gift/{gift}")
    assert page.is_visible(f"input[name=store_id][value='{store_id}']:checked")
    assert page.is_visible("a.tab-code")
    viewport = page.viewport_size
    box = page.locator("#exchange").bounding_box()
    assert viewport == {"width": 390, "height": 844} and box["width"] <= 390  # fits the phone, no sideways scroll
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.dblclick("#exchange")  # a double tap
    page.wait_for_url("**/m/orders/*")
    code = page.get_attribute("#pickup-qr", "data-code")
    assert code.startswith("PM1:P:") and page.is_visible("#pickup-qr svg")
    assert "待自提" in page.inner_text("#order-status")
    assert len(O.member_orders(db, member_id)) == 1 and points(db, member_id) == 320

    report = sync_once(till.db)  # the till pulls HQ's key, the member and the order's reservation
    assert not report.pulled.problems, report.pulled.problems
    held = redeem.pickup_redemption(till, code)
    assert (held.gift_id, held.qty) == (gift, 1)
    done = redeem.write_off_pickup(till, staff_id=CASHIER_ID, pickup_code=code)
    assert done.status == "picked_up"
    with pytest.raises(Refused) as again:
        redeem.write_off_pickup(till, staff_id=CASHIER_ID, pickup_code=code)
    assert again.value.codes == ("pickup.closed",)
    sync_once(till.db)

    page.reload()
    assert "已自提" in page.inner_text("#order-status") and not page.is_visible("#pickup-qr")
    assert not page.is_visible("#cancel-order")
    page.click("a.tab-code")
    page.wait_for_url("**/m/code")
    assert points(db, member_id) == 320
    assert O.member_orders(db, member_id)[0].collected_at == store_id
