"""Tiers in the console (operators), on SQLite and PostgreSQL: a tier record checked with the tills'
own rules (a threshold missing, or one the chain's other tiers do not use, named beside the field),
listed, removed; and a member's page with their tier history, coupons and online orders."""

from __future__ import annotations

import re
import secrets
import uuid

import pytest

from hq_server.db import Database
from hq_server.programme import coupons, tiers
from pos_app.domain.ledger import Entry, Kind
from tests.console.client import Console, flash_of
from tests.console.test_members_page import a_member
from tests.console.test_orders_page import a_gift, an_order
from tests.hq.wire_events import now


@pytest.fixture
def db(web_hq):
    database = Database(web_hq.db_url)
    yield database
    database.dispose()


def test_a_tier_checked_like_the_tills_do(web_hq, staff_user):
    code = f"g{secrets.token_hex(3)}"
    with Console(web_hq, *staff_user("operator")) as op:
        assert "会员等级" in op.get("/console/programme").text
        form = {"key": code, "name": "金卡", "multiplier_pct": "150", "benefits": "生日双倍积分, 免费礼品包装"}
        none = op.post("/console/programme/tier/save", form)
        assert none.status_code == 422 and "等级需要设置消费门槛、积分门槛或两者" in none.text
        other_basis = op.post("/console/programme/tier/save", {**form, "min_points": "5000"})
        assert other_basis.status_code == 422 and "所有等级须使用相同的门槛" in other_basis.text
        assert 'value="5000"' in other_basis.text
        bad_rate = op.post("/console/programme/tier/save", {**form, "min_spend_fen": "5000", "multiplier_pct": "0"})
        assert bad_rate.status_code == 422 and "multiplier_pct" in bad_rate.text
        made = op.post("/console/programme/tier/save", {**form, "min_spend_fen": "5000"})
        assert made.status_code == 303
        listed = op.get("/console/programme/tier")
        assert code in listed.text and "5000.00" in listed.text and "金卡" in listed.text
        assert op.post(f"/console/programme/tier/{code}/remove").status_code == 303
        gone = op.get("/console/programme/tier")
        assert flash_of(gone) == [f"{code} 已删除。"] and code not in gone.text.split("<tbody>")[1]
    with Console(web_hq, *staff_user("customer_service")) as cs:
        assert cs.post("/console/programme/tier/save", {**form, "min_spend_fen": "1"}).status_code == 403
    with Console(web_hq) as admin:
        log = admin.get("/console/audit", params={"target": f"tier:{code}"}).text
        assert "catalog.create" in log and "catalog.remove" in log


def test_a_tiers_perks_keep_the_order_staff_gave_them(web_hq, db, staff_user):
    code = f"p{secrets.token_hex(3)}"
    form = {"key": code, "name": "银卡", "min_spend_fen": "3000", "benefits": "生日礼, 免费停车，专属客服, 生日礼"}
    with Console(web_hq, *staff_user("operator")) as op:
        assert op.post("/console/programme/tier/save", form).status_code == 303
        shown = op.get(f"/console/programme/tier/{code}")
        assert 'value="生日礼, 免费停车, 专属客服"' in shown.text  # in order, each once
        seq = re.search(r'name="seq" value="(\d+)"', shown.text).group(1)
        assert tier_of(db, code).benefits == ("生日礼", "免费停车", "专属客服")
        again = {**form, "seq": seq, "benefits": "专属客服, 生日礼, 免费停车"}
        assert op.post("/console/programme/tier/save", again).status_code == 303
        assert 'value="专属客服, 生日礼, 免费停车"' in op.get(f"/console/programme/tier/{code}").text
        assert tier_of(db, code).benefits == ("专属客服", "生日礼", "免费停车")
        assert op.post(f"/console/programme/tier/{code}/remove").status_code == 303


def tier_of(db, code: str):
    return next(t for t in tiers.tiers_in_force(db, now=now()) if t.code == code)


def test_a_members_tier_history_coupons_and_orders(web_hq, db, store_id):
    member, _phone, _name, till = a_member(web_hq, store_id, points=300)
    change = till.event(Entry(Kind.TIER_CHANGE, {"member_id": member, "from": "basic", "to": "silver",
                                                 "reason": "upgrade"}, member_id=member))
    assert till.push([change]).status_code == 200
    type_id = f"C-{uuid.uuid4().hex[:6]}"
    assert web_hq.admin("PUT", f"/catalog/coupon_type/{type_id}", json={
        "name": "满100减10", "points_cost": 50, "kind": "amount", "value": 1000, "min_spend_fen": 10000,
        "valid_days": 30}).status_code == 200
    coupon = coupons.issue_coupon(db, member_id=member, type_id=type_id, staff="cs-test", now=now())
    order = an_order(db, member, a_gift(web_hq, db, points=40))
    with Console(web_hq) as admin:
        page = admin.get(f"/console/members/{member}").text
        history = page.split('id="tier-history"')[1].split("</table>")[0]
        assert "basic" in history and "silver" in history and "升级" in history and "upgrade" not in history
        held = page.split('id="coupons"')[1].split("</table>")[0]
        assert coupon.code in held and type_id in held
        assert ">可使用<" in held and ">active<" not in held  # the coupon's state in the reader's language
        listed = admin.get("/console/programme/coupon_type", params={"q": type_id}).text
        assert ">满减<" in listed and ">amount<" not in listed  # its kind too, on the coupon types' list
        form = admin.get(f"/console/programme/coupon_type/{type_id}").text
        assert '<option value="amount" selected>满减</option>' in form and '<option value="percent">折扣</option>' in form
        assert f'<h1>优惠券类型：{type_id}</h1>' in form  # a Chinese heading's colon is the full-width one
        orders = page.split('id="orders"')[1].split("</table>")[0]
        assert f"/console/orders/{order}" in orders and "待处理" in orders
        empty = admin.get(f"/console/members/{a_member(web_hq, store_id)[0]}").text
        assert "暂无等级变动。" in empty and "暂无优惠券。" in empty and "暂无线上订单。" in empty
        assert flash_of(admin.get("/console/")) == []
    till.close()
