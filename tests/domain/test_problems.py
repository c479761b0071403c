"""Validators return problems as data; services turn them into one Refused error."""

from __future__ import annotations

from datetime import datetime

import pytest

from pos_app.domain.coupons import CouponKind, CouponType, check_type
from pos_app.domain.gifts import Gift, check_redemption
from pos_app.domain.members import check_name, check_phone
from pos_app.domain.pricing import check_cart
from pos_app.domain.problems import Problem, Refused, problem, refuse_if
from pos_app.domain.rules import parse_rules
from pos_app.domain.tiers import Tier


def test_problem_carries_a_stable_code_a_message_and_params():
    p = problem("points.insufficient", "only 5 points", have=5, need=9)
    assert isinstance(p, Problem)
    assert (p.code, p.message, p.params) == ("points.insufficient", "only 5 points", {"have": 5, "need": 9})
    assert str(p) == "only 5 points"
    # equality is by code and message: params are detail, not identity
    assert p == problem("points.insufficient", "only 5 points", have=1)
    assert p != problem("points.insufficient", "other words")


def test_refused_collects_every_problem_and_their_codes():
    a, b = problem("a.one", "first"), problem("b.two", "second")
    err = Refused([a, b])
    assert err.problems == (a, b)
    assert err.codes == ("a.one", "b.two")
    assert str(err) == "first; second"
    single = Refused(a)
    assert single.problems == (a,) and single.codes == ("a.one",)


def test_refuse_if_raises_only_for_a_non_empty_result():
    refuse_if(())
    refuse_if([])
    with pytest.raises(Refused) as info:
        refuse_if((problem("x.y", "nope"),))
    assert info.value.codes == ("x.y",)


def test_validators_return_tuples_of_problems_not_exceptions():
    """A sample across modules: each gives all its problems back as data."""
    results = [
        check_phone("12345"),
        check_name(""),
        check_cart([]),
        check_type(CouponType("t", "T", 0, CouponKind.AMOUNT, 0)),
        parse_rules({"version": 0, "base_per_fen": 0}),
        check_redemption(Gift("g", "Mug", 100, active=False), qty=1, stock=0, member_tier="basic",
                         tiers=(Tier("basic", "Basic", 0),), already_redeemed=0, spendable_points=0,
                         now=datetime(2026, 1, 1)),
    ]
    for res in results:
        assert isinstance(res, tuple) and res and all(isinstance(p, Problem) for p in res)
    # several problems at once, not just the first one found
    assert {p.code for p in results[-1]} == {"gift.inactive", "gift.out_of_stock", "points.insufficient"}
    assert len(results[4]) == 2
    # and a clean input gives the empty tuple
    assert check_phone("13800138000") == () and check_name("Li Lei") == ()
