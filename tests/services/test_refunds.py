"""Refunds and returns against a real store: whole sales or some lines, money and earned
points back in proportion (rounded down, the last part taking the rest), points-as-cash
and coupons restored, spent points turned into member debt that later earnings repay,
guide points reversed; and every refusal (too much, bad lines, no or wrong approval)
with nothing written.

Demo rules: 1 point per ¥1 paid, tea doubled this week, guide 10% of base points,
100 points pay ¥1; refunds need a manager's PIN.
"""


import pytest
from dbcheck import (MEMBER_PIN, audit_since, balance, events_since, last_audit_id, last_seq, lots,
                     member_balance, postings_of_kind, rows, set_rules)

from pos_app.domain import ledger as L
from pos_app.domain.rules import ApprovalPolicy
from pos_app.services import checkout, members, points, refunds


@pytest.fixture
def sid(ctx) -> str:
    return ctx.who.store_id


def refund(ctx, staff, sale, lines=None, reason="customer return", **kw):
    return refunds.refund(ctx, staff_id=staff.cashier, sale=sale, lines=lines, reason=reason,
                          approver_pin=kw.pop("approver_pin", staff.manager_pin), **kw)


def line_state(ctx, sale_id):
    return rows(ctx, "SELECT line_no, refunded_qty, refunded_fen, refunded_points, refunded_cash_points "
                     "FROM sale_lines WHERE sale_id = :s ORDER BY line_no", s=sale_id)


def debt(ctx, member_id) -> int:
    return -balance(ctx, L.debt_account(member_id))


def test_whole_refund_reverses_money_points_and_guide_points(ctx, staff, sid, new_member):
    m = new_member()
    issued_before = balance(ctx, L.store_issued(sid))
    guide_before = balance(ctx, L.guide_account(staff.guide))
    sale = checkout.checkout(ctx, staff_id=staff.cashier, member_id=m.member_id, guide_id=staff.guide,
                             items=[("TEA-JASMINE", 2), ("MILKTEA-L", 1), ("CIG-DEMO", 1)])
    assert (sale.points_earned, sale.guide_points) == (210, 11)
    seq, audit_id = last_seq(ctx), last_audit_id(ctx)
    out = refund(ctx, staff, sale.receipt_no)  # found by its receipt number too
    assert (out.sale_id, out.fen, out.points_reversed, out.points_returned, out.debt_added) == (
        sale.sale_id, 13900, 210, 0, 0)
    assert [(ln.line_no, ln.qty, ln.fen, ln.points) for ln in out.lines] == [
        (1, 2, 9600, 192), (2, 1, 1800, 18), (3, 1, 2500, 0)]
    assert events_since(ctx, seq) == [("reverse", m.member_id, staff.cashier), ("reverse", None, staff.cashier)]
    assert postings_of_kind(ctx, "reverse", seq) == [
        sorted([(L.store_issued(sid), 210), (L.member_account(m.member_id), -210)]),
        sorted([(L.store_issued(sid), 11), (L.guide_account(staff.guide), -11)])]
    assert member_balance(ctx, m.member_id) == 0 and debt(ctx, m.member_id) == 0
    assert [(a, r) for a, r, *_ in lots(ctx, m.member_id)] == [(210, 0)]
    assert balance(ctx, L.store_issued(sid)) == issued_before
    assert balance(ctx, L.guide_account(staff.guide)) == guide_before
    assert line_state(ctx, sale.sale_id) == [(1, 2, 9600, 192, 0), (2, 1, 1800, 18, 0), (3, 1, 2500, 0, 0)]
    assert rows(ctx, "SELECT refunded_fen, guide_reversed FROM sales WHERE sale_id = :s", s=sale.sale_id) == [
        (13900, 11)]
    assert rows(ctx, "SELECT sale_id, staff_id, approver_id, fen, points, lines, reason FROM refunds") == [
        (sale.sale_id, staff.cashier, staff.manager, 13900, 210, "[[1, 2], [2, 1], [3, 1]]", "customer return")]
    assert audit_since(ctx, audit_id) == [("refund", staff.cashier, staff.manager, sale.sale_id)]
    assert rows(ctx, "SELECT COUNT(*) FROM outbox WHERE device_seq > :s", s=seq) == [(2,)]


