"""Gift redemption: hold, hand over (now or at pickup), void, take back; and every refusal
(stock, window, limits, tier, points, member PIN, manager approval) with nothing written.

Demo gifts: cup 800 (stock 40), umbrella 1,500 (2 per member), teapot 5,000 + ¥20 (silver,
1 per member, above the 3,000-point approval threshold), speaker 9,000 (gold), canvas bag
500 (out of stock).
"""

import pytest
from sqlalchemy import text
from dbcheck import (audit_since, balance, events_since, last_audit_id, last_seq, lots, member_balance,
                     postings_of_kind, rows)

from pos_app.domain import ledger as L
from pos_app.services import checkout, redeem
from pos_app.services.context import PIN_LOCK_SECONDS, PIN_TRIES

PIN = "123456"


def stock(ctx, gift_id: str) -> int:
    return rows(ctx, "SELECT stock FROM gifts WHERE gift_id = :g", g=gift_id)[0][0]


@pytest.fixture
def member(ctx, demo_members):
    return demo_members["13800138000"]  # 1,171 points from the demo sale, basic tier


@pytest.fixture
def silver(ctx, staff, new_member, top_up):
    """A silver member with 2,144 + 4,000 points."""
    m = new_member()
    checkout.checkout(ctx, staff_id=staff.cashier, member_id=m.member_id, items=[("TEA-PUER", 4)])
    top_up(m.member_id, 4000)
    return m


def test_redeem_in_person_holds_then_posts(ctx, staff, member):
    seq, audit_id = last_seq(ctx), last_audit_id(ctx)
    r = redeem.redeem_gift(ctx, staff_id=staff.cashier, member_id=member.member_id, gift_id="GIFT-CUP",
                           member_pin=PIN)
    assert (r.status, r.points, r.qty, r.copay_fen, r.gift_name) == ("picked_up", 800, 1, 0, "定制随行杯")
    assert r.pickup_code.startswith("PM1:P:")
    assert events_since(ctx, seq) == [("redeem_hold", member.member_id, staff.cashier),
                                      ("redeem_post", member.member_id, staff.cashier)]
    sid, acct = ctx.who.store_id, L.member_account(member.member_id)
    assert postings_of_kind(ctx, "redeem_hold", seq) == [sorted([(acct, -800), (L.suspense(sid), 800)])]
    assert postings_of_kind(ctx, "redeem_post", seq) == [sorted([(L.suspense(sid), -800),
                                                                 (L.store_redeemed(sid), 800)])]
    assert member_balance(ctx, member.member_id) == 371
    assert [rem for _, rem, *_ in lots(ctx, member.member_id)] == [371]
    assert balance(ctx, L.suspense(sid)) == 0
    assert stock(ctx, "GIFT-CUP") == 39
    assert audit_since(ctx, audit_id) == [("redeem_gift", staff.cashier, None, r.redemption_id)]
    assert rows(ctx, "SELECT COUNT(*) FROM outbox WHERE device_seq > :s", s=seq) == [(2,)]


def test_held_gift_written_off_at_pickup_once(ctx, staff, member, refused):
    r = redeem.redeem_gift(ctx, staff_id=staff.cashier, member_id=member.member_id, gift_id="GIFT-TEABAG",
                           qty=2, member_pin=PIN, hand_over=False)
    assert (r.status, r.points) == ("held", 600)
    assert balance(ctx, L.suspense(ctx.who.store_id)) == 600
    assert stock(ctx, "GIFT-TEABAG") == 118
    seq = last_seq(ctx)
    done = redeem.write_off_pickup(ctx, staff_id=staff.cashier, pickup_code=f" {r.pickup_code} ")
    assert done.status == "picked_up"
    assert events_since(ctx, seq) == [("redeem_post", member.member_id, staff.cashier)]
    assert balance(ctx, L.suspense(ctx.who.store_id)) == 0
    err = refused("pickup.closed", redeem.write_off_pickup, staff_id=staff.cashier, pickup_code=r.pickup_code)
    assert "picked up" in str(err)
    refused("pickup.unknown", redeem.write_off_pickup, staff_id=staff.cashier, pickup_code="PK0000000000000000")
    refused("staff.unknown", redeem.write_off_pickup, staff_id="nobody", pickup_code=r.pickup_code)


