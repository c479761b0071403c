"""Points beyond the sale against a real store: coupons bought with points, lottery draws,
donations, manager adjustments, the expiry job, label earns and referral bonuses; and every
refusal (too few points, unknown member, bad input, missing approval) with nothing written.

Demo: CPN-5 costs 400 points for ¥5 off ¥50 (30 days); the lottery costs 100 points a
draw (prizes 0/8/28/68/168 points); adjustments need a manager's PIN; points expire after
365 days.
"""

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from dbcheck import (MEMBER_PIN, START, audit_since, balance, events_since, last_audit_id, last_seq, lots,
                     member_balance, postings_of_kind, rows, set_rules)

from pos_app.domain import ledger as L
from pos_app.domain.lottery import draw
from pos_app.services import checkout, points
from pos_app.store import repos


@pytest.fixture
def sid(ctx) -> str:
    return ctx.who.store_id


@pytest.fixture
def rich(new_member, top_up):
    """A new member holding one 5,000-point lot."""
    m = new_member()
    top_up(m.member_id, 5000)
    return m


# -- coupons -----------------------------------------------------------------------------
def test_buy_coupon_spends_points_and_makes_an_active_coupon(ctx, staff, sid, rich):
    seq, audit_id = last_seq(ctx), last_audit_id(ctx)
    bought = points.buy_coupon(ctx, staff_id=staff.cashier, member_id=rich.member_id, type_id="CPN-5",
                               member_pin=MEMBER_PIN)
    assert (bought.type.type_id, bought.balance_after, bought.expires_at) == ("CPN-5", 4600,
                                                                              START + timedelta(days=30))
    assert bought.code.startswith("C") and len(bought.code) == 10
    assert events_since(ctx, seq) == [("redeem_post", rich.member_id, staff.cashier)]
    assert postings_of_kind(ctx, "redeem_post", seq) == [sorted([(L.member_account(rich.member_id), -400),
                                                                 (L.store_redeemed(sid), 400)])]
    [(payload,)] = rows(ctx, "SELECT payload FROM events WHERE device_seq > :s", s=seq)
    assert json.loads(payload)["coupon"] == bought.code
    assert rows(ctx, "SELECT type_id, member_id, status, used_sale FROM coupons WHERE code = :c", c=bought.code) == [
        ("CPN-5", rich.member_id, "active", None)]
    assert audit_since(ctx, audit_id) == [("buy_coupon", staff.cashier, None, rich.member_id)]
    with ctx.db.read() as conn:
        assert [c.code for c in repos.member_coupons(conn, rich.member_id)] == [bought.code]


def test_bought_coupon_is_used_once_at_checkout_and_not_after_expiry(ctx, staff, clock, rich, refused):
    buy = {"staff_id": staff.cashier, "member_id": rich.member_id, "type_id": "CPN-10PCT", "member_pin": MEMBER_PIN}
    used = points.buy_coupon(ctx, **buy).code
    kept = points.buy_coupon(ctx, **buy).code
    sale = checkout.checkout(ctx, staff_id=staff.cashier, member_id=rich.member_id, items=[("TEA-PUER", 2)],
                             coupons=[used])
    # 10% of 536.00 is 53.60, capped at 30.00
    assert (sale.quote.discount_fen, sale.quote.due_fen) == (3000, 50600)
    assert rows(ctx, "SELECT status, used_sale FROM coupons WHERE code = :c", c=used) == [("used", sale.sale_id)]
    again = {"staff_id": staff.cashier, "member_id": rich.member_id, "items": [("TEA-OOLONG", 1)]}
    assert "already been used" in str(refused("coupon.used", checkout.checkout, **again, coupons=[used]))
    clock.advance(days=14)  # CPN-10PCT is valid for 14 days
    assert "expired" in str(refused("coupon.expired", checkout.checkout, **again, coupons=[kept]))
    clock.advance(seconds=-1)
    assert checkout.checkout(ctx, **again, coupons=[kept]).quote.discount_fen == 1280