def test_parts_of_a_line_reverse_rounded_down_and_the_last_part_the_rest(ctx, staff, new_member, top_up):
    m = new_member()
    top_up(m.member_id, 400)
    code = points.buy_coupon(ctx, staff_id=staff.cashier, member_id=m.member_id, type_id="CPN-5",
                             member_pin=MEMBER_PIN).code
    # 3 x 128.00 - 5.00 coupon = 379.00 paid, 379 x2 = 758 points: a third is 252.67
    sale = checkout.checkout(ctx, staff_id=staff.cashier, member_id=m.member_id, items=[("TEA-OOLONG", 3)],
                             coupons=[code])
    assert (sale.quote.due_fen, sale.points_earned) == (37900, 758)
    first = refund(ctx, staff, sale.sale_id, {1: 1})
    assert (first.fen, first.points_reversed) == (12633, 252)
    second = refund(ctx, staff, sale.sale_id, {1: 1})
    assert (second.fen, second.points_reversed) == (12633, 252)
    assert member_balance(ctx, m.member_id) == 758 - 504
    # a partly refunded sale keeps its coupon used
    assert rows(ctx, "SELECT status, used_sale FROM coupons WHERE code = :c", c=code) == [("used", sale.sale_id)]
    last = refund(ctx, staff, sale.sale_id, {1: 1})
    assert (last.fen, last.points_reversed) == (12634, 254)
    assert line_state(ctx, sale.sale_id) == [(1, 3, 37900, 758, 0)]
    assert member_balance(ctx, m.member_id) == 0
    # the sale is now wholly refunded: its coupon is the member's again, and works
    assert rows(ctx, "SELECT status, used_sale FROM coupons WHERE code = :c", c=code) == [("active", None)]
    again = checkout.checkout(ctx, staff_id=staff.cashier, member_id=m.member_id, items=[("TEA-OOLONG", 1)],
                              coupons=[code])
    assert again.quote.discount_fen == 500


def test_returning_some_lines_reverses_only_their_points_and_a_share_of_the_guides(ctx, staff, sid, new_member):
    m = new_member()
    sale = checkout.checkout(ctx, staff_id=staff.cashier, member_id=m.member_id, guide_id=staff.guide,
                             items=[("TEA-JASMINE", 2), ("MILKTEA-L", 1)])
    assert (sale.quote.due_fen, sale.points_earned, sale.guide_points) == (11400, 210, 11)
    seq = last_seq(ctx)
    out = refund(ctx, staff, sale.sale_id, {1: 1})
    assert (out.fen, out.points_reversed) == (4800, 96)
    # the guide's 11 points follow the money: 11 x 48.00 / 114.00 = 4.6, rounded down
    assert postings_of_kind(ctx, "reverse", seq)[1] == sorted([(L.store_issued(sid), 4),
                                                                (L.guide_account(staff.guide), -4)])
    assert member_balance(ctx, m.member_id) == 114
    assert line_state(ctx, sale.sale_id) == [(1, 1, 4800, 96, 0), (2, 0, 0, 0, 0)]
    seq = last_seq(ctx)
    rest = refund(ctx, staff, sale.sale_id)  # everything still refundable
    assert [(ln.line_no, ln.qty) for ln in rest.lines] == [(1, 1), (2, 1)]
    assert (rest.fen, rest.points_reversed) == (6600, 114)
    assert postings_of_kind(ctx, "reverse", seq)[1] == sorted([(L.store_issued(sid), 7),
                                                                (L.guide_account(staff.guide), -7)])
    assert rows(ctx, "SELECT refunded_fen, guide_reversed FROM sales WHERE sale_id = :s", s=sale.sale_id) == [
        (11400, 11)]


