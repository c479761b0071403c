"""Coupons bought with points: amount or percent off, minimum spend, expiry, one owner, one use."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.coupons import Coupon, CouponKind, CouponStatus, CouponType, check_type, check_use, discount_fen

NOW = datetime(2026, 6, 1, 12, 0)
TEN_OFF = CouponType("t10", "¥10 off ¥50", 500, CouponKind.AMOUNT, 1000, min_spend_fen=5000)
PCT20 = CouponType("p20", "20% off, at most ¥30", 800, CouponKind.PERCENT, 20, max_discount_fen=3000)


def coupon(ctype=TEN_OFF, *, status=CouponStatus.ACTIVE, expires_at=NOW + timedelta(days=1), owner="m1"):
    return Coupon("CP-1", ctype, owner, status, expires_at)


def codes(problems):
    return [p.code for p in problems]


def test_amount_coupon_takes_its_value_off_but_never_more_than_the_bill():
    assert discount_fen(TEN_OFF, 8000) == 1000
    assert discount_fen(TEN_OFF, 600) == 600


def test_percent_coupon_rounds_down_and_respects_its_cap():
    assert discount_fen(PCT20, 10_000) == 2000
    assert discount_fen(PCT20, 999) == 199  # 199.8 rounded down: the shop never gives a fen too much
    assert discount_fen(PCT20, 100_000) == 3000  # capped
    assert discount_fen(CouponType("p100", "free", 1, CouponKind.PERCENT, 100), 4321) == 4321


def test_a_valid_coupon_passes():
    assert check_use(coupon(), "m1", 5000, NOW) == ()


def test_minimum_spend_is_inclusive():
    assert codes(check_use(coupon(), "m1", 4999, NOW)) == ["coupon.min_spend"]
    p = check_use(coupon(), "m1", 4999, NOW)[0]
    assert p.params["min"] == 5000 and "50.00" in p.message


def test_expired_at_its_expiry_instant():
    assert codes(check_use(coupon(expires_at=NOW), "m1", 9000, NOW)) == ["coupon.expired"]
    assert check_use(coupon(expires_at=NOW + timedelta(seconds=1)), "m1", 9000, NOW) == ()


def test_used_and_void_coupons_are_refused():
    assert codes(check_use(coupon(status=CouponStatus.USED), "m1", 9000, NOW)) == ["coupon.used"]
    assert codes(check_use(coupon(status=CouponStatus.VOID), "m1", 9000, NOW)) == ["coupon.void"]


def test_only_its_owner_can_use_a_coupon():
    assert codes(check_use(coupon(), "m2", 9000, NOW)) == ["coupon.not_owner"]
    assert codes(check_use(coupon(), None, 9000, NOW)) == ["coupon.not_owner"]  # no member identified


def test_used_is_reported_before_expiry():
    res = check_use(coupon(status=CouponStatus.USED, expires_at=NOW - timedelta(days=1)), "m2", 0, NOW)
    assert codes(res) == ["coupon.used"]


@pytest.mark.parametrize("ctype", [
    CouponType("x", "x", 0, CouponKind.AMOUNT, 100),
    CouponType("x", "x", 100, CouponKind.AMOUNT, 0),
    CouponType("x", "x", -1, CouponKind.AMOUNT, 100),
    CouponType("x", "x", 100, CouponKind.PERCENT, 101),
    CouponType("x", "x", 100, CouponKind.AMOUNT, 100, valid_days=0),  # sold already expired
    CouponType("x", "x", 100, CouponKind.AMOUNT, 100, min_spend_fen=-1),
    CouponType("x", "x", 100, CouponKind.PERCENT, 10, max_discount_fen=0),
])
def test_bad_coupon_types_are_refused(ctype):
    assert codes(check_type(ctype)) == ["coupon.bad_type"]


def test_good_coupon_types_pass():
    assert check_type(TEN_OFF) == () and check_type(PCT20) == ()
    assert check_type(CouponType("x", "x", 1, CouponKind.PERCENT, 100)) == ()


@given(st.sampled_from(list(CouponKind)), st.integers(1, 100_000), st.integers(0, 10**7),
       st.none() | st.integers(1, 10**5))
def test_a_discount_is_never_negative_nor_more_than_the_bill_or_the_cap(kind, value, subtotal, cap):
    if kind is CouponKind.PERCENT:
        value = value % 100 + 1
    ctype = CouponType("x", "x", 1, kind, value, max_discount_fen=cap)
    off = discount_fen(ctype, subtotal)
    assert isinstance(off, int) and 0 <= off <= subtotal
    if cap is not None:
        assert off <= cap
    if kind is CouponKind.PERCENT:
        assert off <= subtotal * value / 100
