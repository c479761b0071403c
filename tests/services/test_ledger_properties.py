"""Random sequences of the real use cases on a real SQLite store, with the ledger's
invariants checked by SQL after every step:

- every event's postings sum to zero; every balance equals the sum of its postings;
- no lot's remaining is below zero or above its amount, and a holder's balance is the
  sum of its lots' remaining;
- refunds never reverse more than a sale line earned (nor more money, points-as-cash or
  guide points than it had), and a wholly refunded line reverses exactly what it earned;
- device sequence numbers are gapless with one outbox row per event;
- gift stock and held points agree with the redemptions;
- a refused call changes nothing at all (whole-database snapshot before and after).

Each example starts from a copy of one seeded database, so the examples stay cheap.
"""

from __future__ import annotations

import atexit
import itertools
import json
import shutil
import tempfile
from collections import defaultdict
from pathlib import Path

from argon2 import PasswordHasher
from dbcheck import MEMBER_PIN, Clock, Staff, dump_db
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import text

from pos_app.domain import ledger as L
from pos_app.domain.problems import Refused
from pos_app.services import checkout, members, points, redeem, refunds, reports, tiers
from pos_app.services.context import PinGuard
from pos_app.services.demo import DEMO_PINS, GIFTS, MEMBERS, seed_demo
from pos_app.services.setup import open_store

STAFF = Staff()
SKUS = ["TEA-OOLONG", "TEA-JASMINE", "MILKTEA-L", "LEMON-TEA", "SNACK-NUTS", "MUG-LOGO", "CIG-DEMO", "BAG-PAPER"]
GIFT_IDS = ["GIFT-TEABAG", "GIFT-TEABAG", "GIFT-CUP", "GIFT-CUP", "GIFT-UMBRELLA", "GIFT-CANVAS"]
INITIAL_STOCK = {gid: stock for gid, _name, _cost, _copay, stock, _limit, _tier in GIFTS}
# Same PINs, cheaper argon2 parameters (verify reads them from the hash): the lockout,
# not the hash cost, is what protects a PIN, and 750 steps should not spend a minute hashing.
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)

_template: Path | None = None


def template() -> Path:
    """One seeded store database, made once per test session and copied per example."""
    global _template
    if _template is None:
        folder = Path(tempfile.mkdtemp(prefix="ledger-props-"))
        atexit.register(shutil.rmtree, folder, True)
        ctx = open_store(folder, clock=Clock())
        seed_demo(ctx)
        with ctx.db.write() as conn:
            for staff_id, role in ((STAFF.manager, "manager"), (STAFF.cashier, "cashier"), (STAFF.guide, "guide")):
                conn.execute(text("UPDATE staff SET pin_hash = :h WHERE staff_id = :s"),
                             {"h": CHEAP.hash(DEMO_PINS[role]), "s": staff_id})
            conn.execute(text("UPDATE members SET pin_hash = :h"), {"h": CHEAP.hash(MEMBER_PIN)})
        for n, (phone, _) in enumerate(MEMBERS):  # points to spend from the first step
            points.label_earn(ctx, staff_id=STAFF.cashier, member_id=members.find_member(ctx, phone).member_id,
                              serial=f"PROPS000-{n:06d}", sku="TEA-OOLONG", points=5000)
        ctx.db.close()  # the last connection's close checkpoints the WAL into the file
        _template = folder / "store.sqlite3"
    return _template


