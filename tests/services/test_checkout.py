"""Checkout against a real store: points earned line by line, guide and referral points,
points as cash, coupons, campaigns, the daily cap and lock days; and every bad input refused
with nothing written.

Demo rules: 1 point per ¥1 paid (merch 2x, tobacco none), tea doubled this week, silver
1.2x from ¥1,000 of 12-month spend, guide 10% of base points, referral bonus 200,
100 points pay ¥1 up to 50% of a bill, daily cap 5,000.
"""

from datetime import timedelta

import pytest
from dbcheck import (MEMBER_PIN, START, audit_since, balance, events_since, last_audit_id, last_seq, lots, member_balance,
                     postings_of_kind, rows, set_rules)

from pos_app.domain import ledger as L
from pos_app.services import checkout, members, points


def test_member_sale_earns_per_line_and_credits_the_guide(ctx, staff, new_member):
    m = new_member()
    seq, audit_id = last_seq(ctx), last_audit_id(ctx)
    issued_before = balance(ctx, L.store_issued(ctx.who.store_id))
    guide_before = balance(ctx, L.guide_account(staff.guide))
    sale = checkout.checkout(ctx, staff_id=staff.cashier, member_id=m.member_id, guide_id=staff.guide,
                             items=[("TEA-JASMINE", 2), ("6901234567939", 1), ("CIG-DEMO", 1)],
                             tender={"cash": 20000})
    # jasmine tea 96.00 -> 96 x2 (tea week) = 192; milk tea 18.00 -> 18; cigarettes earn nothing
    assert [ln.points for ln in sale.quote.lines] == [192, 18, 0]
    assert (sale.quote.subtotal_fen, sale.quote.due_fen, sale.change_fen) == (13900, 13900, 6100)
    assert (sale.points_earned, sale.balance_after, sale.guide_points, sale.referral_bonus) == (210, 210, 11, 0)
    assert events_since(ctx, seq) == [("earn", m.member_id, staff.cashier), ("guide_earn", None, staff.cashier)]
    sid = ctx.who.store_id
    assert postings_of_kind(ctx, "earn", seq) == [sorted([(L.store_issued(sid), -210), (L.member_account(m.member_id), 210)])]
    assert postings_of_kind(ctx, "guide_earn", seq) == [sorted([(L.store_issued(sid), -11),
                                                                (L.guide_account(staff.guide), 11)])]
    assert lots(ctx, m.member_id) == [(210, 210, START, START + timedelta(days=365))]
    assert balance(ctx, L.store_issued(sid)) == issued_before - 221
    assert balance(ctx, L.guide_account(staff.guide)) == guide_before + 11
    assert rows(ctx, "SELECT e.kind FROM outbox o JOIN events e USING (event_id) WHERE o.device_seq > :s "
                     "ORDER BY o.device_seq", s=seq) == [("earn",), ("guide_earn",)]
    assert rows(ctx, "SELECT receipt_no, member_id, due_fen, change_fen, earn_points, guide_points, tender "
                     "FROM sales WHERE sale_id = :s", s=sale.sale_id) == [
        (sale.receipt_no, m.member_id, 13900, 6100, 210, 11, '{"cash": 20000}')]
    assert rows(ctx, "SELECT line_no, sku, qty, paid_fen, points FROM sale_lines WHERE sale_id = :s ORDER BY line_no",
                s=sale.sale_id) == [(1, "TEA-JASMINE", 2, 9600, 192), (2, "MILKTEA-L", 1, 1800, 18),
                                    (3, "CIG-DEMO", 1, 2500, 0)]
    assert audit_since(ctx, audit_id) == []  # a plain sale is in the ledger, not the audit log
    with ctx.db.read() as conn:
        from pos_app.store import repos
        assert repos.member_by_id(conn, m.member_id).first_purchase_at == START


