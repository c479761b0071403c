"""HQ's scheduled jobs (hq_server.programme.jobs): expiry of the lots HQ granted, tier downgrades on
the rolling year's spend; once per period however many workers ask, and idempotent. Each backend
gets an HQ of its own: the rules (and their tiers) these tests publish are chain-wide."""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select

from hq_server.ledger import hq_events
from hq_server import models as M
from hq_server.programme import jobs
from pos_app.domain import entries as E
from pos_app.domain import ledger as L
from pos_app.domain.ids import new_id
from pos_app.domain.ledger import Entry, Kind
from pos_app.domain.members import card_no_for, referral_code_for
from pos_app.domain.rules import Rules, rules_to_doc
from pos_app.services.demo import DEMO_RULES
from tests.hq.conftest import own_hq
from tests.hq.wire_events import FakeDevice, now

RULES = Rules(version=1, expiry_days=365)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def hq(request, tmp_path_factory):
    yield from own_hq(request.param, tmp_path_factory, "jobs", env={"HQ_JOBS_CHECK_S": "0"})


def phone() -> str:
    return f"138{secrets.randbelow(10**8):08d}"


def hq_grant(db, member_id: str, points: int, at) -> str:
    """Points HQ granted at `at` (an online adjustment): a lot that expires 365 days later."""
    entry = E.earn(Kind.ADJUST, member_id=member_id, points=points, store_id=M.HQ_ORIGIN, owed=0, lot_id=new_id(),
                   now=at, rules=RULES, payload={"reason": "test"})
    with db.write() as (conn, seq):
        hq_events.write(conn, seq, db.url, [entry], staff_id="hq:test", rule_version=1, now=at)
    return entry.grants[0].lot_id


def test_expiry_takes_the_lots_hq_granted_once_and_leaves_a_tills_own(hq, db, ledger):
    dev = FakeDevice(hq, f"s-{secrets.token_hex(4)}")
    m = new_id()
    long_ago = now() - timedelta(days=400)
    till_lot = E.earn(Kind.EARN, member_id=m, points=7, store_id=dev.store_id, owed=0, lot_id=new_id(), now=long_ago,
                      rules=RULES, payload={"sale_id": new_id()})
    assert dev.push([dev.register(m, phone()), dev.event(till_lot, at=long_ago)]).status_code == 200
    hq_grant(db, m, 30, long_ago)  # expired
    hq_grant(db, m, 5, now())      # not yet
    run = jobs.run_job(db, "expire", now=now(), force=True)
    assert run.ran and run.result["points"] >= 30
    assert ledger.balance(L.member_account(m)) == 12  # the till's 7 (its till expires them) and HQ's fresh 5
    again = jobs.run_job(db, "expire", now=now(), force=True)
    assert again.ran and again.result == {"accounts": 0, "points": 0, "more": False}
    assert ledger.balance(L.member_account(m)) == 12 and ledger.problems() == []
    with db.read() as conn:
        expired = conn.execute(select(M.events.c.payload).where(M.events.c.member_id == m,
                                                                M.events.c.kind == "expire")).scalars().all()
    assert len(expired) == 1


def test_a_job_runs_once_a_period_however_many_workers_ask(db):
    jobs.run_job(db, "expire", now=now(), force=True)
    later = now() + timedelta(minutes=5)
    with ThreadPoolExecutor(4) as pool:
        runs = list(pool.map(lambda _: jobs.run_job(db, "expire", now=later), range(4)))
    assert [r.ran for r in runs] == [False] * 4  # ran 5 minutes ago: not due for an hour
    an_hour_on = now() + timedelta(hours=1, minutes=1)
    with ThreadPoolExecutor(4) as pool:
        runs = list(pool.map(lambda _: jobs.run_job(db, "expire", now=an_hour_on), range(4)))
    assert sorted(r.ran for r in runs) == [False, False, False, True]