@pytest.mark.parametrize("kwargs, code", [
    ({"type_id": "NO-SUCH-TYPE"}, "coupon.unknown_type"),
    ({"type_id": "CPN-20", "member_id": "poor"}, "points.insufficient"),
    ({"member_id": "no-such-member"}, "member.unknown"),
    ({"member_pin": "000000"}, "member.wrong_pin"),
    ({"member_pin": None}, "member.wrong_pin"),
    ({"staff_id": "nobody"}, "staff.unknown"),
])
def test_buy_coupon_refusals_change_nothing(ctx, staff, new_member, top_up, refused, kwargs, code):
    m = new_member()
    top_up(m.member_id, 1499)  # one short of CPN-20
    args = {"staff_id": staff.cashier, "member_id": m.member_id, "type_id": "CPN-5", "member_pin": MEMBER_PIN,
            **kwargs}
    if args["member_id"] == "poor":
        args["member_id"] = m.member_id
    err = refused(code, points.buy_coupon, **args)
    if code == "points.insufficient":
        assert "1499" in str(err) and "1500" in str(err)


def test_inactive_coupon_type_cannot_be_bought(ctx, staff, rich, refused):
    with ctx.db.write() as conn:
        from sqlalchemy import text
        conn.execute(text("UPDATE coupon_types SET active = 0 WHERE type_id = 'CPN-5'"))
    refused("coupon.unknown_type", points.buy_coupon, staff_id=staff.cashier, member_id=rich.member_id,
            type_id="CPN-5", member_pin=MEMBER_PIN)


# -- lottery -----------------------------------------------------------------------------
@pytest.fixture
def seeded(monkeypatch):
    """Fix the next draw's seed (the service draws it from `secrets`)."""
    def use(seed: int) -> None:
        monkeypatch.setattr(points.secrets, "randbits", lambda _bits: seed)
    return use


def test_lottery_draw_records_its_seed_and_posts_the_prize(ctx, staff, sid, rich, seeded):
    seeded(153)  # draws the 168-point prize
    seq, audit_id = last_seq(ctx), last_audit_id(ctx)
    out = points.lottery_draw(ctx, staff_id=staff.cashier, member_id=rich.member_id, lottery_id="LOTTO-1",
                              member_pin=MEMBER_PIN)
    assert (out.prize.code, out.prize.points, out.balance_after) == ("P168", 168, 5000 - 100 + 168)
    assert not hasattr(out, "seed") and out.draws_left is None  # the counter shows the prize; no daily limit
    assert events_since(ctx, seq) == [("lottery_draw", rich.member_id, staff.cashier),
                                      ("earn", rich.member_id, staff.cashier)]
    acct = L.member_account(rich.member_id)
    assert postings_of_kind(ctx, "lottery_draw", seq) == [sorted([(acct, -100), (L.store_redeemed(sid), 100)])]
    assert postings_of_kind(ctx, "earn", seq) == [sorted([(acct, 168), (L.store_issued(sid), -168)])]
    [(draw_payload,), (prize_payload,)] = rows(ctx, "SELECT payload FROM events WHERE device_seq > :s "
                                                    "ORDER BY device_seq", s=seq)
    assert {k: json.loads(draw_payload)[k] for k in ("lottery_id", "seed", "prize", "prize_points")} == {
        "lottery_id": "LOTTO-1", "seed": 153, "prize": "P168", "prize_points": 168}
    assert json.loads(prize_payload)["purpose"] == "lottery_prize"
    assert [(a, r) for a, r, *_ in lots(ctx, rich.member_id)] == [(5000, 4900), (168, 168)]
    assert audit_since(ctx, audit_id) == [("lottery_draw", staff.cashier, None, rich.member_id)]


def test_a_losing_draw_posts_only_the_ticket(ctx, staff, rich, seeded, member_code):
    seeded(1)  # "thanks for playing"
    seq = last_seq(ctx)
    out = points.lottery_draw(ctx, staff_id=staff.cashier, member_id=rich.member_id, lottery_id="LOTTO-1",
                              member_code=member_code(rich.member_id))
    assert (out.prize.code, out.prize.points, out.balance_after) == ("P0", 0, 4900)
    assert [k for k, *_ in events_since(ctx, seq)] == ["lottery_draw"]