def test_sale_without_member_earns_nothing_and_posts_nothing(ctx, staff):
    seq = last_seq(ctx)
    sale = checkout.checkout(ctx, staff_id=staff.cashier, items=[("TEA-OOLONG", 1)])
    assert (sale.points_earned, sale.balance_after, sale.member) == (0, 0, None)
    assert events_since(ctx, seq) == []
    assert rows(ctx, "SELECT due_fen, earn_points FROM sales WHERE sale_id = :s", s=sale.sale_id) == [(12800, 0)]


def test_referral_bonus_on_the_referees_first_purchase_only(ctx, staff, demo_members, new_member):
    referrer = demo_members["13800138000"]
    agent = L.member_account(referrer.member_id, L.PointType.AGENT)
    agent_before = balance(ctx, agent)
    referee = new_member(referrer_code=referrer.referral_code)
    seq = last_seq(ctx)
    first = checkout.checkout(ctx, staff_id=staff.cashier, member_id=referee.member_id, items=[("LEMON-TEA", 1)])
    assert first.referral_bonus == 200
    assert events_since(ctx, seq) == [("earn", referee.member_id, staff.cashier),
                                      ("referral_bonus", referrer.member_id, staff.cashier)]
    assert postings_of_kind(ctx, "referral_bonus", seq) == [sorted([(L.store_issued(ctx.who.store_id), -200),
                                                                    (agent, 200)])]
    assert balance(ctx, agent) == agent_before + 200
    # the referrer's consumer points are untouched: the bonus is agent points
    assert member_balance(ctx, referrer.member_id) == 1171
    second = checkout.checkout(ctx, staff_id=staff.cashier, member_id=referee.member_id, items=[("LEMON-TEA", 1)])
    assert second.referral_bonus == 0
    assert balance(ctx, agent) == agent_before + 200
    # a member nobody referred brings no bonus
    plain = new_member()
    assert checkout.checkout(ctx, staff_id=staff.cashier, member_id=plain.member_id,
                             items=[("LEMON-TEA", 1)]).referral_bonus == 0


def test_tier_upgrade_at_the_sale_that_crosses_the_threshold(ctx, staff, new_member):
    m = new_member()
    seq = last_seq(ctx)
    # 4 x 268.00 = 1,072.00 crosses silver (1,000.00); this sale still earns at basic: 1072 x2
    sale = checkout.checkout(ctx, staff_id=staff.cashier, member_id=m.member_id, items=[("TEA-PUER", 4)])
    assert (sale.tier_before, sale.tier_after, sale.points_earned) == ("basic", "silver", 2144)
    assert [k for k, *_ in events_since(ctx, seq)] == ["earn", "tier_change"]
    # the next sale earns at silver: 12.00 -> 12 x 1.2 = 14
    assert checkout.checkout(ctx, staff_id=staff.cashier, member_id=m.member_id,
                             items=[("LEMON-TEA", 1)]).points_earned == 14


def test_campaign_doubles_only_its_category_and_only_in_its_window(ctx, staff, clock, new_member):
    m = new_member()
    sale = checkout.checkout(ctx, staff_id=staff.cashier, member_id=m.member_id,
                             items=[("TEA-OOLONG", 1), ("SNACK-DATES", 1), ("MUG-LOGO", 1)])
    # oolong 128 x2 (tea week), dates 39, mug 59 at merch's 200%
    assert [ln.points for ln in sale.quote.lines] == [256, 39, 118]
    assert [ln.campaign_id for ln in sale.quote.lines] == ["CAMP-TEA2X", None, None]
    clock.advance(days=6)  # the week ran from a day before the seed to six days after
    later = checkout.checkout(ctx, staff_id=staff.cashier, member_id=m.member_id, items=[("TEA-OOLONG", 1)])
    assert later.points_earned == 128 and later.quote.lines[0].campaign_id is None


