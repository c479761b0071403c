"""Rewards up a network of recruiters, three levels at most; HQ's policy per point type."""

from __future__ import annotations

import pytest

from pos_app.domain.ledger import PointType
from pos_app.domain.network import LevelRewards, parse_level_rewards, share_back, store_rewards, upline_rewards
from pos_app.domain.point_policy import DEFAULTS, PointPolicy, check_withdrawal, parse_policies, payout_fen


def test_levels_two_and_three_take_their_share_and_no_more_levels():
    assert upline_rewards(1000, (10, 5), ["up1", "up2", "up3", "up4"]) == [("up1", 2, 100), ("up2", 3, 50)]
    assert upline_rewards(1000, (10, 5, 3), ["a", "b", "c"]) == [("a", 2, 100), ("b", 3, 50)]  # never level 4
    assert upline_rewards(9, (10,), ["a"]) == []  # a share that rounds to nothing is not credited
    assert upline_rewards(1000, (10, 5), []) == []


@pytest.mark.parametrize("doc, field", [({"guide_pct": [10, 5, 1]}, "guide_pct"), ({"agent_pct": [101]}, "agent_pct"),
                                        ({"agent_pct": "20"}, "agent_pct"), ({"levels": 3}, "levels")])
def test_hq_cannot_set_a_fourth_level_or_a_bad_share(doc, field):
    assert [p.params["field"] for p in parse_level_rewards(doc)] == [field]


def test_a_good_table():
    assert parse_level_rewards({"guide_pct": [10, 5], "agent_pct": [20]}) == LevelRewards((10, 5), (20,))
    assert parse_level_rewards({"store_pct": [3, 2, 1]}) == LevelRewards(store_pct=(3, 2, 1))
    assert [p.code for p in parse_level_rewards({"store_pct": [3, 2, 1, 1]})] == ["network.too_deep"]


def test_a_recruited_stores_sale_pays_its_agent_and_two_above_and_no_more():
    assert store_rewards(1000, (3, 2, 1), ["a", "b", "c", "d"]) == [("a", 1, 30), ("b", 2, 20), ("c", 3, 10)]
    assert store_rewards(1000, (3,), ["a", "b"]) == [("a", 1, 30)]
    assert store_rewards(10, (3, 50), ["a", "b"]) == [("b", 2, 5)]  # a share rounding to 0 pays nothing


@pytest.mark.parametrize("parts", [[1000], [300, 700], [333, 333, 334], [1, 998, 1], [999, 1]])
def test_refunds_take_back_each_share_in_proportion_and_the_whole_of_it_at_the_end(parts):
    done, back = 0, []
    for n in parts:
        back.append(share_back(77, 1000, done, n))
        done += n
    assert sum(back) == 77 and all(b >= 0 for b in back)
    assert share_back(77, 1000, 1000, 5) == 0  # nothing more once all is back
    assert share_back(77, 0, 0, 5) == 0


def test_each_point_type_has_its_policy():
    assert parse_policies({}) == DEFAULTS
    assert not DEFAULTS[PointType.CONSUMER].withdraw and DEFAULTS[PointType.AGENT].withdraw
    got = parse_policies({"consumer": {"withdraw": True, "fen_per_100_points": 50}})
    assert got[PointType.CONSUMER] == PointPolicy(True, 1000, 50)
    assert [p.params["field"] for p in parse_policies({"guide": {"min_withdraw_points": 0, "x": 1}})] == [
        "guide.min_withdraw_points", "guide.x"]
    assert [p.code for p in check_withdrawal(DEFAULTS[PointType.CONSUMER], PointType.CONSUMER, 5000, 9000)] == [
        "withdraw.not_allowed"]
    assert [p.code for p in check_withdrawal(DEFAULTS[PointType.GUIDE], PointType.GUIDE, 999, 9000)] == [
        "withdraw.too_small"]
    assert [p.code for p in check_withdrawal(DEFAULTS[PointType.GUIDE], PointType.GUIDE, 5000, 4999)] == [
        "points.insufficient"]
    assert payout_fen(PointPolicy(True, 1, 50), 333) == 166
