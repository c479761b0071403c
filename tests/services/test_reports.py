"""The daily report and the member statement against a known day of use cases, and the
`pos-app report --day` command line run as a real process.

The demo seed's sales fall on 2026-11-25 (Shanghai); the known day below is the next one,
so its figures are exactly what the test did.
"""

import json
import subprocess
import sys
from datetime import date, datetime, timedelta

import pytest
from dbcheck import MEMBER_PIN, START, rows

from pos_app.domain import ledger as L
from pos_app.services import checkout, members, points, redeem, refunds, reports
from pos_app.services.demo import GIFTS, MEMBERS

DAY1 = date(2026, 11, 25)
DAY2 = date(2026, 11, 26)


def stock_of(rep) -> dict[str, int]:
    return {gift_id: stock for gift_id, _, stock in rep.gift_stock}


@pytest.fixture
def known_day(ctx, staff, clock, new_member, top_up, monkeypatch):
    """A second day of trading, every figure of which the test knows."""
    clock.advance(days=1)  # 2026-11-26 10:00 in Shanghai; the tea week still runs
    m1 = new_member("一号")
    m2 = new_member("二号", referrer_code=m1.referral_code)
    top_up(m1.member_id, 5000)  # issued 5,000 (label)
    buy = {"staff_id": staff.cashier, "member_id": m1.member_id, "type_id": "CPN-5", "member_pin": MEMBER_PIN}
    used = points.buy_coupon(ctx, **buy).code  # redeemed 400
    points.buy_coupon(ctx, **buy)  # redeemed 400, never used
    # 128.00 - 5.00 coupon - 10.00 in points = 113.00 paid: earns 226 (tea week), guide 11
    s1 = checkout.checkout(ctx, staff_id=staff.cashier, member_id=m1.member_id, guide_id=staff.guide,
                           items=[("TEA-OOLONG", 1)], coupons=[used], cash_points=1000,
                           member_pin=MEMBER_PIN)  # redeemed 1,000
    assert (s1.quote.due_fen, s1.points_earned, s1.guide_points) == (11300, 226, 11)
    s2 = checkout.checkout(ctx, staff_id=staff.cashier, items=[("LEMON-TEA", 1)], tender={"cash": 2000})
    assert s2.change_fen == 800
    # m2's first purchase: 18 points, and m1's referral bonus of 200
    s3 = checkout.checkout(ctx, staff_id=staff.cashier, member_id=m2.member_id, items=[("MILKTEA-L", 1)],
                           tender={"card": 1800})
    assert (s3.points_earned, s3.referral_bonus) == (18, 200)
    monkeypatch.setattr(points.secrets, "randbits", lambda _bits: 153)
    points.lottery_draw(ctx, staff_id=staff.cashier, member_id=m1.member_id, lottery_id="LOTTO-1",
                        member_pin=MEMBER_PIN)  # redeemed 100, issued 168
    points.donate(ctx, staff_id=staff.cashier, member_id=m1.member_id, points=50, member_pin=MEMBER_PIN)
    points.adjust(ctx, staff_id=staff.cashier, member_id=m2.member_id, points=30, reason="goodwill",
                  approver_pin=staff.manager_pin)  # issued 30
    points.adjust(ctx, staff_id=staff.cashier, member_id=m1.member_id, points=-20, reason="double scan",
                  approver_pin=staff.manager_pin)  # reversed 20
    redeem.redeem_gift(ctx, staff_id=staff.cashier, member_id=m1.member_id, gift_id="GIFT-CUP",
                       member_pin=MEMBER_PIN)  # redeemed 800, cup stock 39
    redeem.redeem_gift(ctx, staff_id=staff.cashier, member_id=m1.member_id, gift_id="GIFT-TEABAG", qty=2,
                       member_pin=MEMBER_PIN, hand_over=False)  # held: not redeemed yet; tea bags 118
    refunds.refund(ctx, staff_id=staff.cashier, sale=s3.sale_id, reason="wrong size",
                   approver_pin=staff.manager_pin)  # 18.00 back, 18 points and m1's 200 bonus reversed
    return m1, m2


def test_daily_report_figures_match_the_days_use_cases(ctx, known_day):
    rep = reports.day_report(ctx, DAY2)
    assert (rep.first_day, rep.last_day) == (DAY2, DAY2)
    assert (rep.sales_count, rep.sales_fen) == (3, 11300 + 1200 + 1800)
    assert rep.tender == {"cash": 11300 + 1200, "card": 1800}
    assert (rep.refunds_count, rep.refunds_fen) == (1, 1800)
    assert rep.points_issued == 5000 + 226 + 11 + 18 + 200 + 168 + 30
    assert rep.points_redeemed == 400 + 400 + 1000 + 100 + 800
    assert (rep.points_reversed, rep.points_donated, rep.points_expired) == (18 + 20 + 200, 50, 0)
    assert (rep.new_members, rep.coupons_sold, rep.coupons_used, rep.redemptions) == (2, 2, 1, 2)
    stock = stock_of(rep)
    assert stock == {gid: {"GIFT-CUP": 39, "GIFT-TEABAG": 118}.get(gid, n) for gid, *_, n, _l, _t in GIFTS}


