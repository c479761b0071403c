"""Agents recruit retail stores, and a refund takes the network's rewards back (hq_server.programme.network):
the agent who recruited a store and the two who referred them earn on its sales at HQ's per-level shares
(three levels at most); a till's reversal of a guide's points, a referral bonus or a recruited store's earn
takes each level's share back, as debt where already spent, with ids derived from the reversal. Each
backend gets an HQ of its own: the level shares these tests set are chain-wide."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

import pytest

from hq_server.programme import jobs, network, withdrawals
from hq_server.programme.referrals import referrals
from pos_app.domain import entries as E
from pos_app.domain import ledger as L
from pos_app.domain.ids import new_id
from pos_app.domain.ledger import Entry, Kind
from pos_app.domain.lots import Lot
from pos_app.domain.members import card_no_for, referral_code_for
from tests.hq.conftest import own_hq
from tests.hq.wire_events import RULES, FakeDevice, now

AGENT = L.PointType.AGENT


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def hq(request, tmp_path_factory):
    yield from own_hq(request.param, tmp_path_factory, "network", env={"HQ_JOBS_CHECK_S": "0"})


def register(dev: FakeDevice, member_id: str, referred_by: str | None) -> dict:
    doc = {"member_id": member_id, "phone": f"139{secrets.randbelow(10**8):08d}", "name": "代理", "tier": "basic",
           "card_no": card_no_for(member_id), "referral_code": referral_code_for(member_id),
           "referred_by": referred_by, "home_store": dev.store_id, "created_at": now().isoformat(), "pin_hash": None}
    return dev.event(Entry(Kind.MEMBER_REGISTER, doc, member_id=member_id))


def agents_chain(dev: FakeDevice, n: int) -> tuple[list[str], list[dict]]:
    """n members, each referred by the one before."""
    ids = [new_id() for _ in range(n)]
    return ids, [register(dev, a, ids[i - 1] if i else None) for i, a in enumerate(ids)]


def sale(dev: FakeDevice, member_id: str, points: int) -> tuple[str, Entry]:
    sale_id = new_id()
    return sale_id, E.earn(Kind.EARN, member_id=member_id, points=points, store_id=dev.store_id, owed=0,
                           lot_id=new_id(), now=now(), rules=RULES,
                           payload={"sale_id": sale_id, "paid_fen": points * 100, "lines": []})


def refund(dev: FakeDevice, account: str, debt: str, member_id: str | None, points: int, lot_id: str,
           payload: dict) -> Entry:
    """A till's reversal of earned points (pos_app.services.refunds), taking from the lot it granted."""
    far = now() + timedelta(days=300)
    return E.reverse_earned(account=account, debt_acct=debt, points=points,
                            lots=[Lot(lot_id, account, points, now() - timedelta(days=1), far)], first_lot=lot_id,
                            sink=L.store_issued(dev.store_id), now=now(), payload=payload, member_id=member_id)


def run(db) -> dict:
    r = jobs.run_job(db, "network", now=now(), force=True)
    assert r.ran
    return r.result


def ok(dev: FakeDevice, events: list[dict]) -> None:
    r = dev.push(events)
    assert r.status_code == 200, r.text
    assert {a["status"] for a in r.json()["answers"]} == {"ok"}, r.json()


