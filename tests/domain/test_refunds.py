"""Refunds and returns: money and points back in proportion, rounded down, never more
than the line earned; the last part takes exactly what is left."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.refunds import RefundLine, SoldLine, guide_points_to_reverse, plan_refund


def sold(line_no=1, qty=3, paid=3000, points=10, cash_points=0, **done):
    return SoldLine(line_no, f"SKU{line_no}", qty, paid, points, cash_points, **done)


def codes(res):
    return [p.code for p in res]


def test_whole_line_refund_gives_back_everything():
    assert plan_refund([sold()], {1: 3}) == (RefundLine(1, 3, 3000, 10, 0),)


def test_a_partial_refund_is_proportional_and_rounded_down():
    assert plan_refund([sold(points=10, cash_points=200)], {1: 1}) == (RefundLine(1, 1, 1000, 3, 66),)
    assert plan_refund([sold(qty=4, paid=999, points=7)], {1: 3}) == (RefundLine(1, 3, 749, 5, 0),)


def test_the_last_part_reverses_whatever_is_left():
    ln = sold(points=10, cash_points=200, refunded_qty=2, refunded_fen=2000, refunded_points=6,
              refunded_cash_points=132)
    assert plan_refund([ln], {1: 1}) == (RefundLine(1, 1, 1000, 4, 68),)


def test_several_lines_at_once_in_line_order():
    plan = plan_refund([sold(1), sold(2, qty=1, paid=500, points=5)], {2: 1, 1: 2})
    assert [r.line_no for r in plan] == [1, 2]
    assert plan[1] == RefundLine(2, 1, 500, 5, 0)


def test_refusals():
    assert codes(plan_refund([sold()], {})) == ["refund.empty"]
    assert codes(plan_refund([sold()], {9: 1})) == ["refund.no_line"]
    assert codes(plan_refund([sold()], {1: 4})) == ["refund.too_many"]
    assert plan_refund([sold()], {1: 4})[0].params == {"line": 1, "left": 3}
    assert codes(plan_refund([sold(refunded_qty=3, refunded_fen=3000, refunded_points=10)], {1: 1})) == [
        "refund.too_many"]  # already refunded in full
    for bad in (0, -1, 1.0, True, "1"):
        assert codes(plan_refund([sold()], {1: bad})) == ["refund.bad_qty"], bad


def test_one_bad_line_refuses_the_whole_plan():
    res = plan_refund([sold(1), sold(2)], {1: 1, 2: 5, 3: 1})
    assert codes(res) == ["refund.too_many", "refund.no_line"]


@given(st.integers(1, 50), st.integers(0, 10**6), st.integers(0, 10**5), st.integers(0, 10**5), st.data())
def test_refunding_in_any_parts_reverses_exactly_what_was_earned_never_more(qty, paid, points, cash_points, data):
    ln = sold(qty=qty, paid=paid, points=points, cash_points=cash_points)
    left = qty
    while left:
        part = data.draw(st.integers(1, left))
        (r,) = plan_refund([ln], {1: part})
        done = ln.refunded_qty + part
        # never more than in proportion (rounded down), until the last part
        if done < qty:
            assert ln.refunded_points + r.points <= points * done // qty
            assert ln.refunded_fen + r.fen <= paid * done // qty
        assert min(r.fen, r.points, r.cash_points) >= 0
        ln = sold(qty=qty, paid=paid, points=points, cash_points=cash_points, refunded_qty=done,
                  refunded_fen=ln.refunded_fen + r.fen, refunded_points=ln.refunded_points + r.points,
                  refunded_cash_points=ln.refunded_cash_points + r.cash_points)
        assert ln.refunded_points <= points and ln.refunded_fen <= paid and ln.refunded_cash_points <= cash_points
        left -= part
    assert (ln.refunded_fen, ln.refunded_points, ln.refunded_cash_points) == (paid, points, cash_points)
    assert codes(plan_refund([ln], {1: 1})) == ["refund.too_many"]


# --- shopping-guide points follow the money --------------------------------------------------

def test_guide_points_reverse_with_the_share_of_money_refunded():
    assert guide_points_to_reverse(10, 0, 10_000, 3_000) == 3
    assert guide_points_to_reverse(10, 3, 10_000, 5_500) == 2  # 5.5 rounded down, 3 already back
    assert guide_points_to_reverse(10, 5, 10_000, 10_000) == 5  # the rest when fully refunded
    assert guide_points_to_reverse(10, 0, 10_000, 0) == 0


def test_a_sale_paid_entirely_without_money_reverses_guide_points_only_on_a_refund():
    assert guide_points_to_reverse(10, 0, 0, 0) == 0
    assert guide_points_to_reverse(10, 4, 0, 1) == 6


@given(st.integers(0, 10**4), st.integers(1, 10**6), st.lists(st.integers(1, 10**6), max_size=8))
def test_guide_reversal_never_exceeds_what_the_guide_earned(guide, paid, refunds):
    reversed_, refunded = 0, 0
    for r in refunds:
        refunded = min(paid, refunded + r)
        back = guide_points_to_reverse(guide, reversed_, paid, refunded)
        assert back >= 0
        reversed_ += back
        assert reversed_ <= guide
        assert reversed_ >= guide * refunded // paid
    if refunded >= paid:
        assert reversed_ == guide


@pytest.mark.parametrize("qty, points", [(3, 10), (7, 1), (2, 0)])
def test_one_unit_at_a_time_sums_to_the_line(qty, points):
    ln = sold(qty=qty, paid=qty * 333, points=points)
    got = []
    for i in range(qty):
        (r,) = plan_refund([ln], {1: 1})
        got.append(r.points)
        ln = sold(qty=qty, paid=qty * 333, points=points, refunded_qty=i + 1, refunded_fen=ln.refunded_fen + r.fen,
                  refunded_points=ln.refunded_points + r.points)
    assert sum(got) == points
    assert got[:-1] == [points // qty] * (qty - 1)


def test_points_already_spent_become_debt_that_later_earnings_repay_first():
    """A sale earned 100, the member spent 80 of them, then returned the goods."""
    from datetime import datetime, timedelta

    from pos_app.domain import entries as E
    from pos_app.domain import ledger as L
    from pos_app.domain.ledger import Kind
    from pos_app.domain.lots import Lot
    from pos_app.domain.rules import Rules

    now = datetime(2026, 6, 1)
    acct, debt, issued = L.member_account("m"), L.debt_account("m"), L.store_issued("s")
    (r,) = plan_refund([sold(qty=2, paid=10_000, points=100)], {1: 2})
    assert r.points == 100
    lots = [Lot("sale-lot", acct, 20, now, now + timedelta(days=300))]
    rev = E.reverse_earned(account=acct, debt_acct=debt, points=r.points, lots=lots, first_lot="sale-lot",
                           sink=issued, now=now, payload={}, member_id="m")
    assert rev.payload["debt_added"] == 80
    balances = {}
    for p in rev.postings:
        balances[p.account] = balances.get(p.account, 0) + p.amount
    assert balances == {issued: 100, acct: -20, debt: -80}
    # the next sale earns 50: all of it repays debt, nothing new to spend
    e1 = E.earn(Kind.EARN, member_id="m", points=50, store_id="s", owed=-balances[debt], lot_id="n1", now=now,
                rules=Rules(version=1), payload={})
    assert e1.payload["debt_repaid"] == 50 and e1.grants == ()
    for p in e1.postings:
        balances[p.account] = balances.get(p.account, 0) + p.amount
    # the one after earns 70: 30 clears the debt, 40 is the member's
    e2 = E.earn(Kind.EARN, member_id="m", points=70, store_id="s", owed=-balances[debt], lot_id="n2", now=now,
                rules=Rules(version=1), payload={})
    assert e2.payload["debt_repaid"] == 30 and e2.grants[0].amount == 40
    for p in e2.postings:
        balances[p.account] = balances.get(p.account, 0) + p.amount
    assert balances[debt] == 0 and balances[acct] == 20