def test_every_recorded_seed_replays_to_the_recorded_prize(ctx, staff, rich, member_code):
    for _ in range(12):
        points.lottery_draw(ctx, staff_id=staff.cashier, member_id=rich.member_id, lottery_id="LOTTO-1",
                            member_code=member_code(rich.member_id))
    with ctx.db.read() as conn:
        lottery = repos.lottery(conn, "LOTTO-1")
    draws = [json.loads(p) for (p,) in rows(ctx, "SELECT payload FROM events WHERE kind = 'lottery_draw'")]
    assert len(draws) == 12 and len({d["seed"] for d in draws}) == 12
    for d in draws:
        prize = draw(lottery, d["seed"])
        assert (prize.code, prize.points) == (d["prize"], d["prize_points"])
    won = sum(d["prize_points"] for d in draws)
    assert member_balance(ctx, rich.member_id) == 5000 - 12 * 100 + won


def limit_lotto(ctx, **limits) -> None:
    """HQ's daily limits on the demo lottery, as a pull applies them."""
    from pos_app.sync import catalogue
    with ctx.db.write() as conn:
        lot = repos.lottery(conn, "LOTTO-1")
        catalogue.apply_lottery(conn, "LOTTO-1", {
            "name": lot.name, "points_per_draw": lot.points_per_draw, **limits,
            "prizes": [{"code": p.code, "name": p.name, "weight": p.weight, "points": p.points} for p in lot.prizes]})


def test_a_member_draws_at_most_hqs_daily_draws_a_day(ctx, staff, clock, rich, refused):
    limit_lotto(ctx, daily_draws=3)
    draw_ = {"staff_id": staff.cashier, "member_id": rich.member_id, "lottery_id": "LOTTO-1", "member_pin": MEMBER_PIN}
    assert [points.lottery_draw(ctx, **draw_).draws_left for _ in range(3)] == [2, 1, 0]
    before = member_balance(ctx, rich.member_id)
    err = refused("lottery.daily_limit", points.lottery_draw, **draw_)
    assert "3 draws a day" in str(err) and member_balance(ctx, rich.member_id) == before
    clock.advance(days=1)  # a new day at the store
    assert points.lottery_draw(ctx, **draw_).draws_left == 2


def test_a_prize_beyond_todays_budget_is_out_of_the_draw(ctx, staff, sid, rich, seeded, refused):
    limit_lotto(ctx, daily_prize_points=200)
    draw_ = {"staff_id": staff.cashier, "member_id": rich.member_id, "lottery_id": "LOTTO-1", "member_pin": MEMBER_PIN}
    seeded(153)  # the 168-point prize, with the whole table
    assert points.lottery_draw(ctx, **draw_).prize.points == 168
    paid = 168
    for _ in range(30):  # 32 points left today: 68 and 168 are out of every draw now
        out = points.lottery_draw(ctx, **draw_)
        assert out.prize.points <= 200 - paid
        paid += out.prize.points
    draws = [json.loads(p) for (p,) in rows(ctx, "SELECT payload FROM events WHERE kind = 'lottery_draw' "
                                                 "ORDER BY device_seq")]
    assert sum(d["prize_points"] for d in draws) == paid <= 200
    with ctx.db.read() as conn:
        lottery = repos.lottery(conn, "LOTTO-1")
    for d in draws:  # each replays against the prizes the budget left in it
        offered = tuple(p for p in lottery.prizes if p.code in d.get("offered", [p.code for p in lottery.prizes]))
        assert draw(replace(lottery, prizes=offered), d["seed"]).code == d["prize"]


