"""Refusals that carry values ("hq holds 40 of the gift: it cannot send 41", "at most 20 points") read in
the reader's language, on SQLite and PostgreSQL, through the HTTP client: beside the field on a form and
on an error page, in Simplified Chinese (the default) and in English (the `lang` cookie)."""

from __future__ import annotations

from tests.console.client import Console
from tests.console.test_members_page import a_member
from tests.console.test_stock_page import a_gift


def english(console: Console) -> Console:
    console.http.cookies.set("lang", "en")
    return console


def test_stock_refusals_with_their_figures(web_hq, store_id, staff_user):
    web_hq.create_store(store_id)
    gift = a_gift(web_hq)
    with Console(web_hq, *staff_user("operator")) as op:
        assert op.post("/console/stock/allot", {"gift_id": gift, "location": "hq", "qty": "40"}).status_code == 303
        move = {"gift_id": gift, "from_location": "hq", "to_location": store_id, "qty": "41"}
        zh = op.post("/console/stock/move", move)
        assert zh.status_code == 422 and f"数量：hq 仅剩 40 件 {gift}，无法调出 41 件" in zh.text
        zh_big = op.post("/console/stock/allot", {"gift_id": gift, "location": "hq", "qty": "2000000"})
        assert zh_big.status_code == 422 and "数量：须为 1 到 1,000,000 件（或小于零以减少库存）" in zh_big.text
        en = english(op).post("/console/stock/move", move)
        assert en.status_code == 422 and f"qty: hq holds 40 of {gift}: it cannot send 41" in en.text
        assert "仅剩" not in en.text
        en_big = op.post("/console/stock/allot", {"gift_id": gift, "location": "hq", "qty": "2000000"})
        assert "qty: a quantity is 1 to 1,000,000 units (or less than zero to take some away)" in en_big.text


def test_an_adjustment_too_big_and_a_record_too_long(web_hq, store_id, staff_user):
    member, *_rest, till = a_member(web_hq, store_id, points=30)
    with Console(web_hq, *staff_user("customer_service")) as cs:
        take = {"points": "-500", "reason": "typo"}
        zh = cs.post(f"/console/members/{member}/adjust", take)
        assert zh.status_code == 422 and "会员可扣除的积分不足（" in zh.text
        en = english(cs).post(f"/console/members/{member}/adjust", take)
        assert en.status_code == 422 and "the member has fewer points to take away (" in en.text
    with Console(web_hq, *staff_user("operator")) as op:
        long_name = {"key": "P-too-long", "name": "茶" * 81, "category": "tea", "price_fen": "1"}
        zh = op.post("/console/programme/product/save", long_name)
        assert zh.status_code == 422 and "名称 最多 80 个字符" in zh.text and "name 最多" not in zh.text
        en = english(op).post("/console/programme/product/save", long_name)
        assert en.status_code == 422 and "Name is at most 80 characters" in en.text
    till.close()


def test_an_error_page_with_values(web_hq):
    with Console(web_hq) as admin:
        zh = admin.get("/console/conflicts", params={"per": "9999"})
        assert zh.status_code == 422 and "per 须为 1 到 " in zh.text
        en = english(admin).get("/console/conflicts", params={"per": "9999"})
        assert en.status_code == 422 and "per must be a whole number from 1 to " in en.text and "须为" not in en.text
        zh_sort = english(admin)
        zh_sort.http.cookies.set("lang", "zh")
        assert "此列表不能按 &#39;password&#39; 排序" in zh_sort.get("/console/conflicts",
                                                                   params={"sort": "password"}).text


def test_an_unknown_order_named_in_both_languages(web_hq):
    with Console(web_hq) as admin:
        zh = admin.get("/console/orders/no-such-order-1")
        assert zh.status_code == 404 and "订单号：没有订单 &#39;no-such-order-1&#39;" in zh.text
        en = english(admin).get("/console/orders/no-such-order-1")
        assert en.status_code == 404 and "order_id: no order &#39;no-such-order-1&#39;" in en.text
        assert "没有订单" not in en.text
