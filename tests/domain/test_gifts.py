"""Gift redemption: points cost, stock, time window, per-member limit, tier restriction."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from pos_app.domain.gifts import MAX_GIFT_QTY, Gift, check_redemption
from pos_app.domain.tiers import Tier

NOW = datetime(2026, 6, 1, 12, 0)
TIERS = (Tier("basic", "Basic", 0), Tier("silver", "Silver", 100_000), Tier("gold", "Gold", 500_000))
MUG = Gift("g-mug", "Mug", 800, copay_fen=990, starts_at=NOW - timedelta(days=1), ends_at=NOW + timedelta(days=1),
           per_member_limit=2, min_tier="silver")


def check(gift=MUG, **kw):
    args = dict(qty=1, stock=5, member_tier="silver", tiers=TIERS, already_redeemed=0, spendable_points=10_000,
                now=NOW)
    args.update(kw)
    return [p.code for p in check_redemption(gift, **args)]


def test_a_redemption_within_every_rule_passes():
    assert check() == []
    assert MUG.copay_fen == 990  # the cash co-pay travels with the gift; points cost is separate


def test_points_cost_is_per_unit_against_spendable_points():
    assert check(qty=2, spendable_points=1600) == []
    assert check(qty=2, spendable_points=1599) == ["points.insufficient"]
    res = check_redemption(MUG, qty=2, stock=5, member_tier="silver", tiers=TIERS, already_redeemed=0,
                           spendable_points=1000, now=NOW)
    assert res[0].params == {"have": 1000, "need": 1600}


def test_stock_must_cover_the_quantity():
    assert check(stock=1) == []
    assert check(stock=0) == ["gift.out_of_stock"]
    assert check(qty=2, stock=1) == ["gift.out_of_stock"]


def test_time_window_start_inclusive_end_exclusive():
    assert check(now=MUG.starts_at) == []
    assert check(now=MUG.starts_at - timedelta(seconds=1)) == ["gift.not_started"]
    assert check(now=MUG.ends_at - timedelta(seconds=1)) == []
    assert check(now=MUG.ends_at) == ["gift.ended"]
    assert check(Gift("g", "Open-ended", 10), now=datetime(2099, 1, 1), member_tier="basic") == []


def test_per_member_limit_counts_earlier_redemptions():
    assert check(already_redeemed=1) == []
    assert check(already_redeemed=2) == ["gift.limit"]
    assert check(already_redeemed=1, qty=2) == ["gift.limit"]
    assert check(Gift("g", "No limit", 1), already_redeemed=10**6) == []


def test_tier_restriction_admits_that_tier_and_higher():
    assert check(member_tier="gold") == []
    assert check(member_tier="silver") == []
    assert check(member_tier="basic") == ["gift.tier"]
    assert check(member_tier="no-such-tier") == ["gift.tier"]  # an unknown member tier ranks lowest


def test_a_gift_restricted_to_a_tier_that_no_longer_exists_is_refused_not_opened_to_all():
    retired = Gift("g", "VIP lounge pass", 100, min_tier="platinum")
    assert check(retired, member_tier="basic") == ["gift.tier"]
    assert check(retired, member_tier="gold") == ["gift.tier"]


def test_inactive_gifts_are_refused():
    assert check(Gift("g", "Old", 10, active=False), member_tier="basic") == ["gift.inactive"]


@pytest.mark.parametrize("qty", [0, -1, MAX_GIFT_QTY + 1, True, 1.0, "1"])
def test_quantity_must_be_a_whole_number_in_range(qty):
    assert check(qty=qty) == ["gift.bad_qty"]


def test_every_problem_is_reported_together():
    got = check(Gift("g", "Everything wrong", 500, starts_at=NOW + timedelta(days=1), per_member_limit=1,
                     min_tier="gold", active=False),
                stock=0, member_tier="basic", already_redeemed=1, spendable_points=0)
    assert got == ["gift.inactive", "gift.not_started", "gift.out_of_stock", "gift.limit", "gift.tier",
                   "points.insufficient"]