def test_points_as_cash_pays_part_and_earns_only_on_money(ctx, staff, new_member, top_up):
    m = new_member()
    top_up(m.member_id, 6000)
    seq = last_seq(ctx)
    sale = checkout.checkout(ctx, staff_id=staff.cashier, member_id=m.member_id, items=[("TEA-OOLONG", 1)],
                             cash_points=5000, member_pin=MEMBER_PIN)
    # 5,000 points pay 50.00 of 128.00; 78.00 paid earns 78 x2
    assert (sale.quote.cash_fen, sale.quote.due_fen, sale.points_earned) == (5000, 7800, 156)
    assert sale.balance_after == 6000 - 5000 + 156
    assert [k for k, *_ in events_since(ctx, seq)] == ["redeem_post", "earn"]
    assert postings_of_kind(ctx, "redeem_post", seq) == [sorted([(L.member_account(m.member_id), -5000),
                                                                 (L.store_redeemed(ctx.who.store_id), 5000)])]
    assert [(a, r) for a, r, *_ in lots(ctx, m.member_id)] == [(6000, 1000), (156, 156)]
    assert rows(ctx, "SELECT cash_points, cash_fen, due_fen FROM sales WHERE sale_id = :s", s=sale.sale_id) == [
        (5000, 5000, 7800)]


def test_points_as_cash_share_limit_step_and_balance(ctx, staff, new_member, top_up, refused):
    m = new_member()
    top_up(m.member_id, 6500)
    args = {"staff_id": staff.cashier, "member_id": m.member_id, "items": [("TEA-OOLONG", 1)],
            "member_pin": MEMBER_PIN}
    err = refused("cash.over_share", checkout.checkout, **args, cash_points=6500)  # 65.00 > half of 128.00
    assert "50%" in str(err)
    refused("cash.step", checkout.checkout, **args, cash_points=150)
    refused("cash.bad_points", checkout.checkout, **args, cash_points=-100)
    refused("points.insufficient", checkout.checkout, **{**args, "items": [("TEA-PUER", 1)]}, cash_points=6600)
    refused("cash.no_member", checkout.checkout, staff_id=staff.cashier, items=[("TEA-OOLONG", 1)], cash_points=100)
    # exactly half is allowed
    assert checkout.checkout(ctx, **args, cash_points=6400).quote.due_fen == 6400


def test_coupon_takes_money_off_and_is_then_used(ctx, staff, new_member, top_up, refused):
    m = new_member()
    top_up(m.member_id, 1000)
    bought = points.buy_coupon(ctx, staff_id=staff.cashier, member_id=m.member_id, type_id="CPN-5",
                               member_pin="123456")
    sale = checkout.checkout(ctx, staff_id=staff.cashier, member_id=m.member_id, items=[("TEA-OOLONG", 1)],
                             coupons=[bought.code.lower()])
    # 128.00 - 5.00 = 123.00 paid, 123 x2 points
    assert (sale.quote.discount_fen, sale.quote.due_fen, sale.points_earned) == (500, 12300, 246)
    assert rows(ctx, "SELECT status, used_sale FROM coupons WHERE code = :c", c=bought.code) == [
        ("used", sale.sale_id)]
    refused("coupon.used", checkout.checkout, staff_id=staff.cashier, member_id=m.member_id,
            items=[("TEA-OOLONG", 1)], coupons=[bought.code])


def test_coupon_refusals(ctx, staff, clock, new_member, top_up, refused):
    m, other = new_member(), new_member()
    top_up(m.member_id, 2000)
    code = points.buy_coupon(ctx, staff_id=staff.cashier, member_id=m.member_id, type_id="CPN-5",
                             member_pin="123456").code
    base = {"staff_id": staff.cashier, "member_id": m.member_id, "items": [("TEA-OOLONG", 1)]}
    refused("coupon.unknown", checkout.checkout, **base, coupons=["CNOSUCHONE"])
    refused("coupon.duplicate", checkout.checkout, **base, coupons=[code, code])
    refused("coupon.min_spend", checkout.checkout, **{**base, "items": [("LEMON-TEA", 1)]}, coupons=[code])
    refused("coupon.not_owner", checkout.checkout, **{**base, "member_id": other.member_id}, coupons=[code])
    refused("coupon.no_member", checkout.checkout, staff_id=staff.cashier, items=[("TEA-OOLONG", 1)], coupons=[code])
    clock.advance(days=30)  # CPN-5 is valid for 30 days
    err = refused("coupon.expired", checkout.checkout, **base, coupons=[code])
    assert "expired" in str(err)


