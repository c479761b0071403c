"""Members in the console: search by phone prefix, name, card and id; the member's page with balances,
lots and statement (and its CSV); adjust up and down through HQ's own ledger events, which the till
following the member pulls; above the threshold a second person approves (never the one who asked);
freeze and unfreeze; refusals for bad input, the wrong role and a stale form."""

from __future__ import annotations

import csv
import io
import secrets

from pos_app.domain.ids import new_id
from tests.console.client import Console, flash_of
from tests.hq.wire_events import FakeDevice


def a_member(hq, store_id: str, points: int = 100, name: str | None = None) -> tuple[str, str, str, FakeDevice]:
    till = FakeDevice(hq, store_id)
    m, phone = new_id(), f"138{secrets.randbelow(10**8):08d}"
    name = name or f"王{secrets.token_hex(3)}"
    assert till.push([till.register(m, phone, name), till.earn(m, points)]).status_code == 200
    return m, phone, name, till


def balance_on(page_text: str) -> str:
    return page_text.split('id="balance-consumer">')[1].split("<")[0]


def test_search_page_and_statement(web_hq, store_id):
    m, phone, name, till = a_member(web_hq, store_id)
    with Console(web_hq) as admin:
        for q in (phone[:7], name, m):
            found = admin.get("/console/members", params={"q": q})
            assert f"/console/members/{m}" in found.text, q
        card = admin.get("/console/members", params={"q": "1" * 30})
        assert card.status_code == 200 and "没有找到记录" in card.text
        page = admin.get(f"/console/members/{m}")
        assert page.status_code == 200 and balance_on(page.text) == "100" and ">会员注册<" in page.text
        # an event's kind and state in the reader's language, not their codes
        assert "member_register" not in page.text and ">已入账<" in page.text and ">applied<" not in page.text
        rows = list(csv.reader(io.StringIO(admin.get(f"/console/members/{m}", params={"format": "csv"})
                                           .content.decode("utf-8-sig"))))
        assert rows[0][:3] == ["时间", "类型", "积分"] and sorted(r[2] for r in rows[1:]) == ["0", "100"]
    till.close()


def test_statement_points_alike_read_by_account_or_by_the_page(web_hq, store_id, monkeypatch):
    """A statement's points are the page's events' postings to the member's accounts whichever way they
    are read: all of a member's postings by account (few events), or narrowed to the page (a busy member)."""
    from hq_server.db import Database
    from hq_server.programme import member_care
    from hq_server.programme.listing import ListQuery

    m, _phone, _name, till = a_member(web_hq, store_id, points=70)
    assert till.push([till.earn(m, 5), till.earn(m, 8)]).status_code == 200
    db = Database(web_hq.db_url)
    try:
        by_account = member_care.statement(db, m, ListQuery(per=2))
        monkeypatch.setattr(member_care, "STATEMENT_POSTINGS_BY_ACCOUNT_UP_TO", 1)
        by_page = member_care.statement(db, m, ListQuery(per=2))
        second = member_care.statement(db, m, ListQuery(page=2, per=2))
    finally:
        db.engine.dispose()
    assert by_account.total == by_page.total == 4
    assert [(r["event_id"], r["points"]) for r in by_account.rows] == [(r["event_id"], r["points"])
                                                                      for r in by_page.rows]
    assert [r["points"] for r in by_page.rows + second.rows] == [8, 5, 70, 0]
    till.close()