@pytest.mark.parametrize("kwargs, code", [
    ({"lottery_id": "NO-SUCH-LOTTERY"}, "lottery.unknown"),
    ({"member_id": "poor"}, "points.insufficient"),
    ({"member_id": "no-such-member"}, "member.unknown"),
    ({"member_pin": "000000"}, "member.wrong_pin"),
    ({"staff_id": "nobody"}, "staff.unknown"),
])
def test_lottery_refusals_change_nothing(ctx, staff, rich, new_member, top_up, refused, kwargs, code):
    poor = new_member()
    top_up(poor.member_id, 99)
    args = {"staff_id": staff.cashier, "member_id": rich.member_id, "lottery_id": "LOTTO-1",
            "member_pin": MEMBER_PIN, **kwargs}
    if args["member_id"] == "poor":
        args["member_id"] = poor.member_id
    refused(code, points.lottery_draw, **args)


# -- donation ----------------------------------------------------------------------------
def test_donation_moves_points_to_charity(ctx, staff, rich):
    charity_before = balance(ctx, L.CHARITY)
    seq, audit_id = last_seq(ctx), last_audit_id(ctx)
    assert points.donate(ctx, staff_id=staff.cashier, member_id=rich.member_id, points=321,
                         member_pin=MEMBER_PIN) == 4679
    assert events_since(ctx, seq) == [("donation", rich.member_id, staff.cashier)]
    assert postings_of_kind(ctx, "donation", seq) == [sorted([(L.member_account(rich.member_id), -321),
                                                              (L.CHARITY, 321)])]
    assert balance(ctx, L.CHARITY) == charity_before + 321
    assert audit_since(ctx, audit_id) == [("donation", staff.cashier, None, rich.member_id)]


@pytest.mark.parametrize("kwargs, code", [
    ({"points": 5001}, "points.insufficient"),
    ({"points": 0}, "points.not_positive"),
    ({"points": -5}, "points.not_positive"),
    ({"points": 1.5}, "points.not_positive"),
    ({"points": "10"}, "points.not_positive"),
    ({"points": True}, "points.not_positive"),
    ({"member_id": "no-such-member"}, "member.unknown"),
    ({"member_pin": "999999"}, "member.wrong_pin"),
    ({"staff_id": "nobody"}, "staff.unknown"),
])
def test_donation_refusals_change_nothing(ctx, staff, rich, refused, kwargs, code):
    args = {"staff_id": staff.cashier, "member_id": rich.member_id, "points": 100, "member_pin": MEMBER_PIN,
            **kwargs}
    refused(code, points.donate, **args)


# -- manager adjustments -------------------------------------------------------------------
def test_adjust_up_adds_a_lot_with_the_managers_approval_and_reason(ctx, staff, sid, new_member):
    m = new_member()
    seq, audit_id = last_seq(ctx), last_audit_id(ctx)
    assert points.adjust(ctx, staff_id=staff.cashier, member_id=m.member_id, points=250,
                         reason="  missed scan on receipt 42 ", approver_pin=staff.manager_pin) == 250
    assert events_since(ctx, seq) == [("adjust", m.member_id, staff.cashier)]
    assert postings_of_kind(ctx, "adjust", seq) == [sorted([(L.member_account(m.member_id), 250),
                                                            (L.store_issued(sid), -250)])]
    [(payload,)] = rows(ctx, "SELECT payload FROM events WHERE device_seq > :s", s=seq)
    assert {k: json.loads(payload)[k] for k in ("reason", "approver")} == {"reason": "missed scan on receipt 42",
                                                                           "approver": staff.manager}
    assert lots(ctx, m.member_id) == [(250, 250, START, START + timedelta(days=365))]
    assert audit_since(ctx, audit_id) == [("adjust", staff.cashier, staff.manager, m.member_id)]


def test_adjust_down_takes_the_soonest_expiring_points(ctx, staff, sid, clock, new_member, top_up):
    m = new_member()
    top_up(m.member_id, 100)
    clock.advance(days=3)
    top_up(m.member_id, 300)
    seq = last_seq(ctx)
    assert points.adjust(ctx, staff_id=staff.cashier, member_id=m.member_id, points=-150, reason="double scan",
                         approver_pin=staff.manager_pin) == 250
    assert postings_of_kind(ctx, "adjust", seq) == [sorted([(L.member_account(m.member_id), -150),
                                                            (L.store_issued(sid), 150)])]
    assert [(a, r) for a, r, *_ in lots(ctx, m.member_id)] == [(100, 0), (300, 250)]


