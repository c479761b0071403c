"""A day's work in a real browser (Debian's Chromium), on SQLite and PostgreSQL: sign in, create a
campaign, allot stock, adjust a member, resolve a conflict, ship an order, export a report."""

from __future__ import annotations

import csv
import io
import secrets

from hq_server.db import Database
from hq_server.programme import orders as O
from tests.console.test_conflicts_page import open_task
from tests.console.test_members_page import a_member
from tests.console.test_orders_page import a_gift, an_order


def test_a_days_work(signed_in_page, web_hq, store_id):
    page = signed_in_page
    member_id, phone, name, till = a_member(web_hq, store_id, points=80)
    task = open_task(web_hq, store_id)
    db = Database(web_hq.db_url)
    shopper, *_rest, shop_till = a_member(web_hq, f"{store_id}-mall", points=500)  # not in the report below
    order = an_order(db, shopper, a_gift(web_hq, db, points=50, qty=1))
    new_gift = f"G-{secrets.token_hex(4)}"
    assert web_hq.admin("PUT", f"/catalog/gift/{new_gift}", json={"name": "紫砂壶", "points_cost": 2000}
                        ).status_code == 200

    # a campaign, with a mistake first: the form says which field
    key = f"xmas-{secrets.token_hex(3)}"
    page.click("nav.side >> text=积分方案")
    page.click("text=营销活动")
    page.click("a.button:has-text('新建')")
    page.fill("input[name=key]", key)
    page.fill("input[name=name]", "圣诞双倍积分")
    page.fill("input[name=starts_at]", "2026-12-24 00:00")
    page.fill("input[name=ends_at]", "2026-12-23 00:00")
    page.fill("input[name=multiplier_pct]", "200")
    page.click("button:has-text('保存')")
    assert "结束时间必须晚于开始时间" in page.inner_text("label:has(input[name=ends_at])")
    page.fill("input[name=ends_at]", "2026-12-27 00:00")
    page.click("button:has-text('保存')")
    assert f"{key} 已保存" in page.inner_text(".flash")
    assert key in page.inner_text("table.list")

    # stock received at the warehouse: a typo first, the form says which field
    page.click("nav.side >> text=礼品库存")
    page.select_option("#allot select[name=gift_id]", new_gift)
    page.select_option("#allot select[name=location]", "hq")
    page.fill("#allot input[name=qty]", "2O")
    page.click("#allot button[type=submit]")
    assert "数量须为整数" in page.inner_text("#allot label:has(input[name=qty])")
    page.fill("#allot input[name=qty]", "20")
    page.fill("#allot input[name=note]", "到货单 2026-1207")
    page.click("#allot button[type=submit]")
    assert f"hq 现有 {new_gift} 20 件" in page.inner_text(".flash")
    page.fill("input[name=gift_id]", new_gift)
    page.wait_for_function("document.querySelector('#results').innerText.includes('紫砂壶')")

    # a member found by the first digits of their phone, adjusted with a reason
    page.click("nav.side >> text=会员")
    page.fill("input[name=q]", phone[:8])
    page.click("button:has-text('搜索')")
    page.click(f"table.list >> text={name}")
    page.fill("input[name=points]", "20")
    page.fill("input[name=reason]", "门店活动补发")
    page.click("button:has-text('调整')")
    assert "已调整 20 积分" in page.inner_text(".flash")
    assert page.inner_text("#balance-consumer") == "100"

    # a conflict resolved with a note
    page.click("nav.side >> text=冲突")
    page.select_option("select[name=state]", "open")
    page.fill("input[name=store]", store_id)
    page.click("button:has-text('搜索')")
    page.click(f"a[href='/console/conflicts/{task}']")
    page.fill("textarea[name=note]", "门店确认：标签印错，已处理")
    page.click("button:has-text('解决')")
    assert "任务已解决" in page.inner_text(".flash")

    # an online order picked and shipped with its tracking number
    page.click("nav.side >> text=线上订单")
    page.select_option("select[name=status]", "placed")
    page.fill("input[name=q]", order)
    page.click("button:has-text('搜索')")
    page.click(f"a[href='/console/orders/{order}']")
    page.click("button:has-text('开始拣货')")
    assert "已开始拣货" in page.inner_text(".flash")
    page.fill("input[name=carrier]", "顺丰速运")
    page.fill("input[name=tracking_no]", "SF1207000123")
    page.click("form[action$='/ship'] button")
    assert "单号 SF1207000123" in page.inner_text(".flash")
    assert page.inner_text("#order-state") == "已发货"
    assert O.order(db, order).status == O.SHIPPED

    # the report: the dashboard's stores ranked, as CSV
    page.click("nav.side >> text=数据看板")
    page.click("text=近 7 天")
    page.wait_for_function("document.querySelector('#chart-days canvas') !== null")  # ECharts drew
    with page.expect_download() as download:
        page.click("a.csv")
    text = open(download.value.path(), encoding="utf-8-sig").read()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "门店" and any(r[0] == store_id and r[2] == "108" for r in rows[1:])  # 80 earned, 28 by label

    # and the day is in the audit log
    page.click("nav.side >> text=审计日志")
    log = page.inner_text("table.list")
    for action in ("新建记录", "入库", "调整积分", "解决冲突", "订单发货"):  # catalog.create, stock.allot, ...
        assert action in log
    till.close()
    shop_till.close()
    db.dispose()