def test_void_a_held_redemption_returns_points_to_their_lot_and_stock(ctx, staff, member, refused):
    r = redeem.redeem_gift(ctx, staff_id=staff.cashier, member_id=member.member_id, gift_id="GIFT-CUP",
                           member_pin=PIN, hand_over=False)
    args = {"staff_id": staff.cashier, "redemption_id": r.redemption_id, "reason": "changed mind"}
    refused("approval.required", redeem.cancel_redemption, **args)
    refused("approval.wrong_pin", redeem.cancel_redemption, **args, approver_pin=staff.cashier_pin)
    seq, audit_id = last_seq(ctx), last_audit_id(ctx)
    out = redeem.cancel_redemption(ctx, **args, approver_pin=staff.manager_pin)
    assert out.status == "voided"
    assert events_since(ctx, seq) == [("redeem_void", member.member_id, staff.cashier)]
    assert postings_of_kind(ctx, "redeem_void", seq) == [sorted([(L.suspense(ctx.who.store_id), -800),
                                                                 (L.member_account(member.member_id), 800)])]
    assert [(a, rem) for a, rem, *_ in lots(ctx, member.member_id)] == [(1171, 1171)]
    assert stock(ctx, "GIFT-CUP") == 40
    assert audit_since(ctx, audit_id) == [("cancel_redemption", staff.cashier, staff.manager, r.redemption_id)]
    err = refused("redemption.closed", redeem.cancel_redemption, **args, approver_pin=staff.manager_pin)
    assert "voided" in str(err)
    refused("pickup.closed", redeem.write_off_pickup, staff_id=staff.cashier, pickup_code=r.pickup_code)
    refused("redemption.unknown", redeem.cancel_redemption, **{**args, "redemption_id": "nope"},
            approver_pin=staff.manager_pin)


def test_gift_taken_back_after_pickup(ctx, staff, member):
    r = redeem.redeem_gift(ctx, staff_id=staff.cashier, member_id=member.member_id, gift_id="GIFT-CUP",
                           member_pin=PIN)
    seq = last_seq(ctx)
    out = redeem.cancel_redemption(ctx, staff_id=staff.cashier, redemption_id=r.redemption_id, reason="broken",
                                   approver_pin=staff.manager_pin)
    assert out.status == "returned"
    assert postings_of_kind(ctx, "reverse", seq) == [sorted([(L.store_redeemed(ctx.who.store_id), -800),
                                                             (L.member_account(member.member_id), 800)])]
    assert member_balance(ctx, member.member_id) == 1171 and stock(ctx, "GIFT-CUP") == 40


def test_large_redemption_needs_a_managers_pin(ctx, staff, silver, refused):
    args = {"staff_id": staff.cashier, "member_id": silver.member_id, "gift_id": "GIFT-TEAPOT", "member_pin": PIN}
    refused("approval.required", redeem.redeem_gift, **args)
    refused("approval.wrong_pin", redeem.redeem_gift, **args, approver_pin="0000")
    refused("approval.wrong_pin", redeem.redeem_gift, **args, approver_pin=staff.cashier_pin)
    audit_id = last_audit_id(ctx)
    r = redeem.redeem_gift(ctx, **args, approver_pin=staff.manager_pin)
    assert (r.points, r.copay_fen, r.status) == (5000, 2000, "picked_up")
    assert audit_since(ctx, audit_id) == [("redeem_gift", staff.cashier, staff.manager, r.redemption_id)]
    assert member_balance(ctx, silver.member_id) == 6144 - 5000


def test_manager_pin_guessing_locks_the_approval_prompt(ctx, staff, silver, ticker, refused):
    args = {"staff_id": staff.cashier, "member_id": silver.member_id, "gift_id": "GIFT-TEAPOT", "member_pin": PIN}
    for guess in range(PIN_TRIES):
        refused("approval.wrong_pin", redeem.redeem_gift, **args, approver_pin=f"{guess:04d}")
    refused("pin.locked", redeem.redeem_gift, **args, approver_pin=staff.manager_pin)
    ticker.t += PIN_LOCK_SECONDS
    assert redeem.redeem_gift(ctx, **args, approver_pin=staff.manager_pin).status == "picked_up"