def test_points_that_paid_go_back_into_their_own_lot(ctx, staff, sid, new_member, top_up):
    m = new_member()
    top_up(m.member_id, 6000)
    sale = checkout.checkout(ctx, staff_id=staff.cashier, member_id=m.member_id, items=[("TEA-OOLONG", 2)],
                             cash_points=5000, member_pin=MEMBER_PIN)
    # 256.00 - 50.00 in points = 206.00 paid, 412 points earned
    assert (sale.quote.due_fen, sale.points_earned, sale.balance_after) == (20600, 412, 1412)
    seq = last_seq(ctx)
    half = refund(ctx, staff, sale.sale_id, {1: 1})
    assert (half.fen, half.points_reversed, half.points_returned) == (10300, 206, 2500)
    assert sorted(sum(postings_of_kind(ctx, "reverse", seq), [])) == sorted([
        (L.store_redeemed(sid), -2500), (L.member_account(m.member_id), 2500),
        (L.store_issued(sid), 206), (L.member_account(m.member_id), -206)])
    # the label lot gets its 2,500 back; the sale's own lot gives up its 206
    assert [(a, r) for a, r, *_ in lots(ctx, m.member_id)] == [(6000, 3500), (412, 206)]
    rest = refund(ctx, staff, sale.sale_id)
    assert (rest.fen, rest.points_reversed, rest.points_returned) == (10300, 206, 2500)
    assert [(a, r) for a, r, *_ in lots(ctx, m.member_id)] == [(6000, 6000), (412, 0)]
    assert member_balance(ctx, m.member_id) == 6000 and debt(ctx, m.member_id) == 0
    assert line_state(ctx, sale.sale_id) == [(1, 2, 20600, 412, 5000)]


def test_spent_points_become_debt_repaid_first_from_later_earnings(ctx, staff, sid, new_member):
    m = new_member()
    sale = checkout.checkout(ctx, staff_id=staff.cashier, member_id=m.member_id, items=[("TEA-OOLONG", 1)])
    assert sale.points_earned == 256
    points.donate(ctx, staff_id=staff.cashier, member_id=m.member_id, points=200, member_pin=MEMBER_PIN)
    seq = last_seq(ctx)
    out = refund(ctx, staff, sale.sale_id)
    assert (out.points_reversed, out.debt_added) == (256, 200)
    assert postings_of_kind(ctx, "reverse", seq) == [sorted([
        (L.store_issued(sid), 256), (L.member_account(m.member_id), -56), (L.debt_account(m.member_id), -200)])]
    assert (member_balance(ctx, m.member_id), debt(ctx, m.member_id)) == (0, 200)
    st = members.member_statement(ctx, m.member_id)
    assert (st.balance, st.debt) == (0, 200)
    # 12.00 earns 12: all of it repays debt, no lot is made
    seq = last_seq(ctx)
    small = checkout.checkout(ctx, staff_id=staff.cashier, member_id=m.member_id, items=[("LEMON-TEA", 1)])
    assert (small.points_earned, small.balance_after) == (12, 0)
    assert postings_of_kind(ctx, "earn", seq) == [sorted([(L.store_issued(sid), -12),
                                                          (L.debt_account(m.member_id), 12)])]
    assert debt(ctx, m.member_id) == 188
    # 256 more: 188 repays the rest of the debt, 68 is the member's
    big = checkout.checkout(ctx, staff_id=staff.cashier, member_id=m.member_id, items=[("TEA-OOLONG", 1)])
    assert (big.points_earned, big.balance_after, debt(ctx, m.member_id)) == (256, 68, 0)
    assert [(a, r) for a, r, *_ in lots(ctx, m.member_id)][-1] == (68, 68)


