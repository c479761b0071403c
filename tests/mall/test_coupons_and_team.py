"""Coupons and the guides' and agents' page through the HTTP client against a real `hq-server serve`
(SQLite and PostgreSQL): a coupon bought with points (a double tap buys one), HQ's free coupon, a
coupon shown as a signed QR; the team by level, and withdrawal requests with their state. Every
refusal says why and changes nothing."""

from __future__ import annotations

import re
import secrets
import uuid

import pytest

from hq_server.errors import HQProblem
from hq_server.programme import team as T
from hq_server.programme.audit import Actor
from hq_server.programme.member_care import freeze, unfreeze
from hq_server.programme.coupons import issue_coupon, member_coupons
from hq_server.programme.withdrawals import approve_withdrawal, list_withdrawals, refuse_withdrawal
from pos_app.domain import entries as E
from pos_app.domain import ledger as L
from pos_app.domain.ids import new_id
from pos_app.domain.ledger import Kind, payload_hash
from tests.hq.wire_events import RULES, FakeDevice, now
from tests.mall.test_campaigns import give_points, member_of, points
from tests.mall.test_gift_mall import error_of
from tests.mall.test_mall_http import form_token, signed_in


def coupon_type(hq, points_cost: int = 200, **more) -> str:
    type_id = f"T-{uuid.uuid4().hex[:8]}"
    r = hq.admin("PUT", f"/catalog/coupon_type/{type_id}", json={"name": "满100减10", "points_cost": points_cost,
                                                                 "kind": "amount", "value": 1000,
                                                                 "min_spend_fen": 10_000, **more})
    assert r.status_code == 200, r.text
    return type_id


def buy_form(html: str, type_id: str) -> dict:
    form = html[html.index(f'value="{type_id}"') - 400:html.index(f'value="{type_id}"') + 300]
    return {"csrf": form_token(html), "type_id": type_id, "key": re.search(r'name="key" value="([^"]+)"', form).group(1)}


def test_a_coupon_bought_with_points_once_however_often_tapped_and_shown_as_qr(hq, db, phone, store_id):
    c, token = signed_in(hq, db, phone)
    member_id = member_of(db, phone)
    give_points(hq, store_id, member_id, 500)
    ten = coupon_type(hq, 200)
    page = c.get("/m/coupons").text
    assert "满100减10" in page and "暂无可用优惠券" in page and "200 积分" in page
    form = buy_form(page, ten)
    first, second = c.post("/m/coupons/buy", data=form), c.post("/m/coupons/buy", data=form)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert points(db, member_id) == 300 and len(member_coupons(db, member_id)) == 1
    shown = c.get(first.headers["location"]).text
    assert "兑换成功：在任一门店收银台出示即可使用" in shown and "满 100.00 元可用" in shown
    assert re.search(r'id="coupon-qr" data-code="PM1:C:[^"]+"', shown) and "<svg" in shown, shown.split("<main")[1][:1500]
    # refusals: too few points, a type not on offer, a stale form; nothing changes
    dear = coupon_type(hq, 400)
    r = c.post("/m/coupons/buy", data=buy_form(c.get("/m/coupons").text, dear))
    assert r.status_code == 409 and "可用积分不足" in error_of(r.text)
    r = c.post("/m/coupons/buy", data={"csrf": token, "type_id": "NO-SUCH", "key": secrets.token_hex(8)})
    assert r.status_code == 404 and "这款优惠券已下架" in error_of(r.text)
    r = c.post("/m/coupons/buy", data={**form, "type_id": dear})  # a used key for another type
    assert r.status_code == 409
    assert c.post("/m/coupons/buy", data={"type_id": ten, "key": "k"}).status_code == 403
    freeze(db, Actor("op-coupons", "operator"), member_id, "checking", now())
    r = c.post("/m/coupons/buy", data=buy_form(c.get("/m/coupons").text, ten))
    assert r.status_code == 403 and "冻结" in error_of(r.text)
    unfreeze(db, Actor("op-coupons", "operator"), member_id, now())
    assert points(db, member_id) == 300 and len(member_coupons(db, member_id)) == 1
    # HQ's free coupon shows as HQ's gift; another member's coupon is not found
    free = issue_coupon(db, member_id=member_id, type_id=ten, staff="cs-wang", now=now())
    mine = c.get("/m/coupons").text
    assert "总部赠送" in mine and f"/m/coupons/{free.code}" in mine
    other, _ = signed_in(hq, db, "13" + phone[2:][::-1])
    assert other.get(f"/m/coupons/{free.code}").status_code == 404


def register_under(dev: FakeDevice, referrer: str | None) -> str:
    m = new_id()
    ev = dev.register(m, "136" + str(uuid.uuid4().int % 10**8).zfill(8), name="赵小明")
    ev["payload"]["referred_by"] = referrer
    ev["payload_hash"] = payload_hash(ev["payload"])
    assert dev.push([ev]).json()["answers"][0]["status"] == "ok"
    return m