def test_adjust_repays_debt_first(ctx, staff, new_member):
    m = new_member()
    sale = checkout.checkout(ctx, staff_id=staff.cashier, member_id=m.member_id, items=[("LEMON-TEA", 1)])
    points.donate(ctx, staff_id=staff.cashier, member_id=m.member_id, points=12, member_pin=MEMBER_PIN)
    from pos_app.services import refunds
    refunds.refund(ctx, staff_id=staff.cashier, sale=sale.sale_id, reason="spilt", approver_pin=staff.manager_pin)
    assert balance(ctx, L.debt_account(m.member_id)) == -12
    assert points.adjust(ctx, staff_id=staff.cashier, member_id=m.member_id, points=20, reason="goodwill",
                         approver_pin=staff.manager_pin) == 8
    assert balance(ctx, L.debt_account(m.member_id)) == 0


@pytest.mark.parametrize("kwargs, code", [
    ({"approver_pin": None}, "approval.required"),
    ({"approver_pin": "0000"}, "approval.wrong_pin"),
    ({"approver_pin": "1111"}, "approval.wrong_pin"),  # a cashier cannot approve
    ({"reason": ""}, "adjust.reason"),
    ({"reason": "  "}, "adjust.reason"),
    ({"reason": None}, "adjust.reason"),
    ({"points": 0}, "adjust.points"),
    ({"points": 2.5}, "adjust.points"),
    ({"points": "100"}, "adjust.points"),
    ({"points": True}, "adjust.points"),
    ({"points": 100_001}, "adjust.too_large"),
    ({"points": -100_001}, "adjust.too_large"),
    ({"points": -5001}, "points.insufficient"),
    ({"member_id": "no-such-member"}, "member.unknown"),
    ({"staff_id": "nobody"}, "staff.unknown"),
])
def test_adjust_refusals_change_nothing(ctx, staff, rich, refused, kwargs, code):
    args = {"staff_id": staff.cashier, "member_id": rich.member_id, "points": 100, "reason": "correction",
            "approver_pin": staff.manager_pin, **kwargs}
    refused(code, points.adjust, **args)


def test_adjust_without_approval_when_the_rules_say_so(ctx, staff, rich):
    from pos_app.domain.rules import ApprovalPolicy
    set_rules(ctx, approval=ApprovalPolicy(adjust=False))
    audit_id = last_audit_id(ctx)
    assert points.adjust(ctx, staff_id=staff.cashier, member_id=rich.member_id, points=-1, reason="typo") == 4999
    assert audit_since(ctx, audit_id) == [("adjust", staff.cashier, None, rich.member_id)]


# -- expiry ------------------------------------------------------------------------------
def test_spending_takes_soonest_expiring_lots_and_expiry_posts_the_rest_to_breakage(ctx, staff, clock, new_member,
                                                                                   top_up, db_snapshot):
    m = new_member()
    top_up(m.member_id, 100)  # expires START + 365 days
    clock.advance(days=10)
    top_up(m.member_id, 200)  # expires 10 days later
    points.donate(ctx, staff_id=staff.cashier, member_id=m.member_id, points=60, member_pin=MEMBER_PIN)
    assert [(a, r) for a, r, *_ in lots(ctx, m.member_id)] == [(100, 40), (200, 200)]
    clock.now = START + timedelta(days=365) - timedelta(seconds=1)
    before = db_snapshot(ctx)
    assert points.expire_due(ctx) == 0
    assert db_snapshot(ctx) == before  # nothing due: nothing written
    breakage = balance(ctx, L.BREAKAGE)
    clock.advance(seconds=1)
    seq, audit_id = last_seq(ctx), last_audit_id(ctx)
    expired_now = points.expire_due(ctx, staff_id=staff.manager)
    # the demo members' lots from the seed sales expire at the same instant
    mine = [p for p in postings_of_kind(ctx, "expire", seq) if (L.member_account(m.member_id), -40) in p]
    assert mine == [sorted([(L.member_account(m.member_id), -40), (L.BREAKAGE, 40)])]
    assert balance(ctx, L.BREAKAGE) == breakage + expired_now
    assert [(a, r) for a, r, *_ in lots(ctx, m.member_id)] == [(100, 0), (200, 200)]
    assert member_balance(ctx, m.member_id) == 200
    assert audit_since(ctx, audit_id)[0][:2] == ("expire", staff.manager)
    assert points.expire_due(ctx) == 0
    clock.advance(days=10)
    assert points.expire_due(ctx) == 200
    assert member_balance(ctx, m.member_id) == 0


