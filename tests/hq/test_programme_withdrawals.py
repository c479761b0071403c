"""Withdrawals of earned points as cash (hq_server.programme.withdrawals): a request holds the points,
finance approves (a payout in the CSV, once) or refuses (the points back), within HQ's policy per point
type. Over a real HQ, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import secrets


from pos_app.domain import entries as E
from pos_app.domain import ledger as L
from pos_app.domain.ids import new_id
from pos_app.domain.ledger import Kind
from tests.hq.test_programme_adjustments import User
from tests.hq.wire_events import RULES, FakeDevice, now


def agent_points(dev: FakeDevice, member_id: str, points: int) -> dict:
    return dev.event(E.earn(Kind.REFERRAL_BONUS, member_id=member_id, points=points, store_id=dev.store_id, owed=0,
                            lot_id=new_id(), now=now(), rules=RULES, payload={"referee": new_id()},
                            ptype=L.PointType.AGENT))


def payouts(finance: User, again: bool = False) -> list[dict]:
    r = finance("GET", "/payouts.csv", params={"again": again})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv"), r.text
    return list(csv.DictReader(io.StringIO(r.text)))


def test_agent_points_are_held_then_paid_out_once_or_given_back(hq, store_id, ledger):
    dev = FakeDevice(hq, store_id)
    m = new_id()
    assert dev.push([dev.register(m, f"135{secrets.randbelow(10**8):08d}"), agent_points(dev, m, 3000)]
                    ).status_code == 200
    agent = L.member_account(m, L.PointType.AGENT)
    cs, finance = User(hq, "customer_service"), User(hq, "finance")
    r = cs("POST", "/withdrawals", json={"holder": m, "point_type": "agent", "points": 2000})
    assert r.status_code == 201, r.text
    w = r.json()
    assert (w["status"], w["amount_fen"]) == ("pending", 2000) and ledger.balance(agent) == 1000
    assert cs("POST", f"/withdrawals/{w['withdrawal_id']}/approve").status_code == 403  # finance decides
    r = finance("POST", f"/withdrawals/{w['withdrawal_id']}/approve")
    assert r.status_code == 200 and r.json()["status"] == "approved"
    mine = [p for p in payouts(finance) if p["withdrawal_id"] == w["withdrawal_id"]]
    assert [(p["holder"], p["points"], p["amount_yuan"]) for p in mine] == [(m, "2000", "20.00")]
    assert [p for p in payouts(finance) if p["withdrawal_id"] == w["withdrawal_id"]] == []  # paid once
    assert [p["withdrawal_id"] for p in payouts(finance, again=True)].count(w["withdrawal_id"]) == 1
    assert finance("POST", f"/withdrawals/{w['withdrawal_id']}/approve").json()["code"] == "not_pending"
    # refused: the points go back
    w2 = cs("POST", "/withdrawals", json={"holder": m, "point_type": "agent", "points": 1000}).json()
    assert ledger.balance(agent) == 0
    r = finance("POST", f"/withdrawals/{w2['withdrawal_id']}/refuse", json={"note": "账户信息不全"})
    assert r.status_code == 200 and r.json()["status"] == "refused"
    assert ledger.balance(agent) == 1000 and ledger.problems() == []
    assert [p for p in payouts(finance, again=True) if p["withdrawal_id"] == w2["withdrawal_id"]] == []


def test_hqs_policy_bounds_what_is_withdrawn(hq, store_id, ledger):
    dev = FakeDevice(hq, store_id)
    m = new_id()
    assert dev.push([dev.register(m, f"135{secrets.randbelow(10**8):08d}"), dev.earn(m, 5000),
                     agent_points(dev, m, 1500)]).status_code == 200
    cs = User(hq, "customer_service")

    def ask(point_type: str, points: int):
        return cs("POST", "/withdrawals", json={"holder": m, "point_type": point_type, "points": points})

    assert (ask("consumer", 2000).json()["code"]) == "withdraw_not_allowed"  # consumer points: off by default
    assert ask("agent", 999).json()["code"] == "withdraw_too_small"
    assert (ask("agent", 1501).status_code, ask("agent", 1501).json()["code"]) == (409, "points_insufficient")
    r = hq.admin("PUT", "/point-policies", json={"consumer": {"withdraw": True, "min_withdraw_points": 100,
                                                              "fen_per_100_points": 50}})
    assert r.status_code == 200 and r.json()["consumer"]["withdraw"] is True
    try:
        w = ask("consumer", 2000)
        assert w.status_code == 201 and w.json()["amount_fen"] == 1000
        assert hq.admin("PUT", "/point-policies", json={"vip": {}}).status_code == 422
        assert hq.admin("PUT", "/point-policies", json={"guide": {"min_withdraw_points": 0}}).status_code == 422
    finally:
        hq.admin("PUT", "/point-policies", json={})
    assert ask("consumer", 2000).json()["code"] == "withdraw_not_allowed"
    assert ledger.problems() == []


def test_a_guide_withdraws_guide_points(hq, store_id, ledger):
    dev = FakeDevice(hq, store_id)
    guide = f"g-{secrets.token_hex(4)}"
    assert hq.admin("PUT", f"/stores/{store_id}/staff/{guide}", json={"name": "导购小李", "role": "cashier",
                                                                      "pin": "2468"}).status_code == 200
    earned = E.credit(Kind.GUIDE_EARN, account=L.guide_account(guide), points=1500, source=L.store_issued(store_id),
                      debt_acct=None, owed=0, lot_id=new_id(), now=now(), rules=RULES, payload={"guide_id": guide},
                      member_id=None, lock=False)
    answer = dev.push([dev.event(earned, staff_id=guide)]).json()["answers"]
    assert answer[0]["status"] == "ok", answer
    cs, finance = User(hq, "customer_service"), User(hq, "finance")
    w = cs("POST", "/withdrawals", json={"holder": guide, "point_type": "guide", "points": 1200}).json()
    assert w["status"] == "pending" and ledger.balance(L.guide_account(guide)) == 300
    r = finance("POST", f"/withdrawals/{w['withdrawal_id']}/refuse", json={"note": "重复申请"})
    assert r.json()["status"] == "refused" and ledger.balance(L.guide_account(guide)) == 1500
    w = cs("POST", "/withdrawals", json={"holder": guide, "point_type": "guide", "points": 1500}).json()
    assert finance("POST", f"/withdrawals/{w['withdrawal_id']}/approve").json()["status"] == "approved"
    assert ledger.balance(L.guide_account(guide)) == 0 and ledger.problems() == []