def test_adjust_small_at_once_big_with_a_second_person(web_hq, store_id, staff_user):
    m, _phone, _name, till = a_member(web_hq, store_id)
    _, cursor = till.pull_all()
    cs1, cs2 = staff_user("customer_service"), staff_user("customer_service")
    with Console(web_hq, *cs1) as first:
        bad = first.post(f"/console/members/{m}/adjust", {"points": "ten", "reason": "x"})
        assert bad.status_code == 422 and "积分须为整数" in bad.text
        no_reason = first.post(f"/console/members/{m}/adjust", {"points": "10", "reason": ""})
        assert no_reason.status_code == 422 and "调整积分需要填写原因" in no_reason.text
        too_many = first.post(f"/console/members/{m}/adjust", {"points": "-500", "reason": "typo"})
        assert too_many.status_code == 422 and "会员可扣除的积分不足" in too_many.text
        # above the threshold too: refused at once, never left waiting for an approval it could not get
        way_too_many = first.post(f"/console/members/{m}/adjust", {"points": "-99999", "reason": "typo"})
        assert way_too_many.status_code == 422 and "会员可扣除的积分不足" in way_too_many.text
        done = first.post(f"/console/members/{m}/adjust", {"points": "+50", "reason": "apology for a late gift"})
        assert done.status_code == 303
        page = first.get(done.headers["location"])
        assert flash_of(page) == ["已调整 50 积分。"] and balance_on(page.text) == "150"
        down = first.post(f"/console/members/{m}/adjust", {"points": "-30", "reason": "double credit"})
        assert down.status_code == 303 and balance_on(first.get(f"/console/members/{m}").text) == "120"
        big = first.post(f"/console/members/{m}/adjust", {"points": "5000", "reason": "lost card compensation"})
        page = first.get(big.headers["location"])
        assert "需要另一位同事审批" in flash_of(page)[0] and balance_on(page.text) == "120"
        assert "由另一位同事审批" in page.text  # the asker sees no approve button
        approval = page.text.split("/console/members/approvals/")[1].split('"')[0] if \
            "/console/members/approvals/" in page.text else None
        assert approval is None
    items, _ = till.pull_all(cursor)
    pulled = [i["data"]["payload"]["points"] for i in items if i["type"] == "event" and i["data"]["kind"] == "adjust"]
    assert pulled == [50, 30]  # HQ's events reached the till that follows the member
    with Console(web_hq, *cs2) as second:
        page = second.get(f"/console/members/{m}")
        approval = page.text.split('action="/console/members/approvals/')[1].split('"')[0]
        approved = second.post(f"/console/members/approvals/{approval}", {"decision": "approve"})
        assert approved.status_code == 303
        assert balance_on(second.get(f"/console/members/{m}").text) == "5,120"
        assert second.post(f"/console/members/approvals/{approval}", {"decision": "refuse"}).status_code == 409
    with Console(web_hq, *cs1) as first:
        r = first.post(f"/console/members/{m}/adjust", {"points": "2000", "reason": "again"})
        page = first.get(r.headers["location"])
        with Console(web_hq, *cs2) as second:
            approval = second.get(f"/console/members/{m}").text.split('action="/console/members/approvals/')[1] \
                .split('"')[0]
        assert first.post(f"/console/members/approvals/{approval}", {"decision": "approve"}).status_code == 403
    with Console(web_hq) as admin:
        assert admin.post(f"/console/members/approvals/{approval}", {"decision": "refuse"}).status_code == 303
        assert balance_on(admin.get(f"/console/members/{m}").text) == "5,120"
        log = admin.get("/console/audit", params={"target": f"member:{m}"}).text
        for action in ("member.adjust", "member.adjust_requested", "member.adjust_approved", "member.adjust_refused"):
            assert action in log
    till.close()


def test_freeze_reaches_the_till_and_unfreeze_restores(web_hq, store_id, staff_user):
    m, _phone, _name, till = a_member(web_hq, store_id)
    _, cursor = till.pull_all()
    with Console(web_hq, *staff_user("customer_service")) as cs:
        assert cs.post(f"/console/members/{m}/freeze", {"freeze_reason": ""}).status_code == 422
        assert cs.post(f"/console/members/{m}/freeze", {"freeze_reason": "card reported stolen"}).status_code == 303
        page = cs.get(f"/console/members/{m}")
        assert "已冻结：card reported stolen" in page.text and "frozen:" not in page.text
        assert cs.post(f"/console/members/{m}/freeze", {"freeze_reason": "again"}).status_code == 409
        items, cursor = till.pull_all(cursor)
        docs = [i["data"] for i in items if i["type"] == "member" and i["key"] == m]
        assert docs and docs[-1]["risk_flag"] == "frozen: card reported stolen"
        assert cs.post(f"/console/members/{m}/unfreeze").status_code == 303
        items, _ = till.pull_all(cursor)
        assert [i["data"]["risk_flag"] for i in items if i["type"] == "member" and i["key"] == m] == [None]
    till.close()


def test_roles_and_stale_forms(web_hq, store_id, staff_user):
    m, _phone, _name, till = a_member(web_hq, store_id)
    with Console(web_hq, *staff_user("finance")) as fin:
        assert fin.get(f"/console/members/{m}").status_code == 200  # finance reads members
        assert fin.post(f"/console/members/{m}/adjust", {"points": "5", "reason": "x"}).status_code == 403
    with Console(web_hq, *staff_user("operator")) as op:
        assert op.get("/console/members").status_code == 403
    with Console(web_hq) as admin:
        stale = admin.post(f"/console/members/{m}/adjust", {"points": "5", "reason": "x"}, csrf="0" * 64)
        assert stale.status_code == 403 and balance_on(admin.get(f"/console/members/{m}").text) == "100"
        assert admin.get(f"/console/members/{new_id()}").status_code == 404
    till.close()