def test_expiry_covers_every_holder_and_the_ledger_still_checks(ctx, staff, clock, demo_members):
    from pos_app.services import reports
    # consumer points, and the agent points the first member earned by referring the other four
    total_members = sum(balance(ctx, L.member_account(m.member_id, t)) for m in demo_members.values()
                        for t in (L.PointType.CONSUMER, L.PointType.AGENT))
    guide = balance(ctx, L.guide_account(staff.guide))
    assert total_members > 0 and guide > 0
    clock.advance(days=365)
    assert points.expire_due(ctx) == total_members + guide
    assert all(balance(ctx, L.member_account(m.member_id, t)) == 0 for m in demo_members.values()
               for t in (L.PointType.CONSUMER, L.PointType.AGENT))
    assert balance(ctx, L.guide_account(staff.guide)) == 0
    assert reports.check_ledger(ctx).ok


def test_expired_points_cannot_be_spent_even_before_the_job_runs(ctx, staff, clock, rich, refused):
    clock.advance(days=365)
    refused("points.insufficient", points.donate, staff_id=staff.cashier, member_id=rich.member_id, points=1,
            member_pin=MEMBER_PIN)


# -- label earns ---------------------------------------------------------------------------
def test_a_label_serial_earns_once(ctx, staff, sid, new_member, refused):
    m, other = new_member(), new_member()
    seq = last_seq(ctx)
    assert points.label_earn(ctx, staff_id=staff.cashier, member_id=m.member_id, serial="S000123", sku="TEA-OOLONG",
                             points=68, label_batch="B7") == 68
    assert events_since(ctx, seq) == [("label_earn", m.member_id, staff.cashier)]
    assert postings_of_kind(ctx, "label_earn", seq) == [sorted([(L.member_account(m.member_id), 68),
                                                                (L.store_issued(sid), -68)])]
    assert rows(ctx, "SELECT serial, sku, points, member_id FROM label_claims") == [
        ("S000123", "TEA-OOLONG", 68, m.member_id)]
    err = refused("label.claimed", points.label_earn, staff_id=staff.cashier, member_id=other.member_id,
                  serial="S000123", sku="TEA-OOLONG", points=68)
    assert "2026-11-25" in str(err)
    refused("label.claimed", points.label_earn, staff_id=staff.cashier, member_id=m.member_id, serial="S000123",
            sku="TEA-OOLONG", points=8)


@pytest.mark.parametrize("kwargs, code", [
    ({"points": 0}, "label.points"),
    ({"points": -8}, "label.points"),
    ({"points": 100_001}, "label.points"),
    ({"points": True}, "label.points"),
    ({"points": "8"}, "label.points"),
    ({"serial": ""}, "label.serial"),
    ({"serial": "   "}, "label.serial"),
    ({"serial": None}, "label.serial"),
    ({"serial": "S" * 41}, "label.serial"),
    ({"member_id": "no-such-member"}, "member.unknown"),
    ({"staff_id": "nobody"}, "staff.unknown"),
])
def test_label_refusals_change_nothing(ctx, staff, new_member, refused, kwargs, code):
    args = {"staff_id": staff.cashier, "member_id": new_member().member_id, "serial": "S000999",
            "sku": "TEA-OOLONG", "points": 8, **kwargs}
    refused(code, points.label_earn, **args)


