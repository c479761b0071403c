"""Referral bonus (agent points for the referrer) and shopping-guide points (for the staff
member credited on a sale): how they are earned, posted and taken back."""

from __future__ import annotations

from datetime import datetime, timedelta

from pos_app.domain import entries as E
from pos_app.domain import ledger as L
from pos_app.domain.ledger import Kind, LotTake, Posting, check_postings
from pos_app.domain.lots import Lot
from pos_app.domain.pricing import CartLine, Quote, quote
from pos_app.domain.refunds import guide_points_to_reverse
from pos_app.domain.rules import Rules, parse_rules
from pos_app.domain.tiers import Tier

NOW = datetime(2026, 6, 1, 12, 0)
RULES = Rules(version=3, guide_pct=10, referral_bonus=200, lock_days=1, expiry_days=90)
ISSUED = L.store_issued("s1")


def test_the_rules_carry_the_referral_bonus_and_guide_share():
    r = parse_rules({"version": 3, "guide_pct": 10, "referral_bonus": 200})
    assert (r.guide_pct, r.referral_bonus) == (10, 200)
    assert Rules(version=1).referral_bonus == 0 and Rules(version=1).guide_pct == 0  # off unless HQ turns them on


def test_referral_bonus_is_agent_points_for_the_referrer():
    e = E.earn(Kind.REFERRAL_BONUS, member_id="referrer", points=RULES.referral_bonus, store_id="s1", owed=0,
               lot_id="LR", now=NOW, rules=RULES, payload={"referee": "newbie"}, ptype=L.PointType.AGENT)
    agent = L.member_account("referrer", L.PointType.AGENT)
    assert check_postings(e.postings) == ()
    assert set(e.postings) == {Posting(ISSUED, -200), Posting(agent, 200)}
    assert L.member_account("referrer") not in {p.account for p in e.postings}  # not consumer points
    assert e.grants[0].account == agent and e.grants[0].expires_at == NOW + timedelta(days=90)
    assert e.payload["referee"] == "newbie" and e.member_id == "referrer"


def test_a_referrers_debt_is_repaid_from_the_bonus_first():
    e = E.earn(Kind.REFERRAL_BONUS, member_id="referrer", points=200, store_id="s1", owed=150, lot_id="LR",
               now=NOW, rules=RULES, payload={}, ptype=L.PointType.AGENT)
    assert set(e.postings) == {Posting(ISSUED, -200), Posting(L.debt_account("referrer"), 150),
                               Posting(L.member_account("referrer", L.PointType.AGENT), 50)}


def test_guide_points_are_quoted_on_the_sales_base_points():
    lines = [CartLine("A", "A", "food", 12_345, 1), CartLine("B", "B", "food", 5_000, 2)]
    q = quote(lines, rules=RULES, tier=Tier("gold", "Gold", 0, 200), campaigns=(), now=NOW, member_id="m1")
    assert isinstance(q, Quote)
    assert q.guide_points == (123 + 100) * 10 // 100  # 22: base points, before the member's multiplier
    capped = quote(lines, rules=Rules(version=1, guide_pct=10, daily_cap=1), tier=Tier("b", "B", 0), campaigns=(),
                   now=NOW, member_id="m1")
    assert capped.earn_points == 1 and capped.guide_points == 22  # the member's daily cap is not the guide's


def test_guide_points_are_credited_to_the_staff_member():
    g = L.guide_account("staff-7")
    e = E.credit(Kind.GUIDE_EARN, account=g, points=22, source=ISSUED, debt_acct=None, owed=0, lot_id="LG",
                 now=NOW, rules=RULES, payload={"guide_id": "staff-7"}, member_id=None)
    assert check_postings(e.postings) == ()
    assert set(e.postings) == {Posting(ISSUED, -22), Posting(g, 22)}
    assert e.grants[0].account == g and L.is_holder_account(g)
    assert e.member_id is None


def test_a_refund_takes_guide_points_back_and_makes_staff_debt_if_spent():
    g = L.guide_account("staff-7")
    lots = [Lot("LG", g, 5, NOW, NOW + timedelta(days=90))]  # 17 of the 22 were already spent
    back = guide_points_to_reverse(22, 0, 20_000, 20_000)  # the whole sale refunded
    assert back == 22
    e = E.reverse_earned(account=g, debt_acct=L.debt_account("staff-7"), points=back, lots=lots, first_lot=None,
                         sink=ISSUED, now=NOW + timedelta(days=2), payload={"of": "guide"}, member_id=None)
    assert check_postings(e.postings) == ()
    assert set(e.postings) == {Posting(ISSUED, 22), Posting(g, -5), Posting(L.debt_account("staff-7"), -17)}
    assert e.takes == (LotTake("LG", 5),) and e.payload["debt_added"] == 17