def test_daily_cap_counts_the_stores_local_day(ctx, staff, clock, new_member):
    m = new_member()
    big = checkout.checkout(ctx, staff_id=staff.cashier, member_id=m.member_id, items=[("TEA-PUER", 10)])
    assert (big.quote.earn_uncapped, big.points_earned) == (5360, 5000)  # 2680 x2, capped at 5,000
    assert sum(ln.points for ln in big.quote.lines) == 5000
    clock.advance(hours=13, minutes=59)  # 23:59 in Shanghai: the same day
    assert checkout.checkout(ctx, staff_id=staff.cashier, member_id=m.member_id,
                             items=[("LEMON-TEA", 1)]).points_earned == 0
    clock.advance(minutes=1)  # midnight in Shanghai, 16:00 UTC: a new day; silver now (1.2x)
    assert checkout.checkout(ctx, staff_id=staff.cashier, member_id=m.member_id,
                             items=[("LEMON-TEA", 1)]).points_earned == 14


def test_lock_days_keep_new_points_from_being_spent(ctx, staff, clock, new_member, refused):
    set_rules(ctx, lock_days=7)
    m = new_member()
    checkout.checkout(ctx, staff_id=staff.cashier, member_id=m.member_id, items=[("SNACK-NUTS", 1)])
    assert lots(ctx, m.member_id) == [(99, 99, START + timedelta(days=7), START + timedelta(days=365))]
    st = members.member_statement(ctx, m.member_id)
    assert (st.balance, st.spendable, st.locked) == (99, 0, 99)
    refused("points.insufficient", points.donate, staff_id=staff.cashier, member_id=m.member_id, points=50,
            member_pin="123456")
    clock.advance(days=7)
    assert points.donate(ctx, staff_id=staff.cashier, member_id=m.member_id, points=50, member_pin="123456") == 49


@pytest.mark.parametrize("items, code", [
    ([], "cart.empty"),
    ([("TEA-OOLONG", 0)], "cart.bad_qty"),
    ([("TEA-OOLONG", -1)], "cart.bad_qty"),
    ([("TEA-OOLONG", 1000)], "cart.bad_qty"),
    ([("TEA-OOLONG", "2")], "cart.bad_qty"),
    ([("TEA-OOLONG", 2.5)], "cart.bad_qty"),
    ([("TEA-OOLONG", True)], "cart.bad_qty"),
    ([("NO-SUCH-SKU", 1)], "product.unknown"),
    ([("6900000000000", 1)], "product.unknown"),
    ([("", 1)], "product.unknown"),
    ([("TEA-PUER", 999)] * 4, "cart.too_large"),  # 1,070,928.00: no counter sale is that big
    ([("BAG-PAPER", 1)] * 201, "cart.too_many_lines"),
])
def test_bad_carts_are_refused(ctx, staff, demo_members, refused, items, code):
    refused(code, checkout.checkout, staff_id=staff.cashier, member_id=demo_members["13800138000"].member_id,
            items=items)