def test_the_team_by_level_and_withdrawals(hq, db, phone, store_id):
    c, token = signed_in(hq, db, phone)
    me = member_of(db, phone)
    dev = FakeDevice(hq, store_id)
    a1, _a2 = register_under(dev, me), register_under(dev, me)
    b1 = register_under(dev, a1)
    register_under(dev, b1)
    register_under(dev, register_under(dev, None))  # not mine
    bonus = dev.event(E.earn(Kind.REFERRAL_BONUS, member_id=me, points=1500, store_id=store_id, owed=0,
                             lot_id=new_id(), now=now(), rules=RULES, payload={"referee": a1},
                             ptype=L.PointType.AGENT))
    assert dev.push([bonus]).json()["answers"][0]["status"] == "ok"
    assert hq.admin("PUT", f"/stores/{store_id}/recruiter", json={"agent_id": me}).status_code == 204
    page = c.get("/m/team").text
    assert "我推荐的门店" in page
    levels = re.findall(r"第 (\d) 级</span><strong>(\d+) 人", page)
    assert levels == [("1", "2"), ("2", "1"), ("3", "1")], levels
    assert "赵*" in page and "赵小明" not in page  # recruits' names are masked
    assert "1,500" in page and "推荐积分" in page
    key = re.search(r'name="key" value="([^"]+)"', page).group(1)
    form = {"csrf": form_token(page), "key": key, "point_type": "agent", "points": "1200"}
    assert c.post("/m/withdrawals", data=form).status_code == 303
    assert c.post("/m/withdrawals", data=form).status_code == 303  # the double tap asks once
    [w] = list_withdrawals(db, holder=me)
    assert (w.points, w.status) == (1200, "pending")
    page = c.get("/m/team").text
    assert "提现申请已提交" in page and "审核中" in page and "¥12.00" in page
    refusals = [({"point_type": "agent", "points": "500"}, 422, "不能少于"),
                ({"point_type": "agent", "points": "1000"}, 409, "可用积分不足"),
                ({"point_type": "consumer", "points": "1000"}, 422, "不能提现"),
                ({"point_type": "guide", "points": "1000"}, 409, "不能提现"),
                ({"point_type": "gold", "points": "1000"}, 422, "请检查填写的内容")]
    for more, status, words in refusals:
        r = c.post("/m/withdrawals", data={"csrf": token, "key": secrets.token_hex(8), **more})
        assert r.status_code == status and words in error_of(r.text), (more, r.status_code, error_of(r.text))
    assert len(list_withdrawals(db, holder=me)) == 1
    refuse_withdrawal(db, withdrawal_id=w.withdrawal_id, staff="fin-zhao", note="请先完善收款信息", now=now())
    page = c.get("/m/team").text
    assert "未通过，积分已退回" in page and "请先完善收款信息" in page
    # a member who is one of the chain's shopping guides sees their guide points and recruits too
    guide, recruit = f"g-{secrets.token_hex(4)}", f"g-{secrets.token_hex(4)}"
    for staff, name in ((guide, "导购小李"), (recruit, "导购小王")):
        assert hq.admin("PUT", f"/stores/{store_id}/staff/{staff}", json={"name": name, "role": "cashier",
                                                                          "pin": "2468"}).status_code == 200
    r = hq.admin("PUT", f"/staff/{recruit}/recruiter", json={"recruited_by": guide})
    assert r.status_code in (200, 204), r.text
    earned = E.credit(Kind.GUIDE_EARN, account=L.guide_account(guide), points=1500, source=L.store_issued(store_id),
                      debt_acct=None, owed=0, lot_id=new_id(), now=now(), rules=RULES, payload={"guide_id": guide},
                      member_id=None, lock=False)
    assert dev.push([dev.event(earned, staff_id=guide)]).json()["answers"][0]["status"] == "ok"
    assert hq.admin("PUT", f"/members/{me}/guide", json={"staff_id": "no-such-guide"}).status_code == 404
    assert hq.admin("PUT", f"/members/{me}/guide", json={"staff_id": guide}).status_code == 204
    other = register_under(dev, None)
    with pytest.raises(HQProblem):  # a guide is one member
        T.link_guide(db, member_id=other, staff_id=guide, now=now())
    page = c.get("/m/team").text
    assert "我推荐的导购" in page and "导*" in page and "导购积分" in page
    assert c.post("/m/withdrawals", data={"csrf": token, "key": secrets.token_hex(8), "point_type": "guide",
                                          "points": "1000"}).status_code == 303
    [gw] = list_withdrawals(db, holder=guide)
    approve_withdrawal(db, withdrawal_id=gw.withdrawal_id, staff="fin-zhao", now=now())
    assert "已批准，待打款" in c.get("/m/team").text


