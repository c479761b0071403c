"""HQ's offline limits (DESIGN.md 6) at the redemption use case: a stand-alone till has
none; an enrolled one stops redeeming after the longest offline window (earning goes
on), and keeps each member and the store within their offline budgets. A refusal
writes nothing."""

from datetime import timedelta

import pytest

from pos_app.services import checkout, offline, redeem
from pos_app.sync import state
from pos_app.sync.wire import OfflineLimits

PIN = "123456"


def enrolled(ctx, *, synced_hours_ago: float, limits: OfflineLimits, store_tills: int = 1) -> None:
    """The meta rows enrolment and a successful sync leave (no HQ needed to test the rule)."""
    with ctx.db.write() as conn:
        state.put(conn, "store_tills", store_tills)
        state.put(conn, "hq_url", "http://hq.invalid")
        state.put(conn, "device_key", "k" * 43)
        state.put(conn, "last_success_at", ctx.now() - timedelta(hours=synced_hours_ago))
        state.set_offline_limits(conn, limits, "store")


@pytest.fixture
def member(demo_members):
    return demo_members["13800138000"]  # 1,171 points


def test_a_stand_alone_till_has_no_offline_limits(ctx, staff, member):
    link = offline.hq_link(ctx)
    assert not link.enrolled and link.hq_url is None
    r = redeem.redeem_gift(ctx, staff_id=staff.cashier, member_id=member.member_id, gift_id="GIFT-CUP",
                           member_pin=PIN)
    assert r.points == 800


def test_after_the_offline_window_redeeming_stops_and_earning_goes_on(ctx, staff, member, refused):
    enrolled(ctx, synced_hours_ago=73, limits=OfflineLimits(max_offline_hours=72))
    link = offline.hq_link(ctx)
    assert link.enrolled and link.window_left == timedelta(0) and link.max_offline_hours == 72
    err = refused("offline.window_over", redeem.redeem_gift, staff_id=staff.cashier, member_id=member.member_id,
                  gift_id="GIFT-CUP", member_pin=PIN)
    assert "72 h" in str(err)
    sale = checkout.checkout(ctx, staff_id=staff.cashier, member_id=member.member_id, items=[("TEA-PUER", 1)])
    assert sale.points_earned > 0


def test_within_the_window_a_member_redeems_up_to_the_member_limit(ctx, staff, member, refused):
    enrolled(ctx, synced_hours_ago=1, limits=OfflineLimits(max_offline_hours=72, member_redeem_points=1000))
    assert offline.hq_link(ctx).window_left > timedelta(hours=70)
    redeem.redeem_gift(ctx, staff_id=staff.cashier, member_id=member.member_id, gift_id="GIFT-CUP", member_pin=PIN)
    err = refused("offline.limit", redeem.redeem_gift, staff_id=staff.cashier, member_id=member.member_id,
                  gift_id="GIFT-TEABAG", member_pin=PIN)
    assert "200 more points" in str(err)


def test_the_store_budget_is_shared_by_every_member(ctx, staff, demo_members, top_up, refused):
    enrolled(ctx, synced_hours_ago=1, limits=OfflineLimits(member_redeem_points=5000, store_redeem_budget=1000))
    first, second = demo_members["13800138000"], demo_members["13912345678"]
    top_up(second.member_id, 1000)
    redeem.redeem_gift(ctx, staff_id=staff.cashier, member_id=first.member_id, gift_id="GIFT-CUP", member_pin=PIN)
    assert offline.hq_link(ctx).store_budget_left == 200
    refused("offline.limit", redeem.redeem_gift, staff_id=staff.cashier, member_id=second.member_id,
            gift_id="GIFT-TEABAG", member_pin=PIN)


def test_a_till_keeps_to_its_share_of_the_store_budget(ctx, staff, member, refused):
    enrolled(ctx, synced_hours_ago=1, limits=OfflineLimits(member_redeem_points=5000, store_redeem_budget=1000),
             store_tills=2)
    link = offline.hq_link(ctx)
    assert (link.store_share, link.store_budget_left) == (500, 500)
    err = refused("offline.limit", redeem.redeem_gift, staff_id=staff.cashier, member_id=member.member_id,
                  gift_id="GIFT-CUP", member_pin=PIN)  # 800 points: more than this till's share
    assert "500" in str(err)
    redeem.redeem_gift(ctx, staff_id=staff.cashier, member_id=member.member_id, gift_id="GIFT-TEABAG", member_pin=PIN)
    assert offline.hq_link(ctx).store_budget_left == 200


def test_a_sync_starts_a_new_offline_period(ctx, clock, staff, member, refused):
    enrolled(ctx, synced_hours_ago=2, limits=OfflineLimits(member_redeem_points=800))
    redeem.redeem_gift(ctx, staff_id=staff.cashier, member_id=member.member_id, gift_id="GIFT-CUP", member_pin=PIN)
    refused("offline.limit", redeem.redeem_gift, staff_id=staff.cashier, member_id=member.member_id,
            gift_id="GIFT-TEABAG", member_pin=PIN)
    clock.advance(minutes=5)
    with ctx.db.write() as conn:
        state.put(conn, "last_success_at", ctx.now())
    r = redeem.redeem_gift(ctx, staff_id=staff.cashier, member_id=member.member_id, gift_id="GIFT-TEABAG",
                           member_pin=PIN)
    assert r.points == 300


def test_points_as_cash_coupons_and_draws_count_against_the_limits_too(ctx, staff, member, refused):
    from pos_app.services import points

    enrolled(ctx, synced_hours_ago=80, limits=OfflineLimits(max_offline_hours=72))
    refused("offline.window_over", checkout.checkout, staff_id=staff.cashier, member_id=member.member_id,
            items=[("TEA-PUER", 1)], cash_points=100, member_pin=PIN)
    refused("offline.window_over", points.buy_coupon, staff_id=staff.cashier, member_id=member.member_id,
            type_id="CPN-5", member_pin=PIN)
    refused("offline.window_over", points.lottery_draw, staff_id=staff.cashier, member_id=member.member_id,
            lottery_id="LOTTO-1", member_pin=PIN)
    # Earning and a sale paid in money go on.
    assert checkout.checkout(ctx, staff_id=staff.cashier, member_id=member.member_id,
                             items=[("TEA-PUER", 1)]).points_earned > 0