@pytest.mark.parametrize("kwargs, code", [
    ({"tender": {"cash": 1000}}, "tender.short"),
    ({"tender": {"cash": -100}}, "tender.amount"),
    ({"tender": {"cash": 10**12}}, "tender.amount"),
    ({"tender": {"bitcoin": 12800}}, "tender.method"),
    ({"tender": {"card": 20000}}, "tender.overpaid_card"),
    ({"member_id": "no-such-member"}, "member.unknown"),
    ({"staff_id": "nobody"}, "staff.unknown"),
    ({"guide_id": "nobody"}, "staff.unknown"),
])
def test_bad_tender_member_or_staff_is_refused(ctx, staff, demo_members, refused, kwargs, code):
    args = {"staff_id": staff.cashier, "member_id": demo_members["13800138000"].member_id,
            "items": [("TEA-OOLONG", 1)], **kwargs}
    refused(code, checkout.checkout, **args)


def test_price_cart_writes_nothing(ctx, demo_members, db_snapshot):
    before = db_snapshot(ctx)
    q = checkout.price_cart(ctx, items=[("TEA-OOLONG", 2)], member_id=demo_members["13800138000"].member_id,
                            cash_points=1000)
    assert (q.due_fen, q.earn_points) == (24600, 492)
    assert db_snapshot(ctx) == before


def test_receipt_numbers_follow_the_stores_local_day(ctx, clock, staff):
    # START is 02:00 UTC = 10:00 in Shanghai on 2026-11-25; the demo's five sales were that day.
    first = checkout.checkout(ctx, staff_id=staff.cashier, items=[("TEA-GREEN", 1)])
    assert first.receipt_no.endswith("-20261125-0006")
    clock.advance(hours=15)              # 17:00 UTC: already 01:00 on the 26th at the counter
    late = checkout.checkout(ctx, staff_id=staff.cashier, items=[("TEA-GREEN", 1)])
    assert late.receipt_no.endswith("-20261126-0001")


def test_times_written_on_the_driver_match_sqlalchemys_text(ctx, staff, new_member):
    """A sale at a whole second: every time column holds the text SQLAlchemy writes
    ('.000000' included), so SQL comparisons against bound datetimes find the rows."""
    from sqlalchemy import select

    from pos_app.store import tables as T

    m = new_member()
    sale = checkout.checkout(ctx, staff_id=staff.cashier, member_id=m.member_id, items=[("TEA-JASMINE", 1)])
    assert sale.created_at == START
    stored = rows(ctx, "SELECT s.created_at, e.device_time, l.available_at FROM sales s "
                       "JOIN events e ON e.event_id = s.earn_event JOIN lots l ON l.event_id = e.event_id "
                       "WHERE s.sale_id = :s", s=sale.sale_id)
    assert stored == [("2026-11-25 02:00:00.000000",) * 3]
    with ctx.db.read() as conn:
        assert conn.execute(select(T.sales.c.sale_id).where(T.sales.c.created_at == START,
                                                            T.sales.c.sale_id == sale.sale_id)).all()
        assert conn.execute(select(T.events.c.event_id).where(T.events.c.device_time == START,
                                                              T.events.c.member_id == m.member_id)).all()


def test_paying_with_points_needs_the_members_pin_or_phone_code(ctx, staff, new_member, top_up, refused):
    """Points paying part of a bill are a redemption (DESIGN.md 4): a card or a typed phone
    number earns, but spending needs the member's PIN or their phone's dynamic code."""
    m = new_member()
    top_up(m.member_id, 3000)
    args = {"staff_id": staff.cashier, "member_id": m.member_id, "items": [("TEA-OOLONG", 1)], "cash_points": 1000}
    refused("member.wrong_pin", checkout.checkout, **args)                          # no proof at all
    refused("member.wrong_pin", checkout.checkout, **args, member_pin="000000")     # a wrong PIN
    refused("member.code_kind", checkout.checkout, **args, member_code="13900000000")  # a phone number is no code
    assert checkout.checkout(ctx, **args, member_pin=MEMBER_PIN).quote.cash_fen == 1000
    # earning needs no proof
    assert checkout.checkout(ctx, staff_id=staff.cashier, member_id=m.member_id, items=[("TEA-OOLONG", 1)]).points_earned