# -- referral bonus ------------------------------------------------------------------------
def test_referral_bonus_comes_with_the_first_purchase_even_one_that_earns_nothing(ctx, staff, sid, demo_members,
                                                                                  new_member):
    referrer = demo_members["13912345678"]
    agent = L.member_account(referrer.member_id, L.PointType.AGENT)
    before = balance(ctx, agent)
    referee = new_member(referrer_code=referrer.referral_code)
    # an anonymous sale is not the referee's purchase
    checkout.checkout(ctx, staff_id=staff.cashier, items=[("LEMON-TEA", 1)])
    assert balance(ctx, agent) == before
    seq = last_seq(ctx)
    first = checkout.checkout(ctx, staff_id=staff.cashier, member_id=referee.member_id, items=[("CIG-DEMO", 1)])
    assert (first.points_earned, first.referral_bonus) == (0, 200)
    assert events_since(ctx, seq) == [("referral_bonus", referrer.member_id, staff.cashier)]
    assert postings_of_kind(ctx, "referral_bonus", seq) == [sorted([(agent, 200), (L.store_issued(sid), -200)])]
    assert balance(ctx, agent) == before + 200
    assert checkout.checkout(ctx, staff_id=staff.cashier, member_id=referee.member_id,
                             items=[("LEMON-TEA", 1)]).referral_bonus == 0
    assert balance(ctx, agent) == before + 200


def test_referral_bonus_follows_the_current_rules(ctx, staff, demo_members, new_member):
    set_rules(ctx, referral_bonus=0)
    referrer = demo_members["13912345678"]
    referee = new_member(referrer_code=referrer.referral_code)
    seq = last_seq(ctx)
    assert checkout.checkout(ctx, staff_id=staff.cashier, member_id=referee.member_id,
                             items=[("LEMON-TEA", 1)]).referral_bonus == 0
    assert [k for k, *_ in events_since(ctx, seq)] == ["earn"]


# -- the member's presence: their PIN or their phone's code, checked in the transaction ------
SPENDS = [(points.buy_coupon, {"type_id": "CPN-5"}, "redeem_post"),
          (points.lottery_draw, {"lottery_id": "LOTTO-1"}, "lottery_draw"),
          (points.donate, {"points": 100}, "donation")]


@pytest.mark.parametrize("spend, extra, kind", SPENDS)
def test_a_spend_takes_the_members_code_itself_and_its_event_carries_the_codes_key(ctx, staff, rich, member_code,
                                                                                  spend, extra, kind):
    seq = last_seq(ctx)
    code = member_code(rich.member_id)
    spend(ctx, staff_id=staff.cashier, member_id=rich.member_id, member_code=code, **extra)
    payloads = [json.loads(p) for (p,) in rows(ctx, "SELECT payload FROM events WHERE device_seq > :s "
                                                    "AND kind = :k", s=seq, k=kind)]
    assert [p["member_code"].split(":")[:2] for p in payloads] == [["D", rich.member_id]]


@pytest.mark.parametrize("spend, extra, kind", SPENDS)
def test_a_spend_refuses_a_code_that_proves_nothing_and_changes_nothing(ctx, staff, rich, new_member, member_code,
                                                                       refused, spend, extra, kind):
    """No more `member_code_ok=True` on the caller's word: the code is verified in the
    spend's own transaction. Someone else's code, a code used once already, a forged one,
    a phone number or a bare key are refused, and nothing is recorded."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from pos_app.scanner.formats import dynamic_member_payload

    args = {"staff_id": staff.cashier, "member_id": rich.member_id, **extra}
    other = new_member()
    refused("member.code_other", spend, **args, member_code=member_code(other.member_id))
    used = member_code(rich.member_id)
    spend(ctx, **args, member_code=used)
    refused("scan.replayed", spend, **args, member_code=used)
    forged = dynamic_member_payload(rich.member_id, Ed25519PrivateKey.generate(), ctx.now())
    refused("scan.forged", spend, **args, member_code=forged)
    refused("member.code_kind", spend, **args, member_code="13900000000")
    refused("member.wrong_pin", spend, **args)  # no proof at all
    with pytest.raises(TypeError):
        spend(ctx, **args, member_code_ok=True)
