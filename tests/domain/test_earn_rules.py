"""Earn rules: base rate on money paid, product and category points, exclusions,
tier and campaign multipliers, the daily cap, lock days; and the rules document."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain import entries as E
from pos_app.domain.campaigns import Campaign
from pos_app.domain.ledger import Kind
from pos_app.domain.pricing import CartLine, Quote, line_base_points, quote
from pos_app.domain.rules import ApprovalPolicy, Rules, parse_rules, rules_to_doc
from pos_app.domain.tiers import Tier

NOW = datetime(2026, 6, 1, 12, 0)
BASIC = Tier("basic", "Basic", 0)
GOLD = Tier("gold", "Gold", 100_000, 150)


def line(sku="A", price=1000, qty=1, category="food"):
    return CartLine(sku, sku, category, price, qty)


def earn(lines, rules=Rules(version=1), *, tier=BASIC, campaigns=(), member="m1", now=NOW, **kw) -> Quote:
    q = quote(lines, rules=rules, tier=tier, campaigns=campaigns, now=now, member_id=member, **kw)
    assert isinstance(q, Quote), q
    return q


# --- base rate -----------------------------------------------------------------------------

def test_base_rate_is_points_per_amount_paid_rounded_down():
    assert earn([line(price=1999)]).earn_points == 19  # 1 point per ¥1 by default
    assert earn([line(price=99)]).earn_points == 0
    r = Rules(version=1, base_points=3, base_per_fen=1000)  # 3 points per ¥10, pro rata
    assert earn([line(price=2999)], r).earn_points == 8  # 2999 * 3 / 1000 = 8.997
    assert earn([line(price=3000)], r).earn_points == 9
    assert earn([line(price=333)], r).earn_points == 0


def test_each_line_rounds_down_on_its_own():
    q = earn([line("A", 150), line("B", 150)])
    assert [ln.points for ln in q.lines] == [1, 1]
    assert q.earn_points == 2


def test_no_member_earns_nothing():
    q = earn([line(price=10_000)], member=None)
    assert q.earn_points == 0 and all(ln.points == 0 for ln in q.lines)


# --- product and category points, exclusions ------------------------------------------------

def test_product_points_are_fixed_per_unit_and_replace_the_base_rate():
    r = Rules(version=1, product_points={"TEA": 25})
    q = earn([line("TEA", price=100_000, qty=3), line("B", price=500)], r)
    assert [ln.points for ln in q.lines] == [75, 5]


def test_product_points_follow_the_money_actually_paid():
    """A coupon or points paying for part of the line take their share of its fixed points
    (otherwise a coupon covering a high-points product would mint free points)."""
    r = Rules(version=1, product_points={"TEA": 100})
    tea = line("TEA", price=5000, qty=2)
    assert line_base_points(r, tea, 10_000) == 200
    assert line_base_points(r, tea, 5_000) == 100
    assert line_base_points(r, tea, 3_333) == 66  # rounded down
    assert line_base_points(r, tea, 0) == 0
    assert line_base_points(r, line("TEA", price=0, qty=3), 0) == 300  # a free item: nothing was discounted
    half_by_points = earn([tea], r, cash_points=5_000, spendable_points=5_000)
    assert half_by_points.earn_points == 100


def test_category_percent_scales_the_base_rate():
    r = Rules(version=1, category_pct={"fresh": 200, "tobacco": 0, "sale": 50})
    q = earn([line("A", 1000, category="fresh"), line("B", 1000, category="tobacco"),
              line("C", 1000, category="sale"), line("D", 1000, category="other")], r)
    assert [ln.points for ln in q.lines] == [20, 0, 5, 10]


def test_excluded_items_earn_nothing_even_with_product_points():
    r = Rules(version=1, product_points={"GIFT-CARD": 50, "MILK": 5}, excluded_skus=frozenset({"GIFT-CARD"}),
              excluded_categories=frozenset({"tobacco"}))
    q = earn([line("GIFT-CARD", 10_000), line("CIG", 3_000, category="tobacco"), line("MILK", 800),
              line("BREAD", 800)], r)
    assert [ln.points for ln in q.lines] == [0, 0, 5, 8]
    assert line_base_points(r, line("MILK", 800, category="tobacco"), 800) == 0  # category exclusion wins


def test_points_are_earned_only_on_money_paid_not_on_coupon_or_points_parts():
    r = Rules(version=1)
    full = earn([line(price=10_000)], r)
    assert full.earn_points == 100
    paid_with_points = earn([line(price=10_000)], r, cash_points=4_000, spendable_points=4_000)
    assert paid_with_points.due_fen == 6_000 and paid_with_points.earn_points == 60


# --- multipliers ----------------------------------------------------------------------------

def test_tier_multiplier_applies_to_member_points():
    q = earn([line(price=1000)], tier=GOLD)
    assert q.earn_points == 15 and q.tier_multiplier_pct == 150
    assert earn([line(price=1100)], tier=GOLD).earn_points == 16  # 11 * 1.5 = 16.5, rounded down


def double(start=NOW - timedelta(hours=1), end=NOW + timedelta(hours=1), pct=200, **kw):
    return Campaign(kw.pop("cid", "c2x"), "Double points", start, end, pct, **kw)


def test_campaign_multiplier_applies_inside_its_window_only():
    c = double(start=NOW, end=NOW + timedelta(days=1))
    assert earn([line(price=1000)], campaigns=(c,)).earn_points == 20
    assert earn([line(price=1000)], campaigns=(c,), now=NOW - timedelta(seconds=1)).earn_points == 10
    assert earn([line(price=1000)], campaigns=(c,), now=NOW + timedelta(days=1)).earn_points == 10  # end exclusive
    q = earn([line(price=1000)], campaigns=(c,), now=NOW + timedelta(hours=23))
    assert q.earn_points == 20 and q.lines[0].campaign_id == "c2x"


def test_campaign_limited_to_skus_or_categories_touches_only_those_lines():
    c = double(categories=frozenset({"drinks"}), cid="drinks2x")
    q = earn([line("A", 1000, category="drinks"), line("B", 1000, category="food")], campaigns=(c,))
    assert [ln.points for ln in q.lines] == [20, 10]
    assert [ln.campaign_id for ln in q.lines] == ["drinks2x", None]


def test_tier_and_campaign_multiply_with_one_rounding_at_the_end():
    c = double(pct=300)
    q = earn([line(price=1100)], tier=GOLD, campaigns=(c,))
    assert q.earn_points == 11 * 150 * 300 // 10_000  # 49, not floor(floor(16.5) * 3) = 48


def test_overlapping_campaigns_do_not_stack():
    q = earn([line(price=1000)], campaigns=(double(pct=200, cid="a"), double(pct=300, cid="b"),
                                          double(pct=150, cid="c")))
    assert q.earn_points == 30 and q.lines[0].campaign_id == "b"


# --- daily cap ------------------------------------------------------------------------------

def test_daily_cap_limits_a_members_points_per_day():
    r = Rules(version=1, daily_cap=100)
    q = earn([line("A", 6_000), line("B", 9_000)], r)
    assert q.earn_uncapped == 150 and q.earn_points == 100
    assert sum(ln.points for ln in q.lines) == 100
    assert [ln.points for ln in q.lines] == [40, 60]  # spread in proportion
    assert earn([line("A", 6_000)], r, earned_today=70).earn_points == 30
    assert earn([line("A", 6_000)], r, earned_today=100).earn_points == 0
    assert earn([line("A", 6_000)], r, earned_today=250).earn_points == 0  # never negative
    assert earn([line("A", 6_000)], r, earned_today=10).earn_points == 60  # under the cap: untouched


@given(st.lists(st.tuples(st.integers(0, 50_000), st.integers(1, 5)), min_size=1, max_size=8),
       st.integers(1, 2_000), st.integers(0, 3_000), st.sampled_from([100, 150, 200]))
def test_capped_points_never_exceed_the_cap_and_lines_add_up(items, cap, earned_today, tier_pct):
    r = Rules(version=1, daily_cap=cap)
    tier = Tier("t", "T", 0, tier_pct)
    q = earn([line(f"S{i}", p, n) for i, (p, n) in enumerate(items)], r, tier=tier, earned_today=earned_today)
    assert q.earn_points == sum(ln.points for ln in q.lines)
    assert 0 <= q.earn_points <= max(0, cap - earned_today)
    assert q.earn_points == min(q.earn_uncapped, max(0, cap - earned_today))
    assert all(ln.points >= 0 for ln in q.lines)


# --- lock days and expiry -------------------------------------------------------------------

def test_lock_days_delay_spending_of_earned_points():
    r = Rules(version=1, lock_days=7, expiry_days=30)
    e = E.earn(Kind.EARN, member_id="m1", points=10, store_id="s", owed=0, lot_id="L", now=NOW, rules=r, payload={})
    assert e.grants[0].available_at == NOW + timedelta(days=7)
    assert e.grants[0].expires_at == NOW + timedelta(days=30)


# --- the rules document ---------------------------------------------------------------------

FULL_DOC = {
    "version": 7, "base_points": 2, "base_per_fen": 500, "product_points": {"TEA": 10},
    "category_pct": {"fresh": 200}, "excluded_skus": ["GC"], "excluded_categories": ["tobacco"],
    "daily_cap": 5000, "lock_days": 3, "expiry_days": 180, "guide_pct": 10, "referral_bonus": 200,
    "cash_points": 100, "cash_fen": 100, "cash_max_pct": 50, "max_adjust_points": 1000,
    "tiers": [{"code": "basic", "name": "Basic", "min_spend_fen": 0},
              {"code": "gold", "name": "Gold", "min_spend_fen": 100_000, "multiplier_pct": 150,
               "benefits": ["birthday gift", "free parking"]}],
    "approval": {"redeem_points_over": 3000, "refund": True, "adjust": False, "void_redemption": True},
}


def test_a_full_document_parses_into_rules():
    r = parse_rules(FULL_DOC)
    assert isinstance(r, Rules)
    assert (r.version, r.base_points, r.base_per_fen, r.daily_cap, r.lock_days, r.expiry_days) == (7, 2, 500, 5000,
                                                                                                   3, 180)
    assert r.product_points == {"TEA": 10} and r.category_pct == {"fresh": 200}
    assert r.excluded_skus == frozenset({"GC"}) and r.excluded_categories == frozenset({"tobacco"})
    assert r.tiers[1] == Tier("gold", "Gold", 100_000, 150, ("birthday gift", "free parking"))
    assert r.approval == ApprovalPolicy(3000, refund=True, adjust=False, void_redemption=True)
    assert parse_rules(rules_to_doc(r)) == r


def test_a_minimal_document_takes_the_defaults():
    r = parse_rules({"version": 1})
    assert r == Rules(version=1)
    assert r.daily_cap is None and r.lock_days == 0 and r.tiers == (Tier("basic", "Basic", 0),)


def codes(res):
    assert isinstance(res, tuple), res
    return [p.code for p in res]


def fields(res):
    return [p.params.get("field") for p in res]


@pytest.mark.parametrize("patch, field", [
    ({"version": 0}, "version"), ({"version": "1"}, "version"), ({"version": True}, "version"),
    ({"base_points": -1}, "base_points"), ({"base_per_fen": 0}, "base_per_fen"), ({"base_per_fen": 1.5}, "base_per_fen"),
    ({"cash_points": 0}, "cash_points"), ({"cash_fen": 0}, "cash_fen"), ({"cash_max_pct": 101}, "cash_max_pct"),
    ({"lock_days": -1}, "lock_days"), ({"guide_pct": "10"}, "guide_pct"), ({"referral_bonus": False}, "referral_bonus"),
    ({"daily_cap": 0}, "daily_cap"), ({"daily_cap": -5}, "daily_cap"), ({"daily_cap": 1.0}, "daily_cap"),
    ({"product_points": {"A": -1}}, "product_points"), ({"product_points": ["A"]}, "product_points"),
    ({"category_pct": {"x": 1.5}}, "category_pct"), ({"excluded_skus": "GC"}, "excluded_skus"),
    ({"excluded_categories": [1]}, "excluded_categories"),
    ({"tiers": []}, "tiers"), ({"tiers": "gold"}, "tiers"),
    ({"tiers": [{"code": "gold", "min_spend_fen": 100}]}, "tiers"),  # nobody starts at 0
    ({"tiers": [{"code": "a", "min_spend_fen": 0}, {"code": "a", "min_spend_fen": 5}]}, "tiers"),
    ({"tiers": [{"code": "a", "min_spend_fen": 0, "multiplier_pct": 0}]}, "tiers"),
    ({"tiers": [{"code": "", "min_spend_fen": 0}]}, "tiers"),
    ({"tiers": [{"code": "a", "min_spend_fen": -1}]}, "tiers"),
    ({"approval": {"redeem_points_over": "lots"}}, "approval"), ({"approval": True}, "approval"),
])
def test_each_bad_field_is_reported_by_name(patch, field):
    res = parse_rules({"version": 1, **patch})
    assert codes(res) == ["rules.invalid"]
    assert fields(res) == [field]


def test_every_problem_is_reported_at_once_and_nothing_is_half_applied():
    res = parse_rules({"version": -1, "base_per_fen": 0, "daily_cap": 0, "excluded_skus": 5})
    assert sorted(fields(res)) == ["base_per_fen", "daily_cap", "excluded_skus", "version"]
    assert codes(parse_rules("not a dict")) == ["rules.invalid"]
    assert codes(parse_rules(None)) == ["rules.invalid"]


@pytest.mark.parametrize("patch, field", [
    ({"tiers": [{"code": "a", "min_spend_fen": 0, "benefits": "free parking"}]}, "tiers"),
    ({"tiers": [{"code": "a", "min_spend_fen": 0, "benefits": 5}]}, "tiers"),
    ({"tiers": [{"code": "a", "min_spend_fen": 0, "benefits": ["ok", 3]}]}, "tiers"),
    ({"tiers": [{"code": "a", "name": 7, "min_spend_fen": 0}]}, "tiers"),
    ({"expiry_days": 0}, "expiry_days"),
    ({"lock_days": 30, "expiry_days": 30}, "lock_days"),
    ({"lock_days": 365}, "lock_days"),  # against the default expiry
    ({"approval": {"refund": "false"}}, "approval"),
    ({"approval": {"adjust": 0}}, "approval"),
])
def test_documents_that_would_be_misread_are_refused(patch, field):
    """A benefits string must not become a tuple of letters, points must be spendable
    before they expire, and an approval switch must be a real boolean."""
    res = parse_rules({"version": 1, **patch})
    assert codes(res) == ["rules.invalid"]
    assert fields(res) == [field]


def test_lock_days_alone_are_checked_against_the_default_expiry():
    assert parse_rules({"version": 1, "lock_days": 364}).lock_days == 364
    assert parse_rules({"version": 1, "lock_days": 400, "expiry_days": 730}).lock_days == 400


def test_null_daily_cap_means_no_cap():
    assert parse_rules({"version": 1, "daily_cap": None}).daily_cap is None


@given(st.builds(
    Rules, version=st.integers(1, 10**6), base_points=st.integers(0, 100), base_per_fen=st.integers(1, 10_000),
    product_points=st.dictionaries(st.text(min_size=1, max_size=5), st.integers(0, 1000), max_size=3),
    category_pct=st.dictionaries(st.text(min_size=1, max_size=5), st.integers(0, 500), max_size=3),
    excluded_skus=st.frozensets(st.text(max_size=5), max_size=3), daily_cap=st.none() | st.integers(1, 10**6),
    lock_days=st.integers(0, 30), expiry_days=st.integers(31, 1000), guide_pct=st.integers(0, 100),
    cash_max_pct=st.integers(0, 100),
    approval=st.builds(ApprovalPolicy, st.integers(0, 10**5), st.booleans(), st.booleans(), st.booleans())))
def test_rules_round_trip_through_their_document(rules):
    assert parse_rules(rules_to_doc(rules)) == rules
