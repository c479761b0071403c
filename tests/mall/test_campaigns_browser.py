"""The campaigns in a real browser at a phone's size (Debian's Chromium, 390x844): a play of "grab the
rice" runs its seconds in the page, which then sends its count with HQ's ticket and shows the award HQ
decided; a lottery draw and a donation, tapped from the home page."""

from __future__ import annotations

import re
import uuid

from hq_server.programme.member_signin import member_by_phone
from hq_server.programme.statement import home
from tests.hq.wire_events import FakeDevice, now
from tests.mall.phone import sign_up


def test_a_play_of_grab_the_rice_ends_by_itself_and_shows_hq_s_award(hq, db, phone_page, phone):
    page = phone_page
    assert hq.admin("PUT", "/mall/game", json={"plays_per_day": 3, "seconds": 10, "points_per_catch": 1,
                                               "max_points_per_play": 30, "active": True}).status_code == 200
    sign_up(page, db, phone)
    page.click("a.svc-game")
    page.wait_for_url("**/m/game")
    page.click("#start")
    page.wait_for_url("**/m/game/play/*")
    assert page.is_visible("#field")
    box = page.locator("#field").bounding_box()
    for i in range(8):  # the member slides the bowl about while the rice falls
        page.mouse.move(box["x"] + box["width"] * (0.2 + 0.6 * (i % 2)), box["y"] + box["height"] - 40)
        page.wait_for_timeout(500)
    page.wait_for_selector("#prize-points", timeout=20_000)  # the page sent its count when the time was up
    won = int(page.inner_text("#prize-points").lstrip("+"))
    with db.read() as conn:
        member_id = member_by_phone(conn, phone)
    assert home(db, member_id, now()).points == won and 0 <= won <= 20  # 10 s at most 2 grains a second
    page.go_back()  # the play page again: the play is over, so it shows the result, and sends nothing more
    page.wait_for_selector("#prize-points")
    assert home(db, member_id, now()).points == won


def test_a_draw_and_a_donation_from_the_home_page(hq, db, phone_page, phone, store_id):
    page = phone_page
    key = f"L-{uuid.uuid4().hex[:8]}"
    assert hq.admin("PUT", f"/catalog/lottery/{key}", json={
        "name": "周末抽奖", "points_per_draw": 10, "active": True,
        "prizes": [{"code": "B", "name": "二等奖", "weight": 1, "points": 28}]}).status_code == 200
    charity = f"c-{uuid.uuid4().hex[:8]}"
    assert hq.admin("PUT", f"/mall/charities/{charity}", json={"name": "爱心午餐"}).status_code == 200
    sign_up(page, db, phone)
    with db.read() as conn:
        member_id = member_by_phone(conn, phone)
    till = FakeDevice(hq, store_id)
    assert till.push([till.earn(member_id, 100)]).json()["answers"][0]["status"] == "ok"
    page.goto("/m/")
    page.click("a.svc-lottery")
    page.wait_for_url("**/m/lottery")
    card = page.locator(".lottery-card", has_text="周末抽奖")
    card.locator("button[type=submit]").click()
    page.wait_for_url("**/m/lottery/drawn/*")
    assert page.inner_text("#prize-points") == "+28" and page.inner_text("#prize-name") == "二等奖"
    assert home(db, member_id, now()).points == 118
    page.goto("/m/")
    page.click("a.svc-donate")
    page.wait_for_url("**/m/donate")
    page.locator("label.charity", has_text="爱心午餐").click()
    page.click("button[data-value='50']")
    assert page.input_value("#points") == "50"
    page.click("#donate-form button[type=submit]")
    page.wait_for_selector(".flash-ok")
    assert re.search(r"已捐赠 50 积分", page.inner_text(".flash-ok"))
    assert home(db, member_id, now()).points == 68