def test_label_and_bonus_points_also_repay_debt_first(ctx, staff, new_member, top_up):
    m = new_member()
    sale = checkout.checkout(ctx, staff_id=staff.cashier, member_id=m.member_id, items=[("LEMON-TEA", 1)])
    points.donate(ctx, staff_id=staff.cashier, member_id=m.member_id, points=12, member_pin=MEMBER_PIN)
    refund(ctx, staff, sale.sale_id)
    assert debt(ctx, m.member_id) == 12
    top_up(m.member_id, 30)
    assert (member_balance(ctx, m.member_id), debt(ctx, m.member_id)) == (18, 0)


def test_reversal_takes_the_sales_own_lot_first(ctx, staff, clock, new_member, top_up):
    m = new_member()
    top_up(m.member_id, 500)  # expires a day before the sale's lot
    clock.advance(days=1)
    sale = checkout.checkout(ctx, staff_id=staff.cashier, member_id=m.member_id, items=[("TEA-JASMINE", 1)])
    assert sale.points_earned == 96
    refund(ctx, staff, sale.sale_id)
    assert [(a, r) for a, r, *_ in lots(ctx, m.member_id)] == [(500, 500), (96, 0)]


def test_refund_with_points_as_cash_nets_spent_points_before_making_debt(ctx, staff, new_member, top_up):
    """The points-as-cash given back cover the earned points the member spent: no debt."""
    m = new_member()
    top_up(m.member_id, 6000)
    sale = checkout.checkout(ctx, staff_id=staff.cashier, member_id=m.member_id, items=[("TEA-OOLONG", 1)],
                             cash_points=5000, member_pin=MEMBER_PIN)
    assert sale.balance_after == 1156
    points.donate(ctx, staff_id=staff.cashier, member_id=m.member_id, points=1156, member_pin=MEMBER_PIN)
    out = refund(ctx, staff, sale.sale_id)
    assert (out.points_reversed, out.points_returned, out.debt_added) == (156, 5000, 0)
    assert (member_balance(ctx, m.member_id), debt(ctx, m.member_id)) == (4844, 0)


def test_refund_of_a_sale_without_member_moves_money_only(ctx, staff):
    sale = checkout.checkout(ctx, staff_id=staff.cashier, items=[("TEA-OOLONG", 2)])
    seq = last_seq(ctx)
    out = refund(ctx, staff, sale.sale_id, {1: 1})
    assert (out.fen, out.points_reversed) == (12800, 0)
    assert events_since(ctx, seq) == []
    assert rows(ctx, "SELECT refunded_fen FROM sales WHERE sale_id = :s", s=sale.sale_id) == [(12800,)]


def test_refund_without_approval_when_the_rules_say_so(ctx, staff, new_member):
    set_rules(ctx, approval=ApprovalPolicy(redeem_points_over=3000, refund=False))
    m = new_member()
    sale = checkout.checkout(ctx, staff_id=staff.cashier, member_id=m.member_id, items=[("LEMON-TEA", 1)])
    audit_id = last_audit_id(ctx)
    refunds.refund(ctx, staff_id=staff.cashier, sale=sale.sale_id, reason="wrong drink")
    assert audit_since(ctx, audit_id) == [("refund", staff.cashier, None, sale.sale_id)]


def test_sale_lines_shows_what_is_left_to_refund(ctx, staff, new_member, refused):
    m = new_member()
    sale = checkout.checkout(ctx, staff_id=staff.cashier, member_id=m.member_id,
                             items=[("TEA-JASMINE", 2), ("MILKTEA-L", 1)])
    refund(ctx, staff, sale.sale_id, {1: 1})
    head, sold = refunds.sale_lines(ctx, sale.receipt_no)
    assert (head["sale_id"], head["refunded_fen"]) == (sale.sale_id, 4800)
    assert [(s.line_no, s.qty, s.refunded_qty) for s in sold] == [(1, 2, 1), (2, 1, 0)]
    refused("sale.unknown", refunds.sale_lines, "NO-SUCH-RECEIPT")