def test_report_days_are_the_stores_local_days(ctx, staff, clock, known_day):
    seed_day = reports.day_report(ctx, DAY1)
    assert (seed_day.sales_count, seed_day.new_members, seed_day.refunds_count) == (5, len(MEMBERS), 0)
    both = reports.day_report(ctx, DAY2, DAY1)  # a range, given either way round
    assert (both.first_day, both.last_day, both.sales_count, both.new_members) == (DAY1, DAY2, 8, 7)
    assert both.points_issued == seed_day.points_issued + reports.day_report(ctx, DAY2).points_issued
    # 23:59:59 in Shanghai is still 26 November; a second later is the 27th
    clock.now = datetime(2026, 11, 26, 15, 59, 59)
    checkout.checkout(ctx, staff_id=staff.cashier, items=[("BAG-PAPER", 1)])
    clock.advance(seconds=1)
    checkout.checkout(ctx, staff_id=staff.cashier, items=[("BAG-PAPER", 2)])
    assert reports.day_report(ctx, DAY2).sales_count == 4
    third = reports.day_report(ctx)  # default: the store's today, which is now the 27th
    assert (third.first_day, third.sales_count, third.sales_fen) == (date(2026, 11, 27), 1, 100)
    empty = reports.day_report(ctx, date(2026, 11, 20))
    assert (empty.sales_count, empty.points_issued, empty.new_members, empty.tender) == (0, 0, 0, {})


def test_expired_points_are_reported_on_the_day_the_job_ran(ctx, clock, demo_members):
    held = sum(rows(ctx, "SELECT COALESCE(SUM(remaining), 0) FROM lots")[0])
    clock.advance(days=365)  # 2027-11-25 10:00 in Shanghai: every seed lot is due
    assert points.expire_due(ctx) == held
    rep = reports.day_report(ctx, date(2027, 11, 25))
    assert rep.points_expired == held and rep.sales_count == 0


def test_report_writes_nothing(ctx, known_day, db_snapshot):
    before = db_snapshot(ctx)
    reports.day_report(ctx, DAY1, DAY2)
    reports.check_ledger(ctx)
    assert db_snapshot(ctx) == before


def test_ledger_check_is_clean_after_the_day(ctx, known_day):
    check = reports.check_ledger(ctx)
    assert check.ok and check.events > 0 and check.seq_gaps == 0


def test_member_statement_balance_tier_history_and_expiring_soon(ctx, staff, clock, new_member, top_up):
    m = new_member()
    top_up(m.member_id, 100)  # expires 2027-11-25 02:00 UTC, 10:00 in Shanghai
    clock.advance(days=200)
    sale = checkout.checkout(ctx, staff_id=staff.cashier, member_id=m.member_id, items=[("TEA-PUER", 4)])
    assert (sale.points_earned, sale.tier_after) == (1072, "silver")  # no tea week any more
    points.donate(ctx, staff_id=staff.cashier, member_id=m.member_id, points=30, member_pin=MEMBER_PIN)
    clock.now = START + timedelta(days=340)
    st = members.member_statement(ctx, m.member_id)
    assert (st.member.member_id, st.member.tier) == (m.member_id, "silver")
    assert (st.balance, st.spendable, st.locked, st.debt, st.agent_points) == (1142, 1142, 0, 0, 0)
    # the 100-point lot (30 of it donated) expires within 30 days; the sale's lot does not
    assert st.expiring_soon == [(datetime(2027, 11, 25), 70)]
    assert [(h.kind, h.points) for h in st.history] == [
        ("donation", -30), ("tier_change", 0), ("earn", 1072), ("label_earn", 100), ("member_register", 0)]
    assert st.history[0].at == START + timedelta(days=200) and st.history[-1].at == START
    assert [h.kind for h in members.member_statement(ctx, m.member_id, history_limit=2).history] == [
        "donation", "tier_change"]
    clock.now = START + timedelta(days=365)  # the lot is past expiry: nothing "soon", nothing spendable from it
    st = members.member_statement(ctx, m.member_id)
    assert (st.balance, st.spendable, st.expiring_soon) == (1142, 1072, [])


def test_expiring_soon_groups_by_the_stores_local_day(ctx, staff, clock, new_member, top_up):
    m = new_member()
    clock.now = datetime(2026, 11, 25, 17, 30)  # 01:30 on the 26th in Shanghai
    top_up(m.member_id, 10)
    clock.now = datetime(2026, 11, 25, 18, 0)  # 02:00 on the 26th
    top_up(m.member_id, 20)
    clock.now = datetime(2027, 11, 10)
    st = members.member_statement(ctx, m.member_id)
    assert st.expiring_soon == [(datetime(2027, 11, 26), 30)]


