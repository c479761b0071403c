"""Screenshots of every HQ console page, taken in Debian's Chromium (Playwright) against a real HQ
on a fresh SQLite database filled with a small chain's day, into docs/screenshots/console/.

    .venv/bin/python scripts/console_screenshots.py [--out docs/screenshots/console]

Look at each one after a change to a page.
"""

from __future__ import annotations

import argparse
import re
import secrets
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from hq_server.db import Database  # noqa: E402
from hq_server.programme import orders as O  # noqa: E402
from hq_server.programme import charities, coupons, sms, stock, withdrawals  # noqa: E402
from pos_app.domain.ledger import Entry, Kind  # noqa: E402
from hq_server.programme.audit import Actor  # noqa: E402
from hq_server.roles import StaffRole  # noqa: E402
from pos_app.domain.ids import new_id  # noqa: E402
from tests.hq.test_programme_withdrawals import agent_points  # noqa: E402
from tests.hq.server import ADMIN_PASSWORD, HQServer, sqlite_url  # noqa: E402
from tests.hq.wire_events import FakeDevice, now  # noqa: E402
from tests.web.browser import launch  # noqa: E402

STORES = [("sh-001", "上海南京西路店"), ("sh-002", "上海徐家汇店"), ("hz-001", "杭州西湖店")]
MEMBERS = ["王芳", "李娜", "张伟", "刘洋", "陈静", "杨磊", "赵敏", "黄婷"]


def seed(hq: HQServer) -> dict:
    """A small chain: three stores with a till each, members earning, an open conflict, the catalogue,
    a label batch, staff of every role, an adjustment waiting for approval, a frozen member."""
    facts: dict = {"members": []}
    for sid, name in STORES:
        hq.create_store(sid, name)
    tills = {sid: FakeDevice(hq, sid) for sid, _ in STORES}
    for i, name in enumerate(MEMBERS):
        sid = STORES[i % len(STORES)][0]
        till = tills[sid]
        m = new_id()
        phone = f"1391234{i:04d}"
        events = [till.register(m, phone, name), till.earn(m, 120 + 37 * i)]
        if i % 3 == 0:
            events.append(till.earn(m, 58))
        assert till.push(events).status_code == 200
        facts["members"].append((m, phone, name))
    till = tills["sh-001"]
    m = facts["members"][0][0]
    assert till.push([till.label_earn(m, f"FAKE-{secrets.token_hex(4)}", 28)]).status_code == 200
    for t in tills.values():
        t.handshake()
        t.close()
    catalogue = {
        ("product", "TEA-OOLONG"): {"name": "冻顶乌龙 250g", "category": "tea", "price_fen": 12800, "barcode": "6901234567892"},
        ("product", "TEA-PUER"): {"name": "普洱熟茶饼", "category": "tea", "price_fen": 26800},
        ("gift", "CUP-01"): {"name": "青花瓷茶杯", "points_cost": 800, "copay_fen": 0},
        ("gift", "BAG-02"): {"name": "帆布购物袋", "points_cost": 300},
        ("gift", "TEA-SAMPLE"): {"name": "乌龙茶试饮装", "points_cost": 100},
        ("coupon_type", "OFF10"): {"name": "满100减10", "points_cost": 500, "kind": "amount", "value": 1000,
                                   "min_spend_fen": 10000, "valid_days": 30},
        ("campaign", "double-weekend"): {"name": "周末双倍积分", "starts_at": "2026-12-11T16:00:00+00:00",
                                         "ends_at": "2026-12-13T16:00:00+00:00", "multiplier_pct": 200,
                                         "categories": ["tea"], "skus": []},
        ("lottery", "wheel"): {"name": "积分大转盘", "points_per_draw": 50,
                               "prizes": [{"code": "A", "name": "88积分", "weight": 5, "points": 88},
                                          {"code": "B", "name": "谢谢参与", "weight": 95, "points": 0}]},
    }
    for (type_, key), data in catalogue.items():
        r = hq.admin("PUT", f"/catalog/{type_}/{key}", json=data)
        assert r.status_code == 200, r.text
    hq.label_batch(sku="TEA-OOLONG", count=50, prizes="8:50,28:30,68:5", name="冻顶乌龙")
    users = {"op-zhang": ("operator", None), "cs-li": ("customer_service", None), "cs-wang": ("customer_service", None),
             "fin-zhao": ("finance", None), "mgr-sh001": ("store_manager", "sh-001")}
    for name, (role, store) in users.items():
        r = hq.admin("PUT", f"/users/{name}", json={"role": role, "store_id": store, "password": "screenshot-pw-1"})
        assert r.status_code == 200, r.text
    seed_mall(hq, facts)
    return facts


