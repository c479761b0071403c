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

from pos_app.domain.ids import new_id  # noqa: E402
from tests.hq.server import ADMIN_PASSWORD, HQServer, sqlite_url  # noqa: E402
from tests.hq.wire_events import FakeDevice  # noqa: E402
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
    return facts


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

        shot("01-login", "/console/login")
        sign_in("admin", "wrong password!")
        shot("02-login-refused")
        sign_in("cs-li", "screenshot-pw-1")
        m, phone, _name = facts["members"][1]
        page.goto(f"/console/members/{m}")
        page.fill("input[name=points]", "3000")
        page.fill("input[name=reason]", "会员卡丢失补偿")
        page.click("button:has-text('调整')")
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
        page.fill("input[name=points]", "-99999")
        page.fill("input[name=reason]", "误操作")
        page.click("button:has-text('调整')")
        shot("10-member-adjust-refused")
        shot("11-approvals", "/console/members/approvals?state=pending")
        shot("12-programme", "/console/programme")
        shot("13-products", "/console/programme/product")
        shot("14-gifts", "/console/programme/gift")
        shot("15-coupon-types", "/console/programme/coupon_type")
        shot("16-campaigns", "/console/programme/campaign")
        page.goto("/console/programme/campaign/new")
        page.fill("input[name=key]", "new-year")
        page.fill("input[name=name]", "新年三倍积分")
        page.fill("input[name=starts_at]", "2027-01-01 00:00")
        page.fill("input[name=ends_at]", "2026-12-31 00:00")
        page.fill("input[name=multiplier_pct]", "300")
        page.click("button:has-text('保存')")
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
        page.goto("/lang/en?next=/console/dashboard%3Fperiod%3D30d")
        shot("31-dashboard-en")
        shot("32-members-en", "/console/members")
        page.goto("/lang/zh?next=/console/")
        page.context.clear_cookies()
        sign_in("op-zhang", "screenshot-pw-1")
        shot("33-operator-home")
        shot("34-refused-wrong-role", "/console/users")
        page.context.clear_cookies()
        sign_in("mgr-sh001", "screenshot-pw-1")
        shot("35-store-manager-dashboard", "/console/dashboard")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
