"""Checkout arithmetic: cart checks, coupons in a quote, points-as-cash (rate, step, largest
share of a bill), exact per-line splits, and the recorded tender."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pos_app.domain.coupons import Coupon, CouponKind, CouponStatus, CouponType
from pos_app.domain.money import MAX_AMOUNT_FEN
from pos_app.domain.pricing import MAX_LINES, MAX_QTY, CartLine, Quote, check_cart, check_tender, quote
from pos_app.domain.rules import Rules
from pos_app.domain.tiers import Tier

NOW = datetime(2026, 6, 1, 12, 0)
BASIC = Tier("basic", "Basic", 0)
RULES = Rules(version=1, cash_points=100, cash_fen=100, cash_max_pct=50)  # 100 points pay ¥1, up to half


def line(sku="A", price=1000, qty=1, category="food"):
    return CartLine(sku, sku, category, price, qty)


def q(lines, rules=RULES, member="m1", **kw):
    return quote(lines, rules=rules, tier=BASIC, campaigns=(), now=NOW, member_id=member, **kw)


def ok(lines, **kw) -> Quote:
    res = q(lines, **kw)
    assert isinstance(res, Quote), res
    return res


def codes(res):
    assert isinstance(res, tuple), res
    return [p.code for p in res]


def cpn(code="C1", *, kind=CouponKind.AMOUNT, value=1000, min_spend=0, owner="m1", cap=None):
    return Coupon(code, CouponType("t", "t", 100, kind, value, min_spend, cap), owner, CouponStatus.ACTIVE,
                  NOW + timedelta(days=3))


# --- the cart ---------------------------------------------------------------------------------

def test_cart_checks():
    assert check_cart([line()]) == ()
    assert codes(check_cart([])) == ["cart.empty"]
    assert codes(check_cart([line(qty=0)])) == ["cart.bad_qty"]
    assert codes(check_cart([line(qty=MAX_QTY + 1)])) == ["cart.bad_qty"]
    assert codes(check_cart([line(qty=1.5)])) == ["cart.bad_qty"]
    assert codes(check_cart([line(qty=True)])) == ["cart.bad_qty"]
    assert codes(check_cart([line(price=-1)])) == ["cart.bad_price"]
    assert codes(check_cart([line(price=12.5)])) == ["cart.bad_price"]  # money is never a float
    assert codes(check_cart([line(price=True)])) == ["cart.bad_price"]
    assert codes(check_cart([line(price=MAX_AMOUNT_FEN + 1)])) == ["cart.bad_price"]
    assert check_cart([line(price=0)]) == ()  # a free item is fine
    assert codes(check_cart([line(price=MAX_AMOUNT_FEN, qty=2)])) == ["cart.too_large"]
    assert codes(check_cart([line(sku=str(i)) for i in range(MAX_LINES + 1)])) == ["cart.too_many_lines"]
    assert [p.params["sku"] for p in check_cart([line("X", qty=0), line("Y", price=-5)])] == ["X", "Y"]


def test_a_bad_cart_gives_problems_not_a_quote():
    assert codes(q([])) == ["cart.empty"]


def test_a_plain_sale_is_due_in_full():
    r = ok([line("A", 1250, 2), line("B", 300)])
    assert (r.subtotal_fen, r.discount_fen, r.cash_fen, r.due_fen) == (2800, 0, 0, 2800)
    assert [ln.gross_fen for ln in r.lines] == [2500, 300]
    assert [ln.line_no for ln in r.lines] == [1, 2]


# --- coupons in a quote -----------------------------------------------------------------------

def test_a_coupon_is_spread_over_the_lines_in_proportion():
    r = ok([line("A", 3000), line("B", 1000)], coupons=[cpn(value=1000)])
    assert r.coupon_fen == {"C1": 1000} and r.discount_fen == 1000
    assert [ln.discount_fen for ln in r.lines] == [750, 250]
    assert r.due_fen == 3000


def test_coupon_problems_refuse_the_quote():
    assert codes(q([line()], coupons=[cpn(min_spend=5000)])) == ["coupon.min_spend"]
    assert codes(q([line()], coupons=[cpn(owner="m2")])) == ["coupon.not_owner"]
    assert codes(q([line()], coupons=[cpn(), cpn()])) == ["coupon.duplicate"]


def test_stacked_coupons_never_take_off_more_than_the_bill_and_say_what_each_took():
    r = ok([line("A", 6000)], coupons=[cpn("C1", value=5000), cpn("C2", value=5000)])
    assert r.due_fen == 0
    assert r.discount_fen == 6000  # not 10,000: the receipt and the sale record must add up
    assert r.coupon_fen == {"C1": 5000, "C2": 1000}
    assert r.subtotal_fen - r.discount_fen - r.cash_fen == r.due_fen


def test_percent_coupon_in_a_quote():
    r = ok([line("A", 999)], coupons=[cpn(kind=CouponKind.PERCENT, value=10)])
    assert r.discount_fen == 99 and r.due_fen == 900


# --- points as cash ---------------------------------------------------------------------------

def test_points_pay_at_the_rules_rate():
    r = ok([line("A", 10_000)], cash_points=3000, spendable_points=5000)
    assert (r.cash_points, r.cash_fen, r.due_fen) == (3000, 3000, 7000)
    rich = Rules(version=1, cash_points=50, cash_fen=100, cash_max_pct=100)  # 50 points pay ¥1
    r = ok([line("A", 10_000)], rules=rich, cash_points=1000, spendable_points=1000)
    assert r.cash_fen == 2000 and r.due_fen == 8000


def test_points_pay_in_whole_steps_of_the_rate():
    res = q([line("A", 10_000)], cash_points=150, spendable_points=5000)
    assert codes(res) == ["cash.step"] and res[0].params["step"] == 100


def test_points_may_pay_at_most_the_largest_share_of_the_bill():
    assert ok([line("A", 10_000)], cash_points=5000, spendable_points=9000).cash_fen == 5000  # exactly half
    res = q([line("A", 10_000)], cash_points=5100, spendable_points=9000)
    assert codes(res) == ["cash.over_share"] and res[0].params["limit"] == 5000


def test_the_share_is_of_the_bill_after_coupons():
    res = q([line("A", 10_000)], coupons=[cpn(value=4000)], cash_points=3100, spendable_points=9000)
    assert codes(res) == ["cash.over_share"] and res[0].params["limit"] == 3000
    r = ok([line("A", 10_000)], coupons=[cpn(value=4000)], cash_points=3000, spendable_points=9000)
    assert (r.discount_fen, r.cash_fen, r.due_fen) == (4000, 3000, 3000)


def test_a_zero_share_means_points_cannot_pay():
    no_cash = Rules(version=1, cash_max_pct=0)
    assert codes(q([line("A", 10_000)], rules=no_cash, cash_points=100, spendable_points=100)) == ["cash.over_share"]


def test_points_to_pay_need_enough_spendable_points_and_a_member():
    res = q([line("A", 10_000)], cash_points=2000, spendable_points=1999)
    assert codes(res) == ["points.insufficient"] and res[0].params == {"have": 1999, "need": 2000}
    assert codes(q([line("A", 10_000)], member=None, cash_points=100, spendable_points=100)) == ["cash.no_member"]
    assert codes(q([line("A", 10_000)], cash_points=-100, spendable_points=100)) == ["cash.bad_points"]


def test_points_paying_a_multi_line_bill_are_split_exactly():
    r = ok([line("A", 3333), line("B", 3333), line("C", 3334)], cash_points=1000, spendable_points=1000)
    assert sum(ln.cash_fen for ln in r.lines) == 1000
    assert sum(ln.cash_points for ln in r.lines) == 1000
    assert all(ln.paid_fen + ln.cash_fen + ln.discount_fen == ln.gross_fen for ln in r.lines)


def test_points_paying_part_of_a_bill_earn_only_on_the_money():
    r = ok([line("A", 10_000)], cash_points=5000, spendable_points=5000)
    assert r.earn_points == 50  # 1 point per ¥1 of the ¥50 paid in money


carts = st.lists(st.tuples(st.integers(0, 20_000), st.integers(1, 5)), min_size=1, max_size=8)


@settings(max_examples=200, deadline=None)
@given(carts, st.integers(0, 100), st.lists(st.integers(1, 30_000), max_size=3), st.integers(0, 100))
@example([(100, 1)], 0, [100, 100], 50)
def test_every_quote_adds_up_line_by_line(items, cash_steps, coupon_values, max_pct):
    rules = Rules(version=1, cash_points=100, cash_fen=100, cash_max_pct=max_pct)
    lines = [line(f"S{i}", p, n) for i, (p, n) in enumerate(items)]
    coupons = [cpn(f"C{i}", value=v) for i, v in enumerate(coupon_values)]
    res = quote(lines, rules=rules, tier=BASIC, campaigns=(), now=NOW, member_id="m1", coupons=coupons,
                cash_points=cash_steps * 100, spendable_points=10**9)
    subtotal = sum(p * n for p, n in items)
    if isinstance(res, tuple):
        assert codes(res) == ["cash.over_share"]
        return
    assert res.subtotal_fen == subtotal
    assert 0 <= res.discount_fen <= subtotal
    assert res.subtotal_fen - res.discount_fen - res.cash_fen == res.due_fen == sum(ln.paid_fen for ln in res.lines)
    assert res.cash_fen <= (subtotal - res.discount_fen) * max_pct // 100
    assert sum(ln.discount_fen for ln in res.lines) == res.discount_fen
    assert sum(ln.cash_fen for ln in res.lines) == res.cash_fen
    assert sum(ln.cash_points for ln in res.lines) == res.cash_points
    for ln in res.lines:
        assert min(ln.discount_fen, ln.cash_fen, ln.paid_fen, ln.cash_points, ln.points) >= 0
        assert ln.discount_fen + ln.cash_fen + ln.paid_fen == ln.gross_fen


# --- shopping-guide points --------------------------------------------------------------------

def test_guide_points_are_a_percent_of_the_sales_base_points():
    r = ok([line("A", 10_000)], rules=Rules(version=1, guide_pct=10))
    assert r.guide_points == 10
    assert ok([line("A", 10_000)], rules=Rules(version=1)).guide_points == 0
    gold = quote([line("A", 10_000)], rules=Rules(version=1, guide_pct=10), tier=Tier("g", "G", 0, 200),
                 campaigns=(), now=NOW, member_id="m1")
    assert gold.earn_points == 200 and gold.guide_points == 10  # the member's multiplier is not the guide's
    anonymous = quote([line("A", 10_000)], rules=Rules(version=1, guide_pct=10), tier=BASIC, campaigns=(), now=NOW)
    assert anonymous.earn_points == 0 and anonymous.guide_points == 10  # a guide helps non-members too


# --- tender -----------------------------------------------------------------------------------

def test_tender_is_recorded_and_checked():
    assert check_tender({"cash": 10_000}, 9_550) == ()  # change in cash
    assert check_tender({"card": 9_550}, 9_550) == ()
    assert check_tender({"cash": 50, "card": 9_500}, 9_550) == ()
    assert check_tender({}, 0) == ()  # fully paid by points and coupons
    short = check_tender({"cash": 9_000}, 9_550)
    assert [p.code for p in short] == ["tender.short"] and short[0].params["short"] == 550
    assert [p.code for p in check_tender({"card": 9_600}, 9_550)] == ["tender.overpaid_card"]
    assert [p.code for p in check_tender({"bitcoin": 1}, 0)] == ["tender.method"]


@pytest.mark.parametrize("amount", [-1, 1.5, True, "100", MAX_AMOUNT_FEN + 1])
def test_tender_amounts_must_be_whole_fen_in_range(amount):
    assert [p.code for p in check_tender({"cash": amount}, 0)] == ["tender.amount"]