def seed_mall(hq: HQServer, facts: dict) -> None:
    """Gift stock at the warehouse and the stores, online orders in every state, withdrawals waiting."""
    db = Database(hq.db_url)
    op = Actor("op-zhang", StaffRole.OPERATOR)
    for gift, location, qty in (("CUP-01", "hq", 120), ("BAG-02", "hq", 300), ("CUP-01", "sh-001", 12),
                                ("BAG-02", "sh-001", 40), ("BAG-02", "sh-002", 0), ("CUP-01", "hz-001", 6), ("TEA-SAMPLE", "hq", 80),
                                ("TEA-SAMPLE", "sh-001", 10)):
        if qty:
            stock.allot_stock(db, op, gift_id=gift, location=location, qty=qty, note="首批到货", now=now())
    stock.move_stock(db, op, gift_id="BAG-02", from_location="hq", to_location="sh-002", qty=25, note="周末活动",
                     now=now())
    orders = []
    names = ["王芳", "李娜", "张伟", "刘洋"]
    for i, (m, phone, name) in enumerate(facts["members"][:4]):
        address = O.Address(names[i], phone, f"上海市徐汇区漕溪北路 {88 + i} 号")
        orders.append(O.place_order(db, member_id=m, gift_id="TEA-SAMPLE", qty=1, mode="delivery", address=address,
                                    idempotency_key=new_id(), now=now()).order_id)
    pickup = O.place_order(db, member_id=facts["members"][4][0], gift_id="TEA-SAMPLE", qty=1, mode="pickup",
                           store_id="sh-001", idempotency_key=new_id(), now=now())
    cs = Actor("cs-li", StaffRole.CUSTOMER_SERVICE)
    O.pick_order(db, cs, orders[1], now=now())
    O.ship_order(db, cs, orders[2], carrier="顺丰速运", tracking_no="SF1207000123", now=now())
    O.cancel_order(db, orders[3], actor=cs, reason="会员要求取消", now=now())
    facts["orders"] = orders + [pickup.order_id]
    till = FakeDevice(hq, "hz-001")
    agents = []
    for points in (5000, 3200):
        m = new_id()
        assert till.push([till.register(m, f"1357777{len(agents):04d}", "代理" + "甲乙"[len(agents)]),
                          agent_points(till, m, points)]).status_code == 200
        agents.append(m)
    till.close()
    facts["withdrawals"] = [withdrawals.request_withdrawal(db, holder=agents[0], point_type="agent", points=2000,
                                                           requested_by="cs-li", now=now()).withdrawal_id,
                            withdrawals.request_withdrawal(db, holder=agents[1], point_type="agent", points=3000,
                                                           requested_by="cs-wang", now=now()).withdrawal_id,
                            withdrawals.request_withdrawal(db, holder=agents[0], point_type="agent", points=1500,
                                                           requested_by="cs-li", now=now()).withdrawal_id]
    withdrawals.approve_withdrawal(db, withdrawal_id=facts["withdrawals"][1], staff="fin-zhao", now=now(),
                                   actor=Actor("fin-zhao", StaffRole.FINANCE))
    seed_more(hq, db, facts)
    db.dispose()