def q(ctx, sql: str, **params) -> list[tuple]:
    with ctx.db.read() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params).all()]


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="ledger-ex-"))
        src = template()
        shutil.copy(src, self.folder / "store.sqlite3")
        wal = src.with_name(src.name + "-wal")
        if wal.exists():  # should have been checkpointed away on close; if not, it is part of the copy
            shutil.copy(wal, self.folder / wal.name)
        self.clock = Clock()
        self.ctx = open_store(self.folder, clock=self.clock)
        ticks = itertools.count(0, 10_000)  # every PIN check is "much later": no lockouts here
        self.ctx.pins = PinGuard(monotonic=lambda: float(next(ticks)))
        self.members: list[str] = []
        self.sales: list[str] = []
        self.phones = itertools.count(1)
        self.serials = itertools.count(1)
        self.refused = 0
        self.done = 0

    def teardown(self):
        self.ctx.db.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    @initialize()
    def demo_members(self):
        self.members = [members.find_member(self.ctx, phone).member_id for phone, _ in MEMBERS]
        self.sales = [r[0] for r in q(self.ctx, "SELECT sale_id FROM sales ORDER BY created_at, receipt_no")]

    # -- calling a use case: accepted, or refused with nothing changed ------------------
    def call(self, fn, /, **kwargs):
        before = dump_db(self.ctx)
        try:
            out = fn(self.ctx, **kwargs)
        except Refused as err:
            assert err.problems and all(p.code and p.message for p in err.problems)
            after = dump_db(self.ctx)
            changed = [name for name in before if before[name] != after.get(name)]
            assert not changed, f"{fn.__name__} was refused ({err.codes}) but changed {changed}"
            self.refused += 1
            return None
        self.done += 1
        return out

    def member(self, i: int) -> str:
        return self.members[i % len(self.members)]

    def code(self, member_id: str) -> str:
        """A fresh dynamic code from the member's phone (a phone key the store trusts is
        made on first use; the clock moves one 30 s step so each code is new)."""
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        from pos_app.scanner.formats import dynamic_member_payload, public_bytes
        from pos_app.store import repos

        keys = self.__dict__.setdefault("phone_keys", {})
        if member_id not in keys:
            keys[member_id] = Ed25519PrivateKey.generate()
            with self.ctx.db.write() as conn:
                repos.trust_member_key(conn, member_id, public_bytes(keys[member_id]))
        self.clock.advance(seconds=30)
        return dynamic_member_payload(member_id, keys[member_id], self.clock.now)

    def debt(self, member_id: str) -> int:
        return members.member_statement(self.ctx, member_id, history_limit=0).debt

    def spendable(self, member_id: str) -> int:
        return members.member_statement(self.ctx, member_id, history_limit=0).spendable

    # -- rules -------------------------------------------------------------------------
    @rule(referred=st.booleans(), i=st.integers(0, 99))
    def register(self, referred, i):
        referrer = None
        if referred:
            referrer = q(self.ctx, "SELECT referral_code FROM members WHERE member_id = :m", m=self.member(i))[0][0]
        m = self.call(members.register_member, staff_id=STAFF.cashier, phone=f"1370000{next(self.phones):04d}",
                      name="会员", referrer_code=referrer)
        if m:
            self.members.append(m.member_id)

    @rule(i=st.integers(0, 99), points_=st.sampled_from([8, 28, 68, 500, 3000]))
    def label_earn(self, i, points_):
        member_id = self.member(i)
        owed = self.debt(member_id)
        if self.call(points.label_earn, staff_id=STAFF.cashier, member_id=member_id,
                     serial=f"PROPS001-{next(self.serials):06d}", sku="TEA-OOLONG", points=points_) is not None:
            assert self.debt(member_id) == max(0, owed - points_)

    @rule(i=st.integers(0, 99))
    def label_twice(self, i):
        """A serial already claimed is refused."""
        claimed = q(self.ctx, "SELECT serial FROM label_claims LIMIT 1")
        if claimed:
            self.call(points.label_earn, staff_id=STAFF.cashier, member_id=self.member(i), serial=claimed[0][0],
                      sku="TEA-OOLONG", points=8)

    @rule(i=st.integers(0, 99), anonymous=st.booleans(), guide=st.booleans(),
          items=st.lists(st.tuples(st.sampled_from(SKUS), st.integers(1, 3)), min_size=1, max_size=3),
          cash_pct=st.sampled_from([0, 0, 50, 100, 150]), use_coupon=st.booleans())
    def sale(self, i, anonymous, guide, items, cash_pct, use_coupon):
        member_id = None if anonymous else self.member(i)
        coupons = []
        if use_coupon and member_id:
            coupons = [c for (c,) in q(self.ctx, "SELECT code FROM coupons WHERE member_id = :m AND status = 'active'"
                                                 " ORDER BY code LIMIT 1", m=member_id)]
        cash_points = 0
        if member_id and cash_pct:
            try:
                due = checkout.price_cart(self.ctx, items=items, member_id=member_id, coupons=coupons).due_fen
            except Refused:
                due = 0
            # up to the 50% share (or past it: 150 asks for too much and must be refused)
            cash_points = min(self.spendable(member_id), due // 2 * cash_pct // 100) // 100 * 100
            if cash_pct > 100:
                cash_points = max(cash_points, due // 2 // 100 * 100 + 100)
        owed = self.debt(member_id) if member_id else 0
        sale = self.call(checkout.checkout, staff_id=STAFF.cashier, items=items, member_id=member_id,
                         coupons=coupons, cash_points=cash_points, guide_id=STAFF.guide if guide else None,
                         member_pin=MEMBER_PIN)
        if sale:
            self.sales.append(sale.sale_id)
            if member_id:  # earnings repay debt first
                assert self.debt(member_id) == max(0, owed - sale.points_earned)

    @rule(s=st.integers(0, 999), whole=st.booleans(), parts=st.lists(st.tuples(st.integers(1, 4), st.integers(0, 3)),
                                                                      min_size=1, max_size=3),
          approval=st.sampled_from(["manager", "manager", "manager", "wrong", "none"]))
    def refund(self, s, whole, parts, approval):
        sale_id = self.sales[s % len(self.sales)]
        pin = {"manager": STAFF.manager_pin, "wrong": STAFF.cashier_pin, "none": None}[approval]
        done = self.call(refunds.refund, staff_id=STAFF.cashier, sale=sale_id, lines=None if whole else dict(parts),
                         reason="property test", approver_pin=pin)
        if done and done.debt_added:
            # only points truly gone become debt: the member has no unexpired points left
            member_id = q(self.ctx, "SELECT member_id FROM sales WHERE sale_id = :s", s=sale_id)[0][0]
            assert q(self.ctx, "SELECT COALESCE(SUM(remaining), 0) FROM lots WHERE account = :a AND expires_at > :n",
                     a=L.member_account(member_id), n=self.clock.now) == [(0,)]

    @rule(i=st.integers(0, 99), gift=st.sampled_from(GIFT_IDS), qty=st.integers(1, 2), hand_over=st.booleans())
    def redeem_hold(self, i, gift, qty, hand_over):
        self.call(redeem.redeem_gift, staff_id=STAFF.cashier, member_id=self.member(i), gift_id=gift, qty=qty,
                  member_code=self.code(self.member(i)), hand_over=hand_over)

    @rule(r=st.integers(0, 999), any_status=st.booleans())
    def redeem_post(self, r, any_status):
        held = q(self.ctx, "SELECT pickup_code FROM redemptions WHERE status = 'held' OR :a "
                           "ORDER BY created_at, redemption_id", a=any_status)
        if held:
            # a closed redemption's code is refused: that is checked too
            self.call(redeem.write_off_pickup, staff_id=STAFF.cashier, pickup_code=held[r % len(held)][0])

    @rule(r=st.integers(0, 999))
    def redeem_void(self, r):
        found = q(self.ctx, "SELECT redemption_id FROM redemptions ORDER BY created_at, redemption_id")
        if found:
            self.call(redeem.cancel_redemption, staff_id=STAFF.cashier, redemption_id=found[r % len(found)][0],
                      approver_pin=STAFF.manager_pin, reason="property test")

    @rule(i=st.integers(0, 99), amount=st.sampled_from([-5000, -500, -50, -1, 1, 50, 500]),
          approval=st.sampled_from(["manager", "manager", "wrong"]))
    def adjust(self, i, amount, approval):
        self.call(points.adjust, staff_id=STAFF.cashier, member_id=self.member(i), points=amount,
                  reason="property test", approver_pin=STAFF.manager_pin if approval == "manager" else "0000")

    @rule(days=st.sampled_from([0, 1, 7, 30, 200, 366]), hours=st.integers(0, 23))
    def expire(self, days, hours):
        self.clock.advance(days=days, hours=hours)
        self.call(points.expire_due, staff_id=STAFF.manager)

    @rule(i=st.integers(0, 99))
    def lottery(self, i):
        self.call(points.lottery_draw, staff_id=STAFF.cashier, member_id=self.member(i), lottery_id="LOTTO-1",
                  member_code=self.code(self.member(i)))

    @rule(i=st.integers(0, 99), amount=st.integers(-1, 400), proof=st.sampled_from(["code", "code", "pin", "wrong"]))
    def donation(self, i, amount, proof):
        self.call(points.donate, staff_id=STAFF.cashier, member_id=self.member(i), points=amount,
                  member_pin={"pin": MEMBER_PIN, "wrong": "000000"}.get(proof),
                  member_code=self.code(self.member(i)) if proof == "code" else None)

    @rule(i=st.integers(0, 99), ctype=st.sampled_from(["CPN-5", "CPN-10PCT", "CPN-20"]))
    def buy_coupon(self, i, ctype):
        self.call(points.buy_coupon, staff_id=STAFF.cashier, member_id=self.member(i), type_id=ctype,
                  member_code=self.code(self.member(i)))

    @rule()
    def unknown_member(self):
        self.call(points.donate, staff_id=STAFF.cashier, member_id="no-such-member", points=1,
                  member_code=self.code(self.member(0)))

    @rule()
    def reevaluate_tiers(self):
        tiers.reevaluate_tiers(self.ctx)

    # -- invariants, by SQL ------------------------------------------------------------
    @invariant()
    def postings_sum_to_zero_per_event(self):
        assert q(self.ctx, "SELECT event_id, SUM(amount) FROM postings GROUP BY event_id HAVING SUM(amount) <> 0") == []
        assert q(self.ctx, "SELECT COUNT(*) FROM postings WHERE amount = 0") == [(0,)]

    @invariant()
    def balances_equal_their_postings(self):
        mismatched = q(self.ctx, """
            SELECT b.account, b.balance, COALESCE(p.total, 0) FROM balances b
            LEFT JOIN (SELECT account, SUM(amount) AS total FROM postings GROUP BY account) p USING (account)
            WHERE b.balance <> COALESCE(p.total, 0)
            UNION ALL
            SELECT p.account, NULL, SUM(p.amount) FROM postings p
            WHERE p.account NOT IN (SELECT account FROM balances) GROUP BY p.account""")
        assert mismatched == []

    @invariant()
    def lots_stay_within_their_amount_and_make_up_holder_balances(self):
        assert q(self.ctx, "SELECT lot_id, amount, remaining FROM lots WHERE remaining < 0 OR remaining > amount "
                           "OR amount <= 0") == []
        assert q(self.ctx, """
            SELECT b.account, b.balance, COALESCE(l.total, 0) FROM balances b
            LEFT JOIN (SELECT account, SUM(remaining) AS total FROM lots GROUP BY account) l USING (account)
            WHERE (b.account LIKE 'member:%' OR b.account LIKE 'staff:%') AND b.balance <> COALESCE(l.total, 0)
            UNION ALL
            SELECT l.account, NULL, SUM(l.remaining) FROM lots l
            WHERE l.account NOT IN (SELECT account FROM balances) GROUP BY l.account HAVING SUM(l.remaining) <> 0
            """) == []
        assert q(self.ctx, "SELECT account, balance FROM balances WHERE "
                           "(account LIKE 'member:%' OR account LIKE 'staff:%') AND balance < 0") == []
        assert q(self.ctx, "SELECT account, balance FROM balances WHERE account LIKE 'debt:%' AND balance > 0") == []

    @invariant()
    def refunds_never_reverse_more_than_was_earned(self):
        over = q(self.ctx, """SELECT sale_id, line_no FROM sale_lines
                              WHERE refunded_qty > qty OR refunded_points > points OR refunded_fen > paid_fen
                                 OR refunded_cash_points > cash_points OR refunded_qty < 0 OR refunded_points < 0
                                 OR (refunded_qty = qty AND (refunded_points <> points OR refunded_fen <> paid_fen
                                                             OR refunded_cash_points <> cash_points))""")
        assert over == []
        # the same from the ledger's side: the reversal events, line by line
        earned = {(s, n): p for s, n, p in q(self.ctx, "SELECT sale_id, line_no, points FROM sale_lines")}
        cash = {s: p for s, p in q(self.ctx, "SELECT sale_id, cash_points FROM sales")}
        guide = {s: (p, r) for s, p, r in q(self.ctx, "SELECT sale_id, guide_points, guide_reversed FROM sales")}
        reversed_points: dict = defaultdict(int)
        returned: dict = defaultdict(int)
        guide_back: dict = defaultdict(int)
        for (raw,) in q(self.ctx, "SELECT payload FROM events WHERE kind = 'reverse'"):
            p = json.loads(raw)
            if p.get("of") == "earn":
                assert p["points"] == sum(pts for _, pts in p["lines"])
                for line_no, pts in p["lines"]:
                    reversed_points[(p["sale_id"], line_no)] += pts
            elif p.get("of") == "points_as_cash":
                returned[p["sale_id"]] += p["points_returned"]
            elif p.get("of") == "guide":
                guide_back[p["sale_id"]] += p["points"]
        for key, pts in reversed_points.items():
            assert 0 <= pts <= earned[key], (key, pts, earned[key])
        assert all(0 < pts <= cash[s] for s, pts in returned.items())
        assert all(pts == guide[s][1] <= guide[s][0] for s, pts in guide_back.items())
        recorded = dict(((s, n), r) for s, n, r in q(self.ctx, "SELECT sale_id, line_no, refunded_points "
                                                               "FROM sale_lines WHERE refunded_points > 0"))
        assert recorded == {k: v for k, v in reversed_points.items() if v}

    @invariant()
    def events_are_gapless_with_one_outbox_row_each(self):
        assert q(self.ctx, "SELECT COUNT(*), COALESCE(MAX(device_seq), 0), COUNT(DISTINCT device_seq) FROM events") == \
            [(n, n, n) for (n,) in q(self.ctx, "SELECT COUNT(*) FROM events")]
        assert q(self.ctx, "SELECT COUNT(*) FROM events e LEFT JOIN outbox o USING (event_id) "
                           "WHERE o.device_seq IS NULL OR o.device_seq <> e.device_seq") == [(0,)]

    @invariant()
    def gift_stock_and_held_points_match_the_redemptions(self):
        out = dict(q(self.ctx, "SELECT gift_id, SUM(qty) FROM redemptions WHERE status IN ('held', 'picked_up') "
                               "GROUP BY gift_id"))
        for gift_id, stock in q(self.ctx, "SELECT gift_id, stock FROM gifts"):
            assert stock >= 0 and stock + out.get(gift_id, 0) == INITIAL_STOCK[gift_id], gift_id
        held = q(self.ctx, "SELECT COALESCE(SUM(points), 0) FROM redemptions WHERE status = 'held'")[0][0]
        assert q(self.ctx, "SELECT COALESCE(SUM(balance), 0) FROM balances WHERE account = :a",
                 a=L.suspense(self.ctx.who.store_id))[0][0] == held

    @invariant()
    def coupons_used_only_by_a_live_sale(self):
        assert q(self.ctx, """SELECT c.code FROM coupons c LEFT JOIN sales s ON s.sale_id = c.used_sale
                              WHERE (c.status = 'used') <> (s.sale_id IS NOT NULL)
                                 OR (s.sale_id IS NOT NULL
                                     AND NOT EXISTS (SELECT 1 FROM sale_lines l WHERE l.sale_id = s.sale_id
                                                     AND l.refunded_qty < l.qty))""") == []

    @invariant()
    def check_with_the_services_own_check(self):
        assert reports.check_ledger(self.ctx).ok


LedgerMachine.TestCase.settings = settings(max_examples=25, stateful_step_count=30, deadline=None,
                                           suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.filter_too_much])
TestLedgerProperties = LedgerMachine.TestCase


def test_the_machine_both_accepts_and_refuses():
    """A smoke run of one fixed sequence: the rules do real work, not only refusals."""
    m = LedgerMachine()
    try:
        m.demo_members()
        m.label_earn(0, 3000)
        m.sale(0, False, True, [("TEA-OOLONG", 2), ("MILKTEA-L", 1)], 100, False)
        m.buy_coupon(0, "CPN-5")
        m.sale(0, False, False, [("TEA-OOLONG", 1)], 50, True)
        m.refund(len(m.sales) - 1, True, [(1, 1)], "manager")
        m.refund(len(m.sales) - 2, False, [(1, 1)], "manager")
        m.refund(len(m.sales) - 2, False, [(1, 5)], "manager")  # more than is left: refused
        m.redeem_hold(0, "GIFT-CUP", 1, False)
        m.redeem_void(0)
        m.expire(366, 0)
        m.refund(len(m.sales) - 2, True, [(1, 1)], "manager")  # after expiry: debt
        for check in (m.postings_sum_to_zero_per_event, m.balances_equal_their_postings,
                      m.lots_stay_within_their_amount_and_make_up_holder_balances,
                      m.refunds_never_reverse_more_than_was_earned, m.events_are_gapless_with_one_outbox_row_each,
                      m.gift_stock_and_held_points_match_the_redemptions, m.coupons_used_only_by_a_live_sale,
                      m.check_with_the_services_own_check):
            check()
        assert m.done >= 10 and m.refused >= 1
        assert q(m.ctx, "SELECT COUNT(*) FROM coupons WHERE status = 'active'") == [(1,)]  # given back
    finally:
        m.teardown()