def test_statement_shows_debt_agent_points_and_locked_points(ctx, staff, clock, demo_members, new_member):
    from dbcheck import set_rules
    referrer = demo_members["13800138000"]
    assert members.member_statement(ctx, referrer.member_id).agent_points == 800  # referred the other four
    set_rules(ctx, lock_days=7)
    m = new_member()
    sale = checkout.checkout(ctx, staff_id=staff.cashier, member_id=m.member_id, items=[("LEMON-TEA", 1)])
    st = members.member_statement(ctx, m.member_id)
    assert (st.balance, st.spendable, st.locked) == (12, 0, 12)
    clock.advance(days=366)
    points.expire_due(ctx)
    refunds.refund(ctx, staff_id=staff.cashier, sale=sale.sale_id, reason="late", approver_pin=staff.manager_pin)
    st = members.member_statement(ctx, m.member_id)
    assert (st.balance, st.debt) == (0, 12)
    assert st.history[0].kind == "reverse" and st.history[0].points == 0  # it all went to debt


def test_statement_of_an_unknown_member_is_refused(ctx, refused):
    refused("member.unknown", members.member_statement, "no-such-member")
    refused("member.unknown", members.member_statement, "")


def test_statement_balance_is_the_ledgers(ctx, demo_members):
    for m in demo_members.values():
        st = members.member_statement(ctx, m.member_id)
        assert st.balance == rows(ctx, "SELECT COALESCE(SUM(amount), 0) FROM postings WHERE account = :a",
                                  a=L.member_account(m.member_id))[0][0]


# -- the command line ------------------------------------------------------------------
def cli(tmp_path, *args, check=True):
    proc = subprocess.run([sys.executable, "-m", "pos_app", "--data", str(tmp_path), *args],
                          capture_output=True, text=True, timeout=120)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_cli_report_for_a_given_day_and_range(tmp_path):
    cli(tmp_path, "status")  # first start: demo data, with its sales today
    today = json.loads(cli(tmp_path, "report", "--json").stdout)
    day = today["first_day"]
    assert today["sales_count"] == 5 and today["new_members"] == 5
    on_day = json.loads(cli(tmp_path, "report", "--day", day, "--json").stdout)
    assert on_day == today
    other = (date.fromisoformat(day) - timedelta(days=30)).isoformat()
    empty = json.loads(cli(tmp_path, "report", "--day", other, "--json").stdout)
    assert (empty["first_day"], empty["sales_count"], empty["points_issued"]) == (other, 0, 0)
    span = json.loads(cli(tmp_path, "report", "--day", other, "--to", day, "--json").stdout)
    assert (span["first_day"], span["last_day"], span["sales_count"]) == (other, day, 5)
    text = cli(tmp_path, "report", "--day", day).stdout
    assert f"Report {day}" in text and "sales               5" in text
    assert "GIFT-CUP" in text and f"points issued  {today['points_issued']:6d}" in text


def test_a_refund_counts_on_the_day_it_was_made_not_the_sales_day(ctx, staff, clock, known_day):
    m1, _ = known_day
    sale = checkout.checkout(ctx, staff_id=staff.cashier, member_id=m1.member_id, items=[("LEMON-TEA", 1)])
    day2 = reports.day_report(ctx, DAY2)
    clock.advance(days=1)
    refunds.refund(ctx, staff_id=staff.cashier, sale=sale.receipt_no, reason="next-day return",
                   approver_pin=staff.manager_pin)
    day3 = reports.day_report(ctx, DAY2 + timedelta(days=1))
    assert (day3.sales_count, day3.refunds_count, day3.refunds_fen, day3.points_reversed) == (0, 1, 1200, 12)
    again = reports.day_report(ctx, DAY2)
    assert (again.refunds_count, again.points_reversed, again.sales_count) == (
        day2.refunds_count, day2.points_reversed, day2.sales_count)


def test_cancelled_redemptions_and_returned_points_are_shown_beside_the_gross(ctx, staff, known_day):
    m1, _ = known_day
    before = reports.day_report(ctx, DAY2)
    assert (before.points_returned, before.redemptions_cancelled) == (0, 0)
    made = redeem.member_redemptions(ctx, m1.member_id)
    cup = next(r for r in made if r.gift_id == "GIFT-CUP")
    bags = next(r for r in made if r.gift_id == "GIFT-TEABAG")
    redeem.cancel_redemption(ctx, staff_id=staff.cashier, redemption_id=cup.redemption_id,
                             approver_pin=staff.manager_pin, reason="changed mind")  # handed over: 800 back
    redeem.cancel_redemption(ctx, staff_id=staff.cashier, redemption_id=bags.redemption_id,
                             approver_pin=staff.manager_pin, reason="never collected")  # held: released
    after = reports.day_report(ctx, DAY2)
    assert after.points_redeemed == before.points_redeemed  # gross: what was redeemed that day
    assert (after.points_returned, after.redemptions, after.redemptions_cancelled) == (800, 2, 2)