def test_a_coupon_bought_in_the_mall_is_taken_at_a_till_and_then_reads_used(hq, db, phone, make_store):
    """The QR the mall shows is what a till's cashier scans: the till verifies HQ's signature with the key it
    pulled and takes the discount; once the till syncs, the mall shows the coupon used."""
    from pos_app.services import checkout
    from pos_app.services.demo import CASHIER_ID
    from pos_app.sync.cycle import client_for, sync_once
    from pos_app.sync.lookup import find_or_fetch
    till = make_store("coupon")
    c, _token = signed_in(hq, db, phone)
    member_id = member_of(db, phone)
    give_points(hq, till.who.store_id, member_id, 300)
    five = coupon_type(hq, 100, value=500, min_spend_fen=0)
    bought = c.post("/m/coupons/buy", data=buy_form(c.get("/m/coupons").text, five))
    shown = c.get(bought.headers["location"]).text
    qr = re.search(r'id="coupon-qr" data-code="([^"]+)"', shown).group(1)
    sync_once(till.db)  # HQ's key and the member's coupon reach the till
    assert find_or_fetch(till.db, client_for(till.db), member_id) == member_id
    sale = checkout.checkout(till, staff_id=CASHIER_ID, items=[("TEA-PUER", 1)], member_id=member_id, coupons=[qr])
    assert sale.quote.discount_fen == 500, sale.quote
    sync_once(till.db)
    [coupon] = member_coupons(db, member_id)
    assert coupon.status == "used"
    mine = c.get("/m/coupons").text
    assert "暂无可用优惠券" in mine and "已使用或已过期" in mine
    assert "这张优惠券已使用" in c.get(bought.headers["location"]).text


def test_the_team_is_paged_by_level_and_the_stores_searched_by_name(hq, db, phone, store_id):
    """A level of more than the page shows (the newest ten) links to its own paged list: twenty a page,
    newest first, names masked; the recruited stores are searched by name. Unknown lists are not found."""
    from sqlalchemy import select

    from hq_server import models as M
    c, _token = signed_in(hq, db, phone)
    me = member_of(db, phone)
    dev = FakeDevice(hq, store_id)
    invited = []
    for i in range(23):
        m = new_id()
        ev = dev.register(m, "137" + str(uuid.uuid4().int % 10**8).zfill(8), name=f"钱{i:02d}")
        ev["payload"]["referred_by"] = me
        ev["payload_hash"] = payload_hash(ev["payload"])
        invited.append(ev)
    answers = dev.push(invited).json()["answers"]
    assert [a["status"] for a in answers] == ["ok"] * 23, answers
    register_under(dev, invited[0]["payload"]["member_id"])
    assert hq.admin("PUT", f"/stores/{store_id}/recruiter", json={"agent_id": me}).status_code == 204
    page = c.get("/m/team").text
    assert re.findall(r"第 (\d) 级</span><strong>(\d+) 人", page)[:2] == [("1", "23"), ("2", "1")]
    assert '<a href="/m/team/agent?level=1">还有 13 人</a>' in page
    first = c.get("/m/team/agent", params={"level": "1"})
    assert first.status_code == 200 and "23 人" in first.text and "1 / 2" in first.text
    rows = re.findall(r'<p class="row"><span>([^<]+)</span>', first.text)
    assert len(rows) == 20 and set(rows) == {"钱**"}, rows  # masked, never the whole name
    assert "钱00" not in first.text and 'href="?level=1&q=&page=2"' in first.text
    second = c.get("/m/team/agent", params={"level": "1", "page": "2"}).text
    assert len(re.findall(r'<p class="row"><span>', second)) == 3 and "2 / 2" in second
    assert len(re.findall(r'<p class="row"><span>', c.get("/m/team/agent", params={"level": "2"}).text)) == 1
    assert "没有找到" in c.get("/m/team/guide", params={"level": "1"}).text  # not a guide: an empty list
    # the stores the member recruited, searched by name
    with db.read() as conn:
        name = conn.execute(select(M.stores.c.name).where(M.stores.c.store_id == store_id)).scalar_one()
    found = c.get("/m/team/stores", params={"q": name[-3:]}).text
    assert f"<span>{name}</span>" in found and "1 家门店" in found
    assert f"<span>{name}</span>" not in c.get("/m/team/stores", params={"q": "没有这家店"}).text
    for bad in ({"kind": "nope", "level": "1"}, {"kind": "agent", "level": "4"}):
        assert c.get(f"/m/team/{bad['kind']}", params={"level": bad["level"]}).status_code == 404
    # another member sees their own (empty) team, never this one
    other, _ = signed_in(hq, db, "13" + phone[2:][::-1])
    assert "钱**" not in other.get("/m/team/agent", params={"level": "1"}).text