def test_an_agent_who_recruited_a_store_earns_on_its_sales_three_levels_up_and_gives_it_back_on_refund(
        hq, db, ledger):
    store, other = f"s-{secrets.token_hex(4)}", f"s-{secrets.token_hex(4)}"
    dev, elsewhere = FakeDevice(hq, store), FakeDevice(hq, other)
    agents, events = agents_chain(dev, 4)  # a0 referred a1, who referred a2, who referred a3
    shopper = new_id()
    ok(dev, events + [dev.register(shopper, f"137{secrets.randbelow(10**8):08d}")])
    r = hq.admin("PUT", "/level-rewards", json={"store_pct": [10, 5, 2, 1]})
    assert (r.status_code, r.json()["code"]) == (422, "invalid_body") and "at most 3 levels" in r.json()["message"]
    assert hq.admin("PUT", "/level-rewards", json={"store_pct": [10, 5, 2]}).json()["store_pct"] == [10, 5, 2]
    assert hq.admin("PUT", f"/stores/{store}/recruiter", json={"agent_id": new_id()}).json()["code"] == \
        "member_unknown"
    assert hq.admin("PUT", "/stores/s-nowhere/recruiter", json={"agent_id": agents[3]}).json()["code"] == \
        "store_unknown"
    run(db)  # what came before the recruitment pays nobody
    assert hq.admin("PUT", f"/stores/{store}/recruiter", json={"agent_id": agents[3]}).status_code == 204
    assert network.store_recruiter(db, store) == agents[3]

    sale_id, earned = sale(dev, shopper, 10000)
    elsewhere_sale = sale(elsewhere, shopper, 10000)[1]  # a store nobody recruited pays nobody
    ok(dev, [dev.event(earned)])
    ok(elsewhere, [elsewhere.event(elsewhere_sale)])
    assert run(db) == {"rewards": 3, "points": 1000 + 500 + 200}
    accounts = [L.member_account(a, AGENT) for a in agents]
    assert [ledger.balance(a) for a in accounts] == [0, 200, 500, 1000]  # a0 would be level 4
    assert run(db) == {"rewards": 0, "points": 0}

    # a3 withdraws all 1,000 (held at HQ), then the sale is refunded in two parts
    w = withdrawals.request_withdrawal(db, holder=agents[3], point_type="agent", points=1000, requested_by="cs",
                                       now=now())
    assert ledger.balance(accounts[3]) == 0
    base = {"sale_id": sale_id, "of": "earn", "lines": []}
    first = refund(dev, L.member_account(shopper), L.debt_account(shopper), shopper, 3000, earned.grants[0].lot_id,
                   {**base, "refund_id": new_id(), "fen": 300000})
    second = refund(dev, L.member_account(shopper), L.debt_account(shopper), shopper, 7000, earned.grants[0].lot_id,
                    {**base, "refund_id": new_id(), "fen": 700000})
    ok(dev, [dev.event(first)])
    first_id = ledger.scalar("SELECT event_id FROM events WHERE kind = 'reverse' AND payload LIKE :r",
                             r=f'%{first.payload["refund_id"]}%')
    assert run(db) == {"rewards": 3, "points": -(300 + 150 + 60)}
    assert [ledger.balance(a) for a in accounts] == [0, 140, 350, 0]
    assert ledger.balance(L.debt_account(agents[3])) == -300  # a3 had spent it: a3 owes it
    backs = {str(uuid.uuid5(network.NS, f"{first_id}:back:{level}")) for level in (1, 2, 3)}
    assert all(ledger.scalar("SELECT count(*) FROM events WHERE event_id = :e", e=b) == 1
               for b in backs)  # named after the reversal
    ok(dev, [dev.event(second)])
    assert run(db)["rewards"] == 3
    assert [ledger.balance(a) for a in accounts] == [0, 0, 0, 0]  # the whole sale refunded: every share back
    assert ledger.balance(L.debt_account(agents[3])) == -1000
    assert withdrawals.list_withdrawals(db, holder=agents[3])[0].withdrawal_id == w.withdrawal_id
    # a3's statement of agent points: the store's sale at level 1, the withdrawal held; the refunds are debt
    got = hq.admin("GET", f"/holders/{agents[3]}/earnings", params={"point_type": "agent"}).json()
    assert (got["balance"], got["earned"], got["spent"], got["held"], got["owed"]) == (0, 1000, 1000, 1000, 1000)
    assert [(x["what"], x["points"], x["level"]) for x in got["lines"]] == [("withdrawal", -1000, None),
                                                                          ("store_sale", 1000, 1)]
    got = hq.admin("GET", f"/holders/{agents[2]}/earnings", params={"point_type": "agent", "limit": 1}).json()
    assert [(x["what"], x["points"], x["level"]) for x in got["lines"]] == [("reversal", -350, 2)]
    more = hq.admin("GET", f"/holders/{agents[2]}/earnings",
                    params={"point_type": "agent", "before": got["next_before"]}).json()
    assert [(x["what"], x["points"]) for x in more["lines"]] == [("reversal", -150), ("network", 500)]
    assert more["next_before"] is None
    assert ledger.problems() == []