def seed_more(hq: HQServer, db: Database, facts: dict) -> None:
    """Till staff, a tier above the base one, a member's tier change and coupon, a charity, a dev SMS."""
    for sid, name, role, pin in (("c-01", "李娜", "cashier", "4821"), ("c-02", "王强", "cashier", "5930"),
                                 ("m-01", "陈经理", "manager", "7702")):
        r = hq.admin("PUT", f"/stores/sh-001/staff/{sid}", json={"name": name, "role": role, "pin": pin})
        assert r.status_code == 200, r.text
    r = hq.admin("PUT", "/catalog/tier/gold", json={"name": "金卡会员", "min_spend_fen": 500000, "multiplier_pct": 150,
                                                     "benefits": ["生日双倍积分", "免费礼品包装"]})
    assert r.status_code == 200, r.text
    member = facts["members"][1][0]
    till = FakeDevice(hq, "sh-002")
    change = till.event(Entry(Kind.TIER_CHANGE, {"member_id": member, "from": "basic", "to": "gold",
                                                 "reason": "upgrade"}, member_id=member))
    assert till.push([change]).status_code == 200
    till.close()
    coupons.issue_coupon(db, member_id=member, type_id="OFF10", staff="cs-li", now=now())
    op = Actor("op-zhang", StaffRole.OPERATOR)
    charities.put_charity(db, op, key="hope", name="希望工程", name_en="Project Hope", about="资助贫困地区儿童上学",
                          now=now())
    charities.put_charity(db, op, key="green", name="绿色江南", about="长江沿岸植树", listed=False, now=now())
    sms.DevSender(db).send(facts["members"][0][1], "482913", 5)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots" / "console"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="console-shots-"))
    with HQServer(sqlite_url(folder)) as hq, sync_playwright() as p:
        facts = seed(hq)
        browser = launch(p)
        ctx = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 860}, base_url=hq.url)
        page = ctx.new_page()

        def shot(name: str, path: str | None = None, full: bool = True) -> None:
            if path:
                page.goto(path)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(out / f"{name}.png"), full_page=full)
            print(name, page.url)

        def sign_in(user: str, password: str) -> None:
            page.goto("/console/login")
            page.fill("input[name=username]", user)
            page.fill("input[name=password]", password)
            page.click("button[type=submit]")

        def post_too_large() -> None:
            """A form body over the 256 kB limit, posted from the page itself (a form on the campaign page
            with a long name): HQ answers its 413 page, in the page's language."""
            page.goto("/console/programme/campaign/new")
            with page.expect_navigation():
                page.evaluate("""() => {
                    const form = document.querySelector("form[action$='/save']");
                    const big = document.createElement('textarea');
                    big.name = 'about'; big.value = 'x'.repeat(300 * 1024);
                    form.appendChild(big); form.submit(); }""")

        # The refusals shot in Chinese and again in English: the same steps, whatever the page's language.
        def adjust(points: str, reason: str) -> None:
            """On a member's page: adjust their points."""
            page.fill("input[name=points]", points)
            page.fill("input[name=reason]", reason)
            page.click("form[action$='/adjust'] button")

        def refuse_campaign() -> None:
            """A campaign that ends before it starts."""
            page.goto("/console/programme/campaign/new")
            page.fill("input[name=key]", "new-year")
            page.fill("input[name=name]", "新年三倍积分")
            page.fill("input[name=starts_at]", "2027-01-01 00:00")
            page.fill("input[name=ends_at]", "2026-12-31 00:00")
            page.fill("input[name=multiplier_pct]", "300")
            page.click("form[action$='/save'] button[type=submit]")

        def refuse_level_rewards() -> None:
            """Three levels of guide rewards without their agent and store shares."""
            page.goto("/console/programme/point-types")
            page.fill("input[name=guide_pct]", "10, 5, 2")
            page.click("#level-rewards button")

        def move_stock(qty: str) -> None:
            """Cups from Hangzhou's first store to Shanghai's second (it holds fewer than 9)."""
            page.select_option("#move select[name=gift_id]", "CUP-01")
            page.select_option("#move select[name=from_location]", "hz-001")
            page.select_option("#move select[name=to_location]", "sh-002")
            page.fill("#move input[name=qty]", qty)
            page.click("#move button[type=submit]")

        shot("01-login", "/console/login")
        sign_in("admin", "wrong password!")
        shot("02-login-refused")
        sign_in("cs-li", "screenshot-pw-1")
        m, phone, _name = facts["members"][1]
        page.goto(f"/console/members/{m}")
        adjust("3000", "会员卡丢失补偿")
        page.context.clear_cookies()
        sign_in("admin", ADMIN_PASSWORD)
        shot("03-home")
        shot("04-dashboard-7-days", "/console/dashboard?period=7d")
        shot("05-dashboard-store-today", "/console/dashboard?period=today&store=sh-001")
        shot("06-members-search", f"/console/members?q={phone[:7]}")
        shot("07-members-all", "/console/members?sort=name")
        shot("08-member", f"/console/members/{m}")
        page.goto(f"/console/members/{facts['members'][2][0]}")
        page.fill("input[name=freeze_reason]", "疑似盗刷，暂停使用")
        page.click("button:has-text('冻结')")
        shot("09-member-frozen")
        adjust("-99999", "误操作")
        shot("10-member-adjust-refused")
        shot("11-approvals", "/console/members/approvals?state=pending")
        shot("12-programme", "/console/programme")
        shot("13-products", "/console/programme/product")
        shot("14-gifts", "/console/programme/gift")
        shot("15-coupon-types", "/console/programme/coupon_type")
        shot("16-campaigns", "/console/programme/campaign")
        refuse_campaign()
        shot("17-campaign-form-refused")
        shot("18-campaign-edit", "/console/programme/campaign/double-weekend")
        shot("19-lotteries", "/console/programme/lottery")
        shot("20-lottery-edit", "/console/programme/lottery/wheel")
        shot("21-rules", "/console/programme/rules")
        shot("22-label-batches", "/console/programme/labels")
        shot("23-stores", "/console/stores")
        page.goto("/console/stores/sh-001")
        page.click("button:has-text('生成注册令牌')")
        shot("24-store-enrolment-qr")
        shot("25-store", "/console/stores/sh-002")
        shot("26-conflicts", "/console/conflicts?state=open")
        task = re.search(r'href="/console/conflicts/([0-9a-f-]{36})"', page.content()).group(1)
        shot("27-conflict", f"/console/conflicts/{task}")
        shot("28-users", "/console/users")
        shot("29-user", "/console/users/mgr-sh001")
        shot("30-audit-log", "/console/audit")
        shot("36-orders", "/console/orders")
        # the orders list at the two screens staff use: a state, mode or location never wraps
        for width, height in ((1366, 768), (1920, 1080)):
            page.set_viewport_size({"width": width, "height": height})
            shot(f"36-orders-{width}x{height}", "/console/orders")
            wrapped = page.eval_on_selector_all("table.list td.kind-word", """cells => cells.filter(td => {
                const r = document.createRange(); r.selectNodeContents(td);
                return r.getClientRects().length > 1 || td.scrollWidth > td.clientWidth; }).map(td => td.innerText)""")
            print(f"  {width}x{height}: {len(wrapped)} word cells wrapped {wrapped}")
        page.set_viewport_size({"width": 1366, "height": 860})
        order = facts["orders"][0]
        shot("37-order", f"/console/orders/{order}")
        page.fill("input[name=carrier]", "顺丰速运")
        page.fill("input[name=tracking_no]", "SF 12")
        page.click("form[action$='/ship'] button")
        shot("38-order-ship-refused")
        page.fill("input[name=tracking_no]", "SF1207000456")
        page.click("form[action$='/ship'] button")
        shot("39-order-shipped")
        shot("40-order-pickup", f"/console/orders/{facts['orders'][4]}")
        shot("41-stock", "/console/stock")
        move_stock("9")
        shot("42-stock-move-refused")
        move_stock("4")
        shot("43-stock-moved")
        shot("44-stock-history", "/console/stock/moves")
        shot("45-withdrawals", "/console/withdrawals")
        shot("46-withdrawal", f"/console/withdrawals/{facts['withdrawals'][0]}")
        page.click("form[action$='/refuse'] button")
        shot("47-withdrawal-refuse-refused")
        shot("48-point-types", "/console/programme/point-types")
        refuse_level_rewards()
        shot("49-level-rewards-refused")
        post_too_large()
        shot("63-body-too-large")
        page.goto("/lang/en?next=/console/dashboard%3Fperiod%3D30d")
        shot("31-dashboard-en")
        shot("32-members-en", "/console/members")
        # refusals in English: a form refused, a level-rewards refusal, a stock move refused, an adjustment
        refuse_campaign()
        shot("59-campaign-form-refused-en")
        refuse_level_rewards()
        shot("60-level-rewards-refused-en")
        page.goto("/console/stock")
        move_stock("9")
        shot("61-stock-move-refused-en")
        page.goto(f"/console/members/{facts['members'][2][0]}")
        adjust("-99999", "mistake")
        shot("62-member-adjust-refused-en")
        page.goto("/console/programme/mall")
        page.fill("#game-form input[name=seconds]", "3")
        page.click("#game-form button")
        shot("65-game-refused-en")
        post_too_large()
        shot("64-body-too-large-en")
        page.goto("/lang/zh?next=/console/")
        page.context.clear_cookies()
        sign_in("op-zhang", "screenshot-pw-1")
        shot("33-operator-home")
        shot("34-refused-wrong-role", "/console/users")
        page.context.clear_cookies()
        sign_in("mgr-sh001", "screenshot-pw-1")
        shot("35-store-manager-dashboard", "/console/dashboard")
        shot("50-store-manager-stock", "/console/stock")
        page.context.clear_cookies()
        sign_in("admin", ADMIN_PASSWORD)
        shot("51-store-staff", "/console/stores/sh-001?staff=c-01")
        page.fill("#staff-form input[name=staff_id]", "c-03")
        page.fill("#staff-form input[name=name]", "赵丽")
        page.fill("#staff-form input[name=pin]", "12")
        page.click("#staff-form button")
        shot("52-store-staff-refused")
        shot("53-tiers", "/console/programme/tier")
        shot("54-tier-edit", "/console/programme/tier/gold")
        shot("55-mall-settings", "/console/programme/mall")
        page.fill("#game-form input[name=seconds]", "3")
        page.click("#game-form button")
        shot("56-game-refused")
        shot("57-sms-codes", "/console/sms-codes")
        page.goto("/console/programme/gift/CUP-01")
        page.set_input_files("#picture-form input[name=picture]", str(ROOT / "resources" / "gifts" / "GIFT-CUP.png"))
        page.click("#picture-form button")
        shot("58-gift-picture")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