def test_a_member_whose_years_spend_no_longer_holds_the_tier_moves_down_at_hq(hq, db, ledger):
    doc = rules_to_doc(DEMO_RULES)  # basic 0, silver 1,000 yuan, gold 5,000 yuan a rolling year
    assert hq.admin("POST", "/rules", json={"doc": doc, "effective_at": (now() - timedelta(days=800)).isoformat()}
                    ).status_code == 201
    dev = FakeDevice(hq, f"s-{secrets.token_hex(4)}")
    _, cursor = dev.pull_all()
    lapsed, kept, refunded = new_id(), new_id(), new_id()
    old = now() - timedelta(days=400)
    events = []
    for m in (lapsed, kept, refunded):
        events += [dev.register(m, phone()),
                   dev.event(Entry(Kind.TIER_CHANGE, {"member_id": m, "from": "basic", "to": "gold",
                                                      "reason": "upgrade"}, member_id=m), at=old)]
    events.append(dev.earn(lapsed, 5000, payload={"sale_id": new_id(), "paid_fen": 600_000}, at=old))
    events.append(dev.earn(kept, 5000, payload={"sale_id": new_id(), "paid_fen": 600_000}))
    events.append(dev.earn(refunded, 5000, payload={"sale_id": new_id(), "paid_fen": 600_000}))
    events.append(dev.event(Entry(Kind.REVERSE, {"of": "earn", "fen": 450_000, "sale_id": "x", "points": 0},
                                  member_id=refunded)))
    answers = dev.push(events).json()["answers"]
    assert {a["status"] for a in answers} == {"ok"}, answers

    run = jobs.run_job(db, "tiers", now=now(), force=True)
    assert run.ran and run.result["downgraded"] >= 2
    with db.read() as conn:
        tiers = dict(conn.execute(select(M.members.c.member_id, M.members.c.tier)
                                  .where(M.members.c.member_id.in_([lapsed, kept, refunded]))).all())
    assert tiers == {lapsed: "basic", kept: "gold", refunded: "silver"}  # 1,500 yuan left of refunded's 6,000
    assert jobs.run_job(db, "tiers", now=now(), force=True).result["downgraded"] == 0  # nothing more to do
    items, _ = dev.pull_all(cursor)
    told = {i["key"]: i["data"]["tier"] for i in items if i["type"] == "member"}
    assert told[lapsed] == "basic" and told[refunded] == "silver"
    assert ledger.problems() == []


# --- guides' and agents' networks: levels 2 and 3 (hq_server.programme.network) ------------------------
def register(dev: FakeDevice, member_id: str, referred_by: str | None) -> dict:
    doc = {"member_id": member_id, "phone": phone(), "name": "代理", "tier": "basic", "card_no": card_no_for(member_id),
           "referral_code": referral_code_for(member_id), "referred_by": referred_by, "home_store": dev.store_id,
           "created_at": now().isoformat(), "pin_hash": None}
    return dev.event(Entry(Kind.MEMBER_REGISTER, doc, member_id=member_id))


def test_recruiters_earn_hqs_shares_two_levels_up_and_never_deeper(hq, db, ledger):
    store = f"s-{secrets.token_hex(4)}"
    dev = FakeDevice(hq, store)
    guides = [f"g{i}-{secrets.token_hex(3)}" for i in range(5)]
    for g in guides:
        assert hq.admin("PUT", f"/stores/{store}/staff/{g}", json={"name": g, "role": "cashier",
                                                                   "pin": "2468"}).status_code == 200
    for recruit, recruiter in zip(guides[1:], guides):  # g0 recruited g1, who recruited g2, ...
        assert hq.admin("PUT", f"/staff/{recruit}/recruiter", json={"recruited_by": recruiter}).status_code == 204
    r = hq.admin("PUT", f"/staff/{guides[0]}/recruiter", json={"recruited_by": guides[4]})
    assert (r.status_code, r.json()["code"]) == (409, "recruit_cycle")
    assert hq.admin("PUT", "/level-rewards", json={"guide_pct": [10, 5, 1]}).status_code == 422  # 4 levels
    assert hq.admin("PUT", "/level-rewards", json={"guide_pct": [10, 5], "agent_pct": [20, 10]}).status_code == 200
    # agents: a0 referred a1, who referred a2, who referred a3; a2 earns a referral bonus of 200
    agents = [new_id() for _ in range(4)]
    events = [register(dev, a, agents[i - 1] if i else None) for i, a in enumerate(agents)]
    earned = E.credit(Kind.GUIDE_EARN, account=L.guide_account(guides[4]), points=1000,
                      source=L.store_issued(store), debt_acct=None, owed=0, lot_id=new_id(), now=now(), rules=RULES,
                      payload={"guide_id": guides[4]}, member_id=None, lock=False)
    bonus = E.earn(Kind.REFERRAL_BONUS, member_id=agents[2], points=200, store_id=store, owed=0, lot_id=new_id(),
                   now=now(), rules=RULES, payload={"referee": agents[3]}, ptype=L.PointType.AGENT)
    answers = dev.push(events + [dev.event(earned, staff_id=guides[4]), dev.event(bonus)]).json()["answers"]
    assert {a["status"] for a in answers} == {"ok"}, answers
    run = jobs.run_job(db, "network", now=now(), force=True)
    assert run.ran and run.result == {"rewards": 4, "points": 100 + 50 + 40 + 20}
    assert [ledger.balance(L.guide_account(g)) for g in guides] == [0, 0, 50, 100, 1000]  # g1 is 3 levels up
    assert [ledger.balance(L.member_account(a, L.PointType.AGENT)) for a in agents] == [20, 40, 200, 0]
    assert jobs.run_job(db, "network", now=now(), force=True).result == {"rewards": 0, "points": 0}
    assert ledger.problems() == []