def test_a_refund_takes_back_the_recruiters_shares_of_a_guides_points_and_of_a_referral_bonus(hq, db, ledger):
    store = f"s-{secrets.token_hex(4)}"
    dev = FakeDevice(hq, store)
    guides = [f"g{i}-{secrets.token_hex(3)}" for i in range(3)]
    for g in guides:
        assert hq.admin("PUT", f"/stores/{store}/staff/{g}", json={"name": g, "role": "cashier",
                                                                   "pin": "2468"}).status_code == 200
    for recruit, recruiter in zip(guides[1:], guides):
        assert hq.admin("PUT", f"/staff/{recruit}/recruiter", json={"recruited_by": recruiter}).status_code == 204
    assert hq.admin("PUT", "/level-rewards", json={"guide_pct": [10, 5], "agent_pct": [20]}).status_code == 200
    agents, events = agents_chain(dev, 4)  # a2 (referred by a1) referred a3: a1 earns 20 % of a2's bonus
    sale_id = new_id()
    earned = E.credit(Kind.GUIDE_EARN, account=L.guide_account(guides[2]), points=1000,
                      source=L.store_issued(store), debt_acct=None, owed=0, lot_id=new_id(), now=now(), rules=RULES,
                      payload={"sale_id": sale_id, "guide_id": guides[2]}, member_id=None, lock=False)
    bonus = E.earn(Kind.REFERRAL_BONUS, member_id=agents[2], points=200, store_id=store, owed=0, lot_id=new_id(),
                   now=now(), rules=RULES, payload={"sale_id": new_id(), "referee": agents[3]}, ptype=AGENT)
    bonus_ev = dev.event(bonus)
    ok(dev, events + [dev.event(earned, staff_id=guides[2]), bonus_ev])
    assert run(db) == {"rewards": 3, "points": 100 + 50 + 40}
    assert [j.points for j in referrals(db, agents[2]).joined] == [200]
    # a part refund of the guide's sale (the till takes back 400 of the guide's 1,000), then the bonus
    part = refund(dev, L.guide_account(guides[2]), L.debt_account(guides[2]), None, 400, earned.grants[0].lot_id,
                  {"sale_id": sale_id, "refund_id": new_id(), "of": "guide"})
    taken = refund(dev, L.member_account(agents[2], AGENT), L.debt_account(agents[2]), agents[2], 200,
                   bonus.grants[0].lot_id, {"sale_id": new_id(), "refund_id": new_id(), "of": "referral_bonus",
                                            "bonus_event": bonus_ev["event_id"], "referee": agents[3]})
    ok(dev, [dev.event(part), dev.event(taken)])
    assert run(db) == {"rewards": 3, "points": -(40 + 20 + 40)}
    assert [ledger.balance(L.guide_account(g)) for g in guides] == [30, 60, 600]
    assert [ledger.balance(L.member_account(a, AGENT)) for a in agents] == [0, 0, 0, 0]
    assert [j.points for j in referrals(db, agents[2]).joined] == [0]  # the friend's purchase was refunded
    assert run(db) == {"rewards": 0, "points": 0}  # once
    got = hq.admin("GET", f"/holders/{guides[0]}/earnings", params={"point_type": "guide"}).json()
    assert [(x["what"], x["points"], x["level"]) for x in got["lines"]] == [("reversal", -20, 3), ("network", 50, 3)]
    assert (got["balance"], got["earned"], got["spent"]) == (30, 50, 20)
    assert hq.admin("GET", "/holders/nobody/earnings", params={"point_type": "guide"}).json()["code"] == \
        "staff_unknown"
    assert ledger.scalar("SELECT count(*) FROM network_sources WHERE event_id = :e",
                         e=bonus_ev["event_id"]) == 1
    assert ledger.problems() == []

