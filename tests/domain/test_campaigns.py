"""Campaigns: multipliers in a time window, for some products or categories; the highest wins."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.campaigns import Campaign, multiplier_for

START = datetime(2026, 11, 11, 0, 0)
END = START + timedelta(days=1)


def camp(cid="c", pct=200, start=START, end=END, **kw):
    return Campaign(cid, cid, start, end, pct, **kw)


def test_window_includes_its_start_and_excludes_its_end():
    c = camp()
    assert not c.covers(START - timedelta(microseconds=1), "A", "food")
    assert c.covers(START, "A", "food")
    assert c.covers(END - timedelta(microseconds=1), "A", "food")
    assert not c.covers(END, "A", "food")


def test_empty_sku_and_category_sets_mean_everything():
    assert camp().covers(START, "anything", "whatever")


def test_sku_and_category_restrictions_must_both_hold():
    c = camp(skus=frozenset({"A", "B"}), categories=frozenset({"drinks"}))
    assert c.covers(START, "A", "drinks")
    assert not c.covers(START, "C", "drinks")
    assert not c.covers(START, "A", "food")
    only_cat = camp(categories=frozenset({"drinks"}))
    assert only_cat.covers(START, "Z", "drinks") and not only_cat.covers(START, "Z", "food")


def test_no_campaign_is_plain_points():
    assert multiplier_for((), START, "A", "food") == (100, None)
    assert multiplier_for((camp(),), END, "A", "food") == (100, None)  # over


def test_highest_covering_multiplier_wins_and_names_its_campaign():
    cs = (camp("double", 200), camp("triple_drinks", 300, categories=frozenset({"drinks"})),
          camp("later", 500, start=END, end=END + timedelta(days=1)))
    assert multiplier_for(cs, START, "A", "drinks") == (300, "triple_drinks")
    assert multiplier_for(cs, START, "A", "food") == (200, "double")
    assert multiplier_for(cs, END, "A", "food") == (500, "later")


def test_equal_multipliers_keep_the_first_listed():
    assert multiplier_for((camp("a", 200), camp("b", 200)), START, "A", "x") == (200, "a")


def test_a_campaign_never_lowers_points():
    assert multiplier_for((camp("half", 50),), START, "A", "x") == (100, None)


@given(st.lists(st.tuples(st.integers(0, 1000), st.integers(-48, 48), st.integers(1, 72)), max_size=6),
       st.integers(-48, 96))
def test_result_is_the_max_of_covering_campaigns_never_a_product(specs, at_hours):
    cs = tuple(camp(f"c{i}", pct, START + timedelta(hours=s), START + timedelta(hours=s + d))
               for i, (pct, s, d) in enumerate(specs))
    when = START + timedelta(hours=at_hours)
    pct, cid = multiplier_for(cs, when, "A", "x")
    covering = [c.multiplier_pct for c in cs if c.starts_at <= when < c.ends_at]
    assert pct == max([100, *covering])
    if cid is None:
        assert pct == 100
    else:
        chosen = next(c for c in cs if c.campaign_id == cid)
        assert chosen.covers(when, "A", "x") and chosen.multiplier_pct == pct
