"""Tiers on rolling 12-month qualifying spend: up at once, down only on re-evaluation."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.tiers import (QUALIFYING_WINDOW, Tier, after_sale, by_code, check_tiers, lowest,
                                  on_reevaluation, overlay, parse_tier, rank, tier_for, tier_for_spend,
                                  window_start)

BASIC = Tier("basic", "Basic", 0)
SILVER = Tier("silver", "Silver", 100_000, 120, ("free gift wrap",))
GOLD = Tier("gold", "Gold", 500_000, 150, ("free gift wrap", "birthday double points", "priority pickup"))
# deliberately out of order: the rules do not depend on listing order
TIERS = (GOLD, BASIC, SILVER)


def test_the_qualifying_window_is_a_rolling_twelve_months():
    now = datetime(2026, 11, 25, 10, 0)
    assert QUALIFYING_WINDOW == timedelta(days=365)
    assert window_start(now) == datetime(2025, 11, 25, 10, 0)


def test_tier_for_spend_is_the_highest_threshold_reached():
    assert tier_for_spend(TIERS, 0) is BASIC
    assert tier_for_spend(TIERS, 99_999) is BASIC
    assert tier_for_spend(TIERS, 100_000) is SILVER  # the threshold itself qualifies
    assert tier_for_spend(TIERS, 499_999) is SILVER
    assert tier_for_spend(TIERS, 500_000) is GOLD
    assert tier_for_spend(TIERS, 10**12) is GOLD
    assert tier_for_spend(TIERS, -500) is BASIC  # refunds can make window spend negative


def test_rank_lowest_and_by_code():
    assert [rank(TIERS, c) for c in ("basic", "silver", "gold")] == [0, 1, 2]
    assert rank(TIERS, "unknown") == 0
    assert lowest(TIERS) is BASIC
    assert by_code(TIERS, "silver") is SILVER
    assert by_code(TIERS, "retired") is BASIC  # a member on a removed tier falls back to the lowest


def test_a_sale_that_crosses_a_threshold_upgrades_at_once_even_by_two_tiers():
    assert after_sale(TIERS, "basic", 100_000) == "silver"
    assert after_sale(TIERS, "basic", 600_000) == "gold"
    assert after_sale(TIERS, "silver", 99_000) == "silver"


def test_a_sale_never_downgrades():
    # old purchases rolled out of the window: the member keeps gold until re-evaluation
    assert after_sale(TIERS, "gold", 1_000) == "gold"
    assert after_sale(TIERS, "silver", 0) == "silver"


def test_reevaluation_sets_exactly_what_the_window_spend_earns():
    assert on_reevaluation(TIERS, 1_000) == "basic"
    assert on_reevaluation(TIERS, 150_000) == "silver"
    assert on_reevaluation(TIERS, 500_000) == "gold"


def test_tiers_carry_their_multiplier_and_benefits():
    gold = by_code(TIERS, after_sale(TIERS, "basic", 500_000))
    assert gold.multiplier_pct == 150
    assert "birthday double points" in gold.benefits
    assert BASIC.multiplier_pct == 100 and BASIC.benefits == ()


spends = st.integers(-10**6, 10**7)


@given(st.sampled_from(["basic", "silver", "gold"]), spends)
def test_after_sale_is_never_lower_than_before_or_than_what_spend_earns(current, spend):
    got = after_sale(TIERS, current, spend)
    assert rank(TIERS, got) >= rank(TIERS, current)
    assert rank(TIERS, got) >= rank(TIERS, tier_for_spend(TIERS, spend).code)
    assert got in (current, tier_for_spend(TIERS, spend).code)


@given(spends, spends)
def test_more_spend_never_earns_a_lower_tier(a, b):
    lo, hi = sorted((a, b))
    assert rank(TIERS, on_reevaluation(TIERS, lo)) <= rank(TIERS, on_reevaluation(TIERS, hi))


# --- tiers HQ defines (issue 13): on spend, on points, or on either --------------------------
P_BASIC = Tier("basic", "Basic", None, 100, (), 0)
P_SILVER = Tier("silver", "Silver", None, 120, (), 1_000)
P_GOLD = Tier("gold", "Gold", None, 150, (), 5_000)
ON_POINTS = (P_BASIC, P_SILVER, P_GOLD)


def test_a_tier_on_points_is_reached_by_points_alone():
    assert tier_for(ON_POINTS, spend_fen=10**9, points=999) is P_BASIC
    assert tier_for(ON_POINTS, spend_fen=0, points=1_000) is P_SILVER
    assert after_sale(ON_POINTS, "silver", 0, 5_000) == "gold"
    assert on_reevaluation(ON_POINTS, 10**9, 0) == "basic"


def test_on_either_threshold_the_higher_tier_reached_wins():
    either = (Tier("basic", "B", 0, min_points=0), Tier("gold", "G", 500_000, min_points=5_000))
    assert check_tiers(either) == ()
    assert tier_for(either, 500_000, 0).code == "gold" and tier_for(either, 0, 5_000).code == "gold"
    assert tier_for(either, 499_999, 4_999).code == "basic"


def test_hqs_records_go_over_the_rules_tiers_by_code():
    richer_gold = Tier("gold", "Gold+", 500_000, 300)
    merged = overlay(TIERS, {"gold": richer_gold, "vip": Tier("vip", "VIP", 2_000_000, 400)})
    assert [t.code for t in merged] == ["basic", "silver", "gold", "vip"]
    assert by_code(merged, "gold").multiplier_pct == 300
    assert overlay(TIERS, {}) == (BASIC, SILVER, GOLD)  # lowest first


@pytest.mark.parametrize("tiers, why", [
    ((Tier("basic", "B", 100), SILVER), "open to every member"),
    ((BASIC, P_SILVER), "same thresholds"),
    ((Tier("basic", "B", 0, min_points=0), Tier("s", "S", 100, min_points=500),
      Tier("g", "G", 50, min_points=900)), "same order"),
])
def test_an_unusable_set_of_tiers_is_refused_naming_tiers(tiers, why):
    (p,) = check_tiers(tiers)
    assert p.params["field"] == "tiers" and why in p.message


def test_a_tier_record_needs_a_threshold():
    assert [p.params["field"] for p in parse_tier("x", {"name": "X"})] == ["min_spend_fen"]
    assert parse_tier("x", {"name": "X", "min_points": 10}).min_spend_fen is None
