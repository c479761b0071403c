"""Withdrawals in the console (finance), on SQLite and PostgreSQL: the list filtered and as CSV, a
request approved (then in the payout file, once) or refused with a note (the points back; no note is
refused beside the field); the wrong role and a stale form change nothing; decisions and exports are
in the audit log. And the point types' settings (operators): the withdrawal policy and the network's
level rewards, a wrong value named beside its field."""

from __future__ import annotations

import csv
import io
import secrets

import pytest

from hq_server.db import Database
from hq_server.programme import network
from hq_server.programme import withdrawals as W
from pos_app.domain.ids import new_id
from tests.console.client import Console, flash_of
from tests.hq.test_programme_withdrawals import agent_points
from tests.hq.wire_events import FakeDevice, now


@pytest.fixture
def db(web_hq):
    database = Database(web_hq.db_url)
    yield database
    database.dispose()


def an_agent(web_hq, store_id: str, points: int = 5000) -> str:
    dev = FakeDevice(web_hq, store_id)
    m = new_id()
    assert dev.push([dev.register(m, f"135{secrets.randbelow(10**8):08d}"), agent_points(dev, m, points)]
                    ).status_code == 200
    dev.close()
    return m


def a_request(db, holder: str, points: int) -> str:
    return W.request_withdrawal(db, holder=holder, point_type="agent", points=points, requested_by="cs-test",
                                now=now()).withdrawal_id


def payout_rows(response) -> list[dict]:
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_approve_export_once_and_refuse(web_hq, db, store_id, staff_user):
    holder = an_agent(web_hq, store_id)
    yes, no = a_request(db, holder, 2000), a_request(db, holder, 1500)
    with Console(web_hq, *staff_user("finance")) as fin:
        listed = fin.get("/console/withdrawals", params={"status": "pending", "q": holder})
        assert listed.status_code == 200 and yes in listed.text and no in listed.text and "20.00" in listed.text
        rows = list(csv.reader(io.StringIO(fin.get("/console/withdrawals", params={"q": holder, "format": "csv"})
                                           .content.decode("utf-8-sig"))))
        assert rows[0][:3] == ["申请时间", "提现申请", "持有人"] and sorted(r[5] for r in rows[1:]) == ["15.00", "20.00"]
        page = fin.get(f"/console/withdrawals/{yes}")
        assert "¥20.00" in page.text and "代理积分" in page.text
        approved = fin.post(f"/console/withdrawals/{yes}/approve")
        assert approved.status_code == 303
        assert flash_of(fin.get(approved.headers["location"])) == ["已批准：将列入下一份付款文件。"]
        assert fin.post(f"/console/withdrawals/{yes}/approve").status_code == 409  # decided already
        assert fin.post(f"/console/withdrawals/{yes}/refuse", {"note": "x"}).status_code == 409

        blank = fin.post(f"/console/withdrawals/{no}/refuse", {"note": ""})
        assert blank.status_code == 422 and "请填写拒绝原因" in blank.text
        assert W.withdrawal(db, no).status == "pending"
        refused = fin.post(f"/console/withdrawals/{no}/refuse", {"note": "账户信息不全"})
        assert refused.status_code == 303 and W.withdrawal(db, no).status == "refused"

        first = payout_rows(fin.post("/console/withdrawals/payouts.csv"))
        assert [r["amount_yuan"] for r in first if r["withdrawal_id"] == yes] == ["20.00"]
        assert no not in {r["withdrawal_id"] for r in first}
        assert yes not in {r["withdrawal_id"] for r in payout_rows(fin.post("/console/withdrawals/payouts.csv"))}
        again = payout_rows(fin.post("/console/withdrawals/payouts.csv", {"again": "yes"}))
        assert [r["withdrawal_id"] for r in again].count(yes) == 1
        assert fin.get("/console/withdrawals/payouts.csv").status_code == 404  # exporting marks: only a POST
        exported = fin.get("/console/withdrawals", params={"exported": "yes", "q": holder})
        assert yes in exported.text and no not in exported.text
    with Console(web_hq) as admin:
        log = admin.get("/console/audit", params={"q": yes}).text
        assert "withdrawal.approve" in log
        assert "withdrawal.refuse" in admin.get("/console/audit", params={"target": f"withdrawal:{no}"}).text
        assert "withdrawal.export" in admin.get("/console/audit", params={"action": "withdrawal.export"}).text


def test_only_finance_decides(web_hq, db, store_id, staff_user):
    holder = an_agent(web_hq, store_id)
    w = a_request(db, holder, 1000)
    for role in ("customer_service", "operator"):
        with Console(web_hq, *staff_user(role)) as other:
            assert other.get("/console/withdrawals").status_code == 403
            assert other.post(f"/console/withdrawals/{w}/approve").status_code == 403
            assert other.post("/console/withdrawals/payouts.csv").status_code == 403
    with Console(web_hq, *staff_user("finance")) as fin:
        assert fin.post(f"/console/withdrawals/{w}/approve", csrf="0" * 64).status_code == 403
        assert fin.get(f"/console/withdrawals/{new_id()}").status_code == 404
        assert fin.get("/console/withdrawals", params={"sort": "nope"}).status_code == 422
    assert W.withdrawal(db, w).status == "pending"


def test_point_type_settings(web_hq, db, staff_user):
    with Console(web_hq, *staff_user("operator")) as op:
        page = op.get("/console/programme/point-types")
        assert page.status_code == 200 and "提现规则" in page.text and "推荐网络奖励" in page.text
        form = {"consumer.min_withdraw_points": "1000", "consumer.fen_per_100_points": "100",
                "guide.withdraw": "yes", "guide.min_withdraw_points": "500", "guide.fen_per_100_points": "abc",
                "agent.withdraw": "yes", "agent.min_withdraw_points": "1000", "agent.fen_per_100_points": "100"}
        bad = op.post("/console/programme/point-types/policies", form)
        assert bad.status_code == 422 and 'value="abc"' in bad.text
        assert bad.text.index("field-error") > bad.text.index('name="guide.fen_per_100_points"')
        saved = op.post("/console/programme/point-types/policies", {**form, "guide.fen_per_100_points": "80"})
        assert saved.status_code == 303 and flash_of(op.get(saved.headers["location"])) == ["提现规则已保存。"]
        policy = W.point_policies(db)
        assert (policy["guide"].min_withdraw_points, policy["guide"].fen_per_100_points) == (500, 80)
        assert policy["consumer"].withdraw is False
        deep = op.post("/console/programme/point-types/level-rewards", {"guide_pct": "10, 5, 2", "agent_pct": "20"})
        assert deep.status_code == 422 and "奖励最多覆盖 3 级" in deep.text and network.level_rewards(db).guide_pct != (
            10, 5, 2)
        ok = op.post("/console/programme/point-types/level-rewards", {"guide_pct": "10，5", "agent_pct": "20"})
        assert ok.status_code == 303 and network.level_rewards(db).guide_pct == (10, 5)
        assert network.level_rewards(db).agent_pct == (20,)
    with Console(web_hq, *staff_user("finance")) as fin:
        assert fin.get("/console/programme/point-types").status_code == 200  # reads
        assert fin.post("/console/programme/point-types/level-rewards", {"guide_pct": "1"}).status_code == 403
    with Console(web_hq) as admin:
        log = admin.get("/console/audit", params={"target": "settings:"}).text
        assert "programme.point_policies" in log and "programme.level_rewards" in log
    W.set_point_policies(db, doc={})  # the defaults again, for the other tests on this HQ
    network.set_level_rewards(db, doc={})
