"""What the screenshots showed run together or broken over lines, in Chromium at the two screens HQ's staff
use, in both languages: the dashboard's periods stand apart; the audit log's who, role and action each
hold one line."""

from __future__ import annotations

import uuid

import pytest

from tests.console.client import Console

SCREENS = [(1366, 768), (1920, 1080)]

WRAPPED = """cells => cells.filter(td => {
    const r = document.createRange(); r.selectNodeContents(td);
    return r.getClientRects().length > 1 || td.scrollWidth > td.clientWidth; }).map(td => td.innerText)"""


@pytest.mark.parametrize("width, height", SCREENS)
def test_the_dashboards_periods_stand_apart(signed_in_page, width, height):
    page = signed_in_page
    page.set_viewport_size({"width": width, "height": height})
    for lang in ("zh", "en"):
        page.goto(f"/lang/{lang}?next=/console/dashboard")
        boxes = page.eval_on_selector_all("nav.periods > *", "els => els.map(e => e.getBoundingClientRect().toJSON())")
        assert len(boxes) == 3
        gaps = [b["left"] - a["right"] for a, b in zip(boxes, boxes[1:])]
        assert min(gaps) >= 12, (lang, gaps)


@pytest.mark.parametrize("width, height", SCREENS)
def test_the_audit_logs_who_role_and_action_hold_one_line(signed_in_page, web_hq, width, height):
    key = f"P-{uuid.uuid4().hex[:6]}"
    with Console(web_hq) as admin:  # the chain admin's change: the longest role name, 连锁管理员
        for name in ("冻顶乌龙茶礼盒装 250g 两罐", "冻顶乌龙茶礼盒装 250g 三罐"):  # a change: before and after
            form = admin.get(f"/console/programme/product/{key}").text if name.endswith("三罐") else ""
            seq = form.split('name="seq" value="')[1].split('"')[0] if form else ""
            made = admin.post("/console/programme/product/save", {
                "key": key, "seq": seq, "name": name, "category": "tea-gift-boxes", "price_fen": "268.00",
                "barcode": "6901234567892", "active": "1"})
            assert made.status_code == 303, made.text[-800:]
    page = signed_in_page
    page.set_viewport_size({"width": width, "height": height})
    for lang in ("zh", "en"):
        page.goto(f"/lang/{lang}?next=/console/audit%3Fq%3D{key}")
        roles = page.locator("table.list tbody tr td:nth-child(3)").all_inner_texts()
        assert roles and roles[0] in ("连锁管理员", "Chain admin"), (lang, roles)
        who_role_action = ", ".join(f"table.list tbody td:nth-child({n})" for n in (2, 3, 4))
        wrapped = page.eval_on_selector_all(who_role_action, WRAPPED)
        assert wrapped == [], (lang, wrapped)
        # and the table still fits the screen: the JSON columns give way, no sideways scrolling
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), lang
