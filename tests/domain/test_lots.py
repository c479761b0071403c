"""Earned points as lots: expiry, locking, soonest-expiring spent first."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.ledger import LotGrant, LotTake
from pos_app.domain.lots import Lot, expired, grant, spendable_total, take_soonest_expiring, take_up_to
from pos_app.domain.problems import Problem

NOW = datetime(2026, 6, 1, 12, 0)
DAY = timedelta(days=1)
ACCT = "member:m:consumer"


def lot(lot_id, remaining, *, expires_in=30, available_in=-1):
    return Lot(lot_id, ACCT, remaining, NOW + available_in * DAY, NOW + expires_in * DAY)


def test_a_lot_is_spendable_from_available_at_until_just_before_expiry():
    x = Lot("x", ACCT, 10, NOW, NOW + DAY)
    assert not x.spendable(NOW - timedelta(seconds=1))  # still locked
    assert x.spendable(NOW)
    assert x.spendable(NOW + DAY - timedelta(microseconds=1))
    assert not x.spendable(NOW + DAY)  # expires_at is exclusive
    assert not Lot("e", ACCT, 0, NOW, NOW + DAY).spendable(NOW)  # empty


def test_spendable_total_skips_locked_expired_and_empty_lots():
    lots = [lot("a", 10), lot("b", 20, available_in=2), lot("c", 30, expires_in=-1), lot("d", 0), lot("e", 5)]
    assert spendable_total(lots, NOW) == 15
    assert spendable_total(lots, NOW + 3 * DAY) == 35


def test_spending_takes_the_soonest_expiring_lot_first():
    lots = [lot("late", 100, expires_in=300), lot("soon", 30, expires_in=5), lot("mid", 50, expires_in=60)]
    assert take_soonest_expiring(lots, 60, NOW) == (LotTake("soon", 30), LotTake("mid", 30))
    assert take_soonest_expiring(lots, 30, NOW) == (LotTake("soon", 30),)
    assert take_soonest_expiring(lots, 180, NOW) == (LotTake("soon", 30), LotTake("mid", 50), LotTake("late", 100))


def test_equal_expiry_breaks_ties_by_lot_id():
    lots = [lot("b", 10), lot("a", 10), lot("c", 10)]
    assert take_soonest_expiring(lots, 15, NOW) == (LotTake("a", 10), LotTake("b", 5))


def test_locked_and_expired_lots_are_never_spent():
    lots = [lot("locked", 100, expires_in=1, available_in=1), lot("gone", 100, expires_in=-1), lot("ok", 10)]
    assert take_soonest_expiring(lots, 10, NOW) == (LotTake("ok", 10),)
    res = take_soonest_expiring(lots, 11, NOW)
    assert isinstance(res, Problem) and res.code == "points.insufficient"
    assert res.params == {"have": 10, "need": 11}


def test_spending_nothing_or_less_is_refused():
    for amount in (0, -5):
        res = take_soonest_expiring([lot("a", 10)], amount, NOW)
        assert isinstance(res, Problem) and res.code == "points.not_positive"


def test_take_up_to_prefers_the_named_lot_then_expiry_and_reports_the_shortfall():
    lots = [lot("soon", 10, expires_in=2), lot("sale", 5, expires_in=300), lot("locked", 7, available_in=3),
            lot("gone", 50, expires_in=-1)]
    takes, short = take_up_to(lots, 20, NOW, first="sale")
    # the sale's own lot first, then soonest expiry; a locked lot counts, an expired one does not
    assert takes == (LotTake("sale", 5), LotTake("soon", 10), LotTake("locked", 5))
    assert short == 0
    takes, short = take_up_to(lots, 40, NOW, first="sale")
    assert sum(t.amount for t in takes) == 22 and short == 18
    assert take_up_to([], 9, NOW) == ((), 9)
    assert take_up_to(lots, 0, NOW) == ((), 0)
    with pytest.raises(ValueError):
        take_up_to(lots, -5, NOW)  # would hand back points as negative takes


def test_grant_sets_lock_and_expiry_from_the_rules():
    g = grant("L1", ACCT, 42, NOW, lock_days=7, expiry_days=365)
    assert g == LotGrant("L1", ACCT, 42, NOW + 7 * DAY, NOW + 365 * DAY)
    g0 = grant("L2", ACCT, 1, NOW, lock_days=0, expiry_days=30)
    assert g0.available_at == NOW  # no lock: spendable at once
    locked = Lot(g.lot_id, g.account, g.amount, g.available_at, g.expires_at)
    assert not locked.spendable(NOW + 6 * DAY) and locked.spendable(NOW + 7 * DAY)


def test_expired_lists_lots_past_expiry_that_still_hold_points():
    lots = [lot("a", 10, expires_in=-1), lot("b", 0, expires_in=-1), lot("c", 5, expires_in=1)]
    assert [x.lot_id for x in expired(lots, NOW)] == ["a"]
    assert [x.lot_id for x in expired(lots, NOW + DAY)] == ["a", "c"]  # expires_at itself is expired


lots_strategy = st.lists(
    st.builds(lambda i, r, e, a: Lot(f"L{i:03d}", ACCT, r, NOW + a * DAY, NOW + e * DAY),
              st.integers(0, 999), st.integers(0, 500), st.integers(-10, 400), st.integers(-10, 10)),
    max_size=10, unique_by=lambda x: x.lot_id)


@given(lots_strategy, st.integers(1, 3000))
def test_taking_never_overdraws_a_lot_and_takes_exactly_the_amount(lots, amount):
    res = take_soonest_expiring(lots, amount, NOW)
    have = spendable_total(lots, NOW)
    by_id = {x.lot_id: x for x in lots}
    if amount > have:
        assert isinstance(res, Problem) and res.code == "points.insufficient"
        return
    assert sum(t.amount for t in res) == amount
    assert len({t.lot_id for t in res}) == len(res)
    for t in res:
        assert 0 < t.amount <= by_id[t.lot_id].remaining  # no lot goes below zero
        assert by_id[t.lot_id].spendable(NOW)
    # soonest-expiring first: every lot taken from before the last was emptied
    for t in res[:-1]:
        assert t.amount == by_id[t.lot_id].remaining
    expiries = [by_id[t.lot_id].expires_at for t in res]
    assert expiries == sorted(expiries)
    # and no untouched spendable lot expires sooner than the last one taken
    if res:
        untouched = [x for x in lots if x.spendable(NOW) and x.lot_id not in {t.lot_id for t in res}]
        assert all(x.expires_at >= expiries[-1] for x in untouched)


@given(lots_strategy, st.integers(0, 3000), st.sampled_from([None, "L001", "L500"]))
def test_take_up_to_never_overdraws_and_accounts_for_every_point(lots, amount, first):
    takes, short = take_up_to(lots, amount, NOW, first=first)
    by_id = {x.lot_id: x for x in lots}
    assert short >= 0
    assert sum(t.amount for t in takes) + short == amount
    for t in takes:
        assert 0 < t.amount <= by_id[t.lot_id].remaining
        assert by_id[t.lot_id].expires_at > NOW
    if short:
        # only short when every unexpired lot was emptied
        assert sum(t.amount for t in takes) == sum(x.remaining for x in lots if x.expires_at > NOW)
