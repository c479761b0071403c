"""Screenshots of every mall page at a phone's size (390x844, 2x), Chinese and a few in English, into
docs/screenshots/mall/. Starts its own HQ on a scratch SQLite database and fills it like a real member's
month: a till's purchases and a spend, a published tier table, an invited friend, an answered message,
then the campaigns: a label scanned from a photo (and a photo too large to send), a lottery draw, a donation, a play of the game; then
the gift mall: gifts with pictures, exchange orders for pickup and delivery, the address book, coupons,
the team and a withdrawal.

    .venv/bin/python -m tests.mall.screenshots [--out docs/screenshots/mall]
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import sync_playwright

from hq_server.db import Database
from hq_server.programme import help_tickets as H
from hq_server.programme.member_signin import member_by_phone
from pos_app.domain import entries as E
from pos_app.domain import ledger as L
from pos_app.domain.ids import new_id
from pos_app.domain.ledger import Kind, payload_hash
from pos_app.domain.members import referral_code_for
from tests.hq.server import HQServer, sqlite_url
from tests.hq.wire_events import RULES, FakeDevice, now
from tests.mall.label_photo import label_photo
from tests.mall.phone import PHONE_SIZE, member_code, phone_context, sign_up
from tests.web.browser import launch

ROOT = Path(__file__).resolve().parents[2]
PHONE, FRIEND = "13812345678", "15987654321"
TIERS = [{"code": "basic", "name": "普卡", "min_spend_fen": 0},
         {"code": "silver", "name": "银卡", "min_spend_fen": 100_000},
         {"code": "gold", "name": "金卡", "min_spend_fen": 500_000}]


def seed(hq: HQServer, db: Database, member_id: str, friend_id: str) -> None:
    r = hq.admin("POST", "/rules", json={"doc": {"tiers": TIERS, "expiry_days": 365, "referral_bonus": 50},
                                         "effective_at": (now() - timedelta(days=1)).isoformat()})
    assert r.status_code == 201, r.text
    hq.create_store("s-nanjing", "南京路旗舰店")
    hq.create_store("s-xujia", "徐家汇店")
    a, b = FakeDevice(hq, "s-nanjing"), FakeDevice(hq, "s-xujia")
    soon = a.earn(member_id, 120, payload={"sale_id": new_id(), "paid_fen": 12_000})
    soon["payload"]["grants"][0][4] = (now() + timedelta(days=12)).isoformat()
    soon["payload_hash"] = payload_hash(soon["payload"])
    big = a.earn(member_id, 468, payload={"sale_id": new_id(), "paid_fen": 46_800})
    more = b.earn(member_id, 88, payload={"sale_id": new_id(), "paid_fen": 8_800})
    bonus = b.event(E.earn(Kind.REFERRAL_BONUS, member_id=member_id, points=50, store_id="s-xujia", owed=0,
                           lot_id=new_id(), now=now(), rules=RULES, payload={"sale_id": new_id(), "referee": friend_id},
                           ptype=L.PointType.AGENT))
    assert all(x["status"] == "ok" for x in a.push([soon, big]).json()["answers"])
    spend = a.spend(member_id, 200, [(FakeDevice.lot_of(big), 468)])
    assert all(x["status"] == "ok" for x in a.push([spend]).json()["answers"])
    assert all(x["status"] == "ok" for x in b.push([more, bonus]).json()["answers"])
    t = H.open_ticket(db, member_id, topic="points", message="上周在徐家汇店消费的积分还没到账，小票号 0042。", now=now())
    H.answer_ticket(db, t.ticket_id, staff="cs-wang", answer="已查到，积分已补录，请查看明细。", close=False, now=now())
    H.open_ticket(db, member_id, topic="account", message="想修改绑定的手机号。", now=now())


def seed_campaigns(hq: HQServer) -> dict:
    """A label batch, a lottery, two charities and the points game, as an operator sets them."""
    batch = hq.label_batch(sku="TEA-500", count=4, prizes="28", name="铁观音 500g")
    r = hq.admin("PUT", "/catalog/lottery/spring", json={
        "name": "新春积分抽奖", "points_per_draw": 20, "active": True,
        "prizes": [{"code": "A", "name": "一等奖", "weight": 0, "points": 88},
                   {"code": "B", "name": "二等奖", "weight": 1, "points": 38},
                   {"code": "C", "name": "三等奖", "weight": 0, "points": 8},
                   {"code": "T", "name": "谢谢参与", "weight": 0, "points": 0}]})
    assert r.status_code == 200, r.text
    for key, doc in (("hope-school", {"name": "希望小学图书角", "name_en": "Hope School libraries",
                                      "about": "为山区小学添置课外书，每 100 积分约一本书。",
                                      "about_en": "Books for village schools: about one book for 100 points."}),
                     ("green-river", {"name": "绿色长江", "name_en": "Green Yangtze",
                                      "about": "长江沿岸植树与河岸清洁志愿行动。",
                                      "about_en": "Trees and clean banks along the Yangtze, by volunteers."})):
        assert hq.admin("PUT", f"/mall/charities/{key}", json=doc).status_code == 200
    r = hq.admin("PUT", "/mall/game", json={"plays_per_day": 3, "seconds": 20, "points_per_catch": 1,
                                            "max_points_per_play": 30, "active": True})
    assert r.status_code == 200, r.text
    return batch


def seed_gifts(db: Database) -> dict[str, str]:
    """Six gifts with the chain's own pictures, in four categories, stocked at a store and the warehouse;
    two coupon types. Returns the gift ids by role."""
    from hq_server.programme import stock
    from hq_server.programme.audit import Actor
    from hq_server.programme.catalogue import put_record
    op = Actor("op-shots", "operator")
    t = now()
    gifts = {
        "GIFT-TEAPOT": ({"name": "紫砂茶壶 300ml", "points_cost": 380, "category": "茶具",
                         "ends_at": (t + timedelta(days=2, hours=5, minutes=17)).isoformat(), "per_member_limit": 1,
                         "description": "宜兴原矿紫砂，手工拉坯。限时兑换，每人限 1 件。"}, {"s-nanjing": 2, "hq": 3}),
        "GIFT-CUP": ({"name": "不锈钢保温杯", "points_cost": 180, "category": "家居", "per_member_limit": 2,
                      "description": "316 不锈钢内胆，保温 12 小时，480ml。"}, {"s-nanjing": 5, "s-xujia": 2, "hq": 10}),
        "GIFT-TEABAG": ({"name": "铁观音茶包 20 袋", "points_cost": 60, "category": "茶叶",
                         "description": "安溪铁观音，独立袋泡，办公室也方便。"}, {"s-nanjing": 8, "hq": 20}),
        "GIFT-SPEAKER": ({"name": "蓝牙小音箱", "points_cost": 900, "copay_fen": 4900, "category": "数码",
                          "min_tier": "gold", "description": "金卡会员专享：积分 + 49 元。"}, {"hq": 4}),
        "GIFT-UMBRELLA": ({"name": "晴雨两用折叠伞", "points_cost": 150, "category": "家居",
                           "description": "防晒涂层，三折轻便。"}, {"hq": 6}),
        "GIFT-CANVAS": ({"name": "帆布购物袋", "points_cost": 40, "category": "家居",
                         "description": "加厚帆布，印有本店标志。"}, {}),
    }
    for gift_id, (record, where) in gifts.items():
        put_record(db, type_="gift", key=gift_id, data={**record, "image": f"/m/pictures/{gift_id}.png"}, now=t)
        for location, qty in where.items():
            stock.allot_stock(db, op, gift_id=gift_id, location=location, qty=qty, now=t)
    put_record(db, type_="coupon_type", key="TEN-OFF", now=t, data={
        "name": "满100减10", "points_cost": 100, "kind": "amount", "value": 1000, "min_spend_fen": 10_000})
    put_record(db, type_="coupon_type", key="TEA-15", now=t, data={
        "name": "茶饮 85 折券", "points_cost": 60, "kind": "percent", "value": 15, "max_discount_fen": 3000,
        "valid_days": 14})
    return {"pickup": "GIFT-CUP", "limited": "GIFT-TEAPOT", "tier": "GIFT-SPEAKER", "delivery": "GIFT-TEABAG",
            "sold_out": "GIFT-CANVAS"}


def shoot_mall(page, snap, db: Database, member_id: str) -> None:
    """The gift mall, orders, addresses, coupons and the team, as a member uses them (Chinese)."""
    from hq_server.programme.coupons import issue_coupon
    roles = seed_gifts(db)
    issue_coupon(db, member_id=member_id, type_id="TEA-15", staff="cs-wang", now=now())  # HQ's free coupon
    page.goto("/m/mall")
    page.wait_for_load_state("networkidle")
    snap("31-gift-mall-zh_CN")
    page.goto("/m/mall?category=家居")
    page.wait_for_load_state("networkidle")
    snap("32-gift-mall-category-zh_CN")
    page.goto("/m/mall?q=茶")
    page.wait_for_load_state("networkidle")
    snap("33-gift-mall-search-zh_CN")
    page.goto(f"/m/gift/{roles['limited']}")
    page.wait_for_load_state("networkidle")
    snap("34-gift-limited-zh_CN")
    page.goto(f"/m/gift/{roles['tier']}")
    page.wait_for_load_state("networkidle")
    snap("35-gift-tier-only-zh_CN")
    page.goto(f"/m/gift/{roles['pickup']}")
    page.wait_for_load_state("networkidle")
    snap("36-gift-pickup-zh_CN")
    page.click("#exchange")
    page.wait_for_url("**/m/orders/*")
    page.wait_for_selector("#pickup-qr svg")
    snap("38-order-pickup-code-zh_CN")
    page.goto(f"/m/gift/{roles['limited']}")  # 380 points: more than are left now
    page.click("#exchange")
    page.wait_for_selector("#order-error")
    snap("37-order-refused-zh_CN")
    page.goto(f"/m/gift/{roles['delivery']}")
    page.check("input[name=mode][value=delivery]")
    page.click("a[href^='/m/addresses/new']")
    page.wait_for_url("**/m/addresses/new?**")
    page.fill("input[name=name]", "李娜")
    page.fill("input[name=phone]", "13912345678")
    page.fill("textarea[name=address]", "上海市徐汇区漕溪北路 88 号 12 楼")
    snap("39-address-new-zh_CN")
    page.click("#address-form button[type=submit]")
    page.wait_for_url(f"**/m/gift/{roles['delivery']}")
    page.check("input[name=mode][value=delivery]")
    snap("40-gift-delivery-zh_CN")
    page.click("#exchange")
    page.wait_for_url("**/m/orders/*")
    snap("41-order-delivery-zh_CN")
    page.once("dialog", lambda d: d.accept())
    page.click("#cancel-order")
    page.wait_for_selector(".flash-ok")
    snap("42-order-cancelled-zh_CN")
    page.goto("/m/orders")
    snap("43-orders-zh_CN")
    page.goto("/m/addresses/new")
    page.fill("input[name=name]", "张伟")
    page.fill("input[name=phone]", "1380000")
    page.fill("textarea[name=address]", "杭州市西湖区文三路 1 号")
    page.click("#address-form button[type=submit]")
    page.wait_for_selector("#address-error")
    snap("44-address-refused-zh_CN")
    page.goto("/m/addresses")
    snap("45-addresses-zh_CN")
    page.goto("/m/coupons")
    snap("46-coupons-zh_CN")
    page.click("form.offer:has(input[value='TEN-OFF']) button")
    page.wait_for_url("**/m/coupons/H*")
    snap("47-coupon-qr-zh_CN")
    page.goto("/m/team")
    snap("48-team-zh_CN")
    page.fill("input[name=points]", "50")
    page.click("#withdraw-form button[type=submit]")
    page.wait_for_selector("#withdraw-error")
    snap("49-withdraw-refused-zh_CN")
    page.goto("/m/team/agent?level=1")  # one level of the team, paged
    snap("56-team-level-zh_CN")
    page.goto("/m/me")
    snap("50-me-menu-zh_CN")


def photo_too_large(page) -> None:
    """A 9 MB file the page cannot make smaller (not a picture its browser can draw: a HEIC, say) goes as it
    is from the scan page's own form; HQ refuses it as its bytes arrive (over the 8 MB body limit) and
    the member gets the mall's page saying so (code body_too_large), not the JSON API's problem."""
    page.goto("/m/scan")
    with page.expect_navigation(url="**/m/scan/photo"):
        page.set_input_files("#photo", files=[{"name": "IMG_2042.HEIC", "mimeType": "image/heic",
                                               "buffer": b"\xff" * (9 * 1024 * 1024)}])
    page.wait_for_load_state("networkidle")


# What a thumb cannot hit: visible links, buttons and fields smaller than 44x44 CSS px (their own box
# or, for a radio/checkbox, the label around it), printed per shot so a regenerated set is also a check.
SMALL_TARGETS = """() => [...document.querySelectorAll('a[href], button, input, select, textarea, summary')]
  .filter(e => e.offsetParent !== null && e.type !== 'hidden')
  .map(e => { const t = (e.type === 'radio' || e.type === 'checkbox') && e.closest('label') || e;
              const r = t.getBoundingClientRect();
              return [(e.textContent || e.name || e.type || '').trim().slice(0, 16), Math.round(r.width), Math.round(r.height)]; })
  .filter(([, w, h]) => w < 44 || h < 44)"""


def shoot(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    shots: list[Path] = []
    too_small: list[str] = []
    with tempfile.TemporaryDirectory() as tmp, HQServer(sqlite_url(Path(tmp) / "hq")) as hq, sync_playwright() as p:
        db = Database(hq.db_url)
        browser = launch(p)
        ctx = phone_context(browser, hq.url)
        page = ctx.new_page()

        def snap(name: str, full: bool = True) -> None:
            """The phone's screen; a long page whole, the phone made as tall as the page (so the tab bar
            sits at its bottom, where a member scrolling down meets it, not across the middle)."""
            path = out / f"{name}.png"
            height = page.evaluate("document.documentElement.scrollHeight") if full else PHONE_SIZE["height"]
            page.set_viewport_size({**PHONE_SIZE, "height": max(PHONE_SIZE["height"], height)})
            page.screenshot(path=str(path))
            page.set_viewport_size(PHONE_SIZE)
            shots.append(path)
            small = page.evaluate(SMALL_TARGETS)
            if small:
                too_small.append(f"{name}: touch targets under 44 px: {small}")

        page.goto("/m/login")
        snap("01-sign-in-zh_CN")
        page.fill("input[name=phone]", PHONE)
        page.click("#phone-form button[type=submit]")
        page.wait_for_selector("#code-form")
        snap("02-sign-in-code-zh_CN")
        sign_up(page, db, PHONE)
        with db.read() as conn:
            member_id = member_by_phone(conn, PHONE)
        friend_ctx = phone_context(browser, hq.url)
        sign_up(friend_ctx.new_page(), db, FRIEND, ref=referral_code_for(member_id))
        with db.read() as conn:
            friend_id = member_by_phone(conn, FRIEND)
        friend_ctx.close()
        seed(hq, db, member_id, friend_id)

        page.goto("/m/")
        snap("03-home-zh_CN")
        page.goto("/m/code")
        member_code(page)
        snap("04-member-code-zh_CN", full=False)
        page.click("#tab-card")
        page.wait_for_function("document.querySelector('#qr').dataset.code.startsWith('PM1:M:')")
        snap("05-card-code-zh_CN", full=False)
        page.goto("/m/statement")
        snap("06-statement-zh_CN")
        page.goto("/m/statement?dir=in&start=" + now().date().isoformat())
        snap("07-statement-filtered-zh_CN")
        page.goto("/m/invite")
        page.wait_for_selector(".small-qr svg")
        snap("08-invite-zh_CN")
        page.goto("/m/help")
        snap("09-help-zh_CN")
        page.goto("/m/me")
        snap("10-me-zh_CN")
        page.goto("/m/offline")
        snap("11-offline-zh_CN")
        page.goto("/m/statement?start=not-a-day")
        snap("12-refused-zh_CN")

        batch = seed_campaigns(hq)
        page.goto("/m/scan")
        snap("16-scan-zh_CN")
        page.set_input_files("#photo", files=[{"name": "IMG_2041.jpg", "mimeType": "image/jpeg",
                                               "buffer": label_photo(batch["labels"][0]["payload"])}])
        page.wait_for_url("**/m/scan/done?serial=*")
        page.wait_for_timeout(700)  # the prize's pop
        snap("17-scan-prize-zh_CN")
        page.goto("/m/scan")
        page.set_input_files("#photo", files=[{"name": "IMG_2041.jpg", "mimeType": "image/jpeg",
                                               "buffer": label_photo(batch["labels"][0]["payload"])}])
        page.wait_for_selector("#scan-error")
        snap("18-scan-refused-zh_CN")
        photo_too_large(page)
        snap("57-photo-too-large-zh_CN")
        page.goto("/m/lottery")
        snap("19-lottery-zh_CN")
        page.click(".lottery-card button[type=submit]")
        page.wait_for_url("**/m/lottery/drawn/*")
        page.wait_for_timeout(700)
        snap("20-lottery-prize-zh_CN")
        page.goto("/m/donate")
        snap("21-donate-zh_CN")
        page.locator("label.charity", has_text="希望小学").click()
        page.click("button[data-value='100']")
        page.click("#donate-form button[type=submit]")
        page.wait_for_selector(".flash-ok")
        snap("22-donated-zh_CN")
        page.goto("/m/game")
        snap("23-game-zh_CN")
        page.click("#start")
        page.wait_for_url("**/m/game/play/*")
        box = page.locator("#field").bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] - 40)
        page.wait_for_timeout(4000)
        snap("24-game-playing-zh_CN", full=False)
        page.wait_for_selector("#prize-points", timeout=30_000)
        page.wait_for_timeout(700)
        snap("25-game-result-zh_CN")
        page.goto("/m/statement")
        snap("26-statement-after-campaigns-zh_CN")
        shoot_mall(page, snap, db, member_id)

        ctx.add_cookies([{"name": "lang", "value": "en", "url": hq.url}])  # the member switches to English
        page.goto("/m/")
        snap("13-home-en")
        page.goto("/m/code")
        member_code(page)
        snap("14-member-code-en", full=False)
        page.goto("/m/statement")
        snap("15-statement-en")
        page.goto("/m/scan")
        snap("27-scan-en")
        photo_too_large(page)
        snap("58-photo-too-large-en")
        page.goto("/m/lottery")
        snap("28-lottery-en")
        page.goto("/m/donate")
        snap("29-donate-en")
        page.goto("/m/game")
        snap("30-game-en")
        page.goto("/m/mall")
        page.wait_for_load_state("networkidle")
        snap("51-gift-mall-en")
        page.goto("/m/gift/GIFT-TEAPOT")
        page.wait_for_load_state("networkidle")
        snap("52-gift-en")
        page.goto("/m/orders")
        snap("53-orders-en")
        page.goto("/m/coupons")
        snap("54-coupons-en")
        page.goto("/m/team")
        snap("55-team-en")
        browser.close()
        db.dispose()
    if too_small:  # the pictures are written; the run fails like a test would
        raise SystemExit("\n".join(too_small))
    return shots


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots" / "mall")
    for path in shoot(parser.parse_args().out):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    main()