@pytest.mark.parametrize("kwargs, code", [
    ({"gift_id": "NO-SUCH-GIFT"}, "gift.unknown"),
    ({"qty": 0}, "gift.bad_qty"),
    ({"qty": -1}, "gift.bad_qty"),
    ({"qty": 21}, "gift.bad_qty"),
    ({"qty": "1"}, "gift.bad_qty"),
    ({"gift_id": "GIFT-CANVAS"}, "gift.out_of_stock"),
    ({"gift_id": "GIFT-TEAPOT"}, "gift.tier"),
    ({"gift_id": "GIFT-SPEAKER"}, "gift.tier"),
    ({"qty": 2}, "points.insufficient"),  # 1,600 of 1,171
    ({"member_pin": "000000"}, "member.wrong_pin"),
    ({"member_pin": None}, "member.wrong_pin"),
    ({"member_id": "no-such-member"}, "member.unknown"),
    ({"staff_id": "nobody"}, "staff.unknown"),
])
def test_redemption_refusals_change_nothing(ctx, staff, member, refused, kwargs, code):
    args = {"staff_id": staff.cashier, "member_id": member.member_id, "gift_id": "GIFT-CUP", "member_pin": PIN,
            **kwargs}
    refused(code, redeem.redeem_gift, **args)


def test_gift_outside_its_window_or_withdrawn(ctx, staff, clock, member, refused):
    args = {"staff_id": staff.cashier, "member_id": member.member_id, "gift_id": "GIFT-CUP", "member_pin": PIN}
    with ctx.db.write() as conn:
        conn.execute(text("UPDATE gifts SET starts_at = :a, ends_at = :b WHERE gift_id = 'GIFT-CUP'"),
                     {"a": clock.now.replace(day=26).isoformat(sep=" "),
                      "b": clock.now.replace(day=28).isoformat(sep=" ")})
    assert "2026-11-26" in str(refused("gift.not_started", redeem.redeem_gift, **args))
    clock.advance(days=1)
    assert redeem.redeem_gift(ctx, **args).status == "picked_up"
    clock.advance(days=2)
    refused("gift.ended", redeem.redeem_gift, **args)
    with ctx.db.write() as conn:
        conn.execute(text("UPDATE gifts SET ends_at = NULL, active = 0 WHERE gift_id = 'GIFT-CUP'"))
    refused("gift.inactive", redeem.redeem_gift, **args)


def test_per_member_limit_counts_held_and_handed_over_not_voided(ctx, staff, member, top_up, refused):
    args = {"staff_id": staff.cashier, "member_id": member.member_id, "gift_id": "GIFT-UMBRELLA", "member_pin": PIN}
    top_up(member.member_id, 5000)
    first = redeem.redeem_gift(ctx, **args, hand_over=False)
    redeem.redeem_gift(ctx, **args)
    err = refused("gift.limit", redeem.redeem_gift, **args)
    assert "2 per member" in str(err)
    redeem.cancel_redemption(ctx, staff_id=staff.cashier, redemption_id=first.redemption_id,
                             approver_pin=staff.manager_pin)
    assert redeem.redeem_gift(ctx, **args).status == "picked_up"


def test_member_code_stands_in_for_the_pin_and_a_pinless_member_needs_it(ctx, staff, new_member, top_up, refused,
                                                                        member_code):
    m = new_member(pin=None)
    top_up(m.member_id, 1000)
    args = {"staff_id": staff.cashier, "member_id": m.member_id, "gift_id": "GIFT-CUP"}
    refused("member.no_pin", redeem.redeem_gift, **args, member_pin="123456")
    assert redeem.redeem_gift(ctx, **args, member_code=member_code(m.member_id)).status == "picked_up"


def test_member_pin_locks_after_repeated_wrong_tries(ctx, staff, member, ticker, top_up, refused, member_code):
    top_up(member.member_id, 1000)
    args = {"staff_id": staff.cashier, "member_id": member.member_id, "gift_id": "GIFT-CUP"}
    for _ in range(PIN_TRIES):
        refused("member.wrong_pin", redeem.redeem_gift, **args, member_pin="000000")
    refused("member.pin_locked", redeem.redeem_gift, **args, member_pin=PIN)
    # the member's dynamic code still works while the PIN is locked
    assert redeem.redeem_gift(ctx, **args, member_code=member_code(member.member_id)).status == "picked_up"
    ticker.t += PIN_LOCK_SECONDS
    assert redeem.redeem_gift(ctx, **args, member_pin=PIN).status == "picked_up"