@pytest.fixture
def sold(ctx, staff, new_member):
    """A member's sale of two jasmine teas and a milk tea, with the guide credited."""
    m = new_member()
    return checkout.checkout(ctx, staff_id=staff.cashier, member_id=m.member_id, guide_id=staff.guide,
                             items=[("TEA-JASMINE", 2), ("MILKTEA-L", 1)])


@pytest.mark.parametrize("kwargs, code", [
    ({"lines": {1: 3}}, "refund.too_many"),
    ({"lines": {1: 2, 2: 2}}, "refund.too_many"),
    ({"lines": {3: 1}}, "refund.no_line"),
    ({"lines": {"1": 1}}, "refund.no_line"),
    ({"lines": {1: 1, "a": 1}}, "refund.no_line"),
    ({"lines": {True: 1}}, "refund.no_line"),
    ({"lines": {1.0: 1}}, "refund.no_line"),
    ({"lines": {None: 1}}, "refund.no_line"),
    ({"lines": [(1, 1)]}, "refund.bad_lines"),
    ({"lines": {1: 10**12}}, "refund.too_many"),
    ({"lines": {1: 0}}, "refund.bad_qty"),
    ({"lines": {1: -1}}, "refund.bad_qty"),
    ({"lines": {1: "1"}}, "refund.bad_qty"),
    ({"lines": {1: 1.0}}, "refund.bad_qty"),
    ({"lines": {1: True}}, "refund.bad_qty"),
    ({"lines": {}}, "refund.empty"),
    ({"sale": "NO-SUCH-RECEIPT"}, "sale.unknown"),
    ({"sale": ""}, "sale.unknown"),
    ({"reason": ""}, "refund.reason"),
    ({"reason": "   "}, "refund.reason"),
    ({"staff_id": "nobody"}, "staff.unknown"),
    ({"approver_pin": None}, "approval.required"),
    ({"approver_pin": ""}, "approval.required"),
    ({"approver_pin": "0000"}, "approval.wrong_pin"),
    ({"approver_pin": "1111"}, "approval.wrong_pin"),  # the cashier's own PIN approves nothing
])
def test_refund_refusals_change_nothing(ctx, staff, sold, refused, kwargs, code):
    args = {"staff_id": staff.cashier, "sale": sold.sale_id, "lines": None, "reason": "customer return",
            "approver_pin": staff.manager_pin, **kwargs}
    refused(code, refunds.refund, **args)


def test_refunding_more_than_is_left_is_refused_after_earlier_refunds(ctx, staff, sold, refused):
    refund(ctx, staff, sold.sale_id, {1: 1})
    args = {"staff_id": staff.cashier, "sale": sold.sale_id, "reason": "again", "approver_pin": staff.manager_pin}
    err = refused("refund.too_many", refunds.refund, **args, lines={1: 2})
    assert "only 1 left" in str(err)
    refund(ctx, staff, sold.sale_id)
    refused("refund.empty", refunds.refund, **args, lines=None)
    refused("refund.too_many", refunds.refund, **args, lines={2: 1})
    # the whole sale came back exactly once
    assert rows(ctx, "SELECT SUM(fen), SUM(points) FROM refunds WHERE sale_id = :s", s=sold.sale_id) == [
        (11400, 210)]
    assert member_balance(ctx, sold.member.member_id) == 0


def test_a_bad_line_refuses_the_whole_request(ctx, staff, sold, refused):
    err = refused("refund.no_line", refunds.refund, staff_id=staff.cashier, sale=sold.sale_id, lines={1: 1, 9: 1},
                  reason="mixed", approver_pin=staff.manager_pin)
    assert "line 9" in str(err)


def test_refund_refusal_after_time_passes_still_changes_nothing(ctx, staff, clock, sold, refused):
    clock.advance(days=400)  # the sale's points have expired meanwhile
    refused("approval.wrong_pin", refunds.refund, staff_id=staff.cashier, sale=sold.sale_id, reason="late",
            approver_pin="0000")


def test_refund_after_the_points_expired_makes_debt_for_what_is_gone(ctx, staff, clock, sold):
    clock.advance(days=366)
    points.expire_due(ctx)
    out = refund(ctx, staff, sold.sale_id)
    assert (out.points_reversed, out.debt_added) == (210, 210)
    assert debt(ctx, sold.member.member_id) == 210
    clock.advance(days=1)
    assert checkout.checkout(ctx, staff_id=staff.cashier, member_id=sold.member.member_id,
                             items=[("MILKTEA-L", 1)]).balance_after == 0
    assert debt(ctx, sold.member.member_id) == 192


# -- the referrer's bonus (issue 13) ---------------------------------------------------------------
def agent(ctx, member_id) -> int:
    return balance(ctx, L.member_account(member_id, L.PointType.AGENT))


def spend_agent_points(ctx, member_id: str, points: int) -> None:
    """The referrer spends agent points (as a withdrawal would): taken from their agent lots."""
    from pos_app.domain.ledger import Entry, Kind, LotTake, Posting
    from pos_app.services.context import post
    from pos_app.store import ledger_repo
    acct = L.member_account(member_id, L.PointType.AGENT)
    with ctx.db.write() as conn:
        (lot,) = ledger_repo.lots_of(conn, acct)
        post(ctx, conn, Entry(Kind.REDEEM_POST, {"purpose": "test"}, (Posting(acct, -points),
                                                                     Posting(L.store_redeemed(ctx.who.store_id), points)),
                              takes=(LotTake(lot.lot_id, points),), member_id=member_id),
             staff_id=None, rule_version=1, now=ctx.now())


def test_refunding_the_qualifying_purchase_takes_the_referrers_bonus_back(ctx, staff, sid, new_member):
    referrer = new_member("推荐人")
    referee = new_member("新会员", referrer_code=referrer.referral_code)
    sale = checkout.checkout(ctx, staff_id=staff.cashier, member_id=referee.member_id,
                             items=[("TEA-JASMINE", 1), ("MILKTEA-L", 1)])
    assert sale.referral_bonus == 200 and agent(ctx, referrer.member_id) == 200
    refund(ctx, staff, sale.sale_id, lines={2: 1})  # a part: the purchase stands, and the bonus
    assert agent(ctx, referrer.member_id) == 200
    seq = last_seq(ctx)
    refund(ctx, staff, sale.sale_id)  # the rest: the qualifying purchase is undone
    assert agent(ctx, referrer.member_id) == 0 and debt(ctx, referrer.member_id) == 0
    reversal = [r for r in events_since(ctx, seq) if r[1] == referrer.member_id]
    assert reversal == [("reverse", referrer.member_id, staff.cashier)]
    assert sorted([(L.member_account(referrer.member_id, L.PointType.AGENT), -200),
                   (L.store_issued(sid), 200)]) in postings_of_kind(ctx, "reverse", seq)


def test_a_bonus_already_spent_comes_back_as_the_referrers_debt(ctx, staff, new_member):
    referrer = new_member("推荐人")
    referee = new_member("新会员", referrer_code=referrer.referral_code)
    sale = checkout.checkout(ctx, staff_id=staff.cashier, member_id=referee.member_id, items=[("TEA-JASMINE", 1)])
    spend_agent_points(ctx, referrer.member_id, 150)
    out = refund(ctx, staff, sale.sale_id)
    assert out.debt_added == 0  # the referee's own points were all there
    assert agent(ctx, referrer.member_id) == 0 and debt(ctx, referrer.member_id) == 150
    assert debt(ctx, referee.member_id) == 0
