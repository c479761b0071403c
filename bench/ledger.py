"""Ledger speed at scale: checkout and balance reads on a store holding N events.

    python -m bench.ledger --events 1000000 [--checkouts 500] [--reads 5000] [--dir DIR [--reuse]] [--keep]

Builds a store database (a file in a temp folder: real Alembic migrations, WAL,
synchronous=FULL, the demo catalogue and staff) and fills it with N mixed events over
about 10,000 members: sales (earn, points-as-cash, guide points, coupons applied, tier
upgrades, referral bonuses), label earns, coupon purchases, lottery draws, donations,
manager adjustments, gift redemptions (hold + post), whole-sale refunds (reverse, with
member debt when the points were spent), expiries and member edits. The fill runs the
domain's own functions (pricing.quote, entries.earn/spend/expire/...) and stamps events
with ledger_repo.stamp, then inserts the rows with executemany (secondary indexes dropped
for the fill and rebuilt from their own DDL after), so the result is a valid
ledger: postings sum to zero per event, balances equal the sum of postings, lots'
remaining equal holder balances, one outbox row per event with gapless device_seq.
`check_store` verifies that at the end (``ledger_ok``).

Then it measures, on that database through the services:

- checkout_p50_ms / checkout_p99_ms: the full checkout use case (services.checkout),
  each one its own committed transaction with synchronous=FULL; random members and
  baskets, some paying with points, some with a coupon, some crediting the guide
  (after 20 untimed ones: the first sales after start compile the statements).
- balance_p50_ms / balance_p99_ms: one member's balance as the UI's services read it
  (ledger_repo.balance in its own read transaction), random members.
- balance_ratio: median balance read at N events over the median on a 10,000-event
  store built the same way (with 1,000 members: 10,000 events cannot spread over
  10,000); reads interleaved between the two stores so machine noise hits both alike.
- statement_p50_ms / statement_p99_ms: the member panel's whole statement
  (services.members.member_statement: balance, lots, 50 history lines), for context.
- To read the latencies on a shared machine: checkout_cpu_p50/p99_ms (this process's
  CPU time per checkout), disk_fsync_p50/p99_ms (a bare 4 KiB write + fdatasync in the
  same folder, before and after the checkouts: the floor under any synchronous=FULL
  commit) and load_avg.

Prints one JSON line, last.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

from pos_app.domain import entries as E
from pos_app.domain import ledger as L
from pos_app.domain.codes import key_id_for
from pos_app.domain.coupons import Coupon, CouponStatus
from pos_app.domain.ids import new_id
from pos_app.domain.ledger import Entry, Kind
from pos_app.domain.lots import Lot, spendable_total
from pos_app.domain.members import card_no_for, referral_code_for
from pos_app.domain.pricing import CartLine, quote
from pos_app.domain.problems import Problem, Refused
from pos_app.domain.tiers import after_sale, by_code, window_start
from pos_app.services import checkout as checkout_uc
from pos_app.services import members as members_uc
from pos_app.services.context import StoreContext, utcnow
from pos_app.services.demo import CASHIER_ID, COUPON_TYPES, GIFTS, GUIDE_ID, MANAGER_ID, PRODUCTS, seed_demo
from pos_app.services.setup import open_store
from pos_app.store import ledger_repo, repos

BASELINE_EVENTS = 10_000
HISTORY_DAYS = 540  # longer than the 365-day expiry, so lots expire (expire events) before the end
CHUNK = 50_000  # events per insert transaction during the fill
LOCAL = timedelta(hours=8)  # the demo store's day (Asia/Shanghai) for the daily cap

# Bulk-loaded tables whose secondary indexes are dropped during the fill and rebuilt after.
BULK_TABLES = ("events", "postings", "lots", "outbox", "sales", "sale_lines", "coupons", "label_claims",
               "redemptions", "refunds")


def ts(dt: datetime) -> str:
    """A naive UTC datetime as SQLAlchemy's SQLite DateTime stores it."""
    return dt.isoformat(" ", "microseconds")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


# -- the fill ------------------------------------------------------------------------------
class _Member:
    __slots__ = ("member_id", "tier", "first_purchase_at", "referred_by", "lots", "agent_lots", "debt", "spend",
                 "coupons", "sales", "earned_day")

    def __init__(self, member_id: str, referred_by: str | None):
        self.member_id = member_id
        self.tier = "basic"
        self.first_purchase_at: datetime | None = None
        self.referred_by = referred_by
        self.lots: list[str] = []  # live consumer lot ids
        self.agent_lots: list[str] = []
        self.debt = 0  # points owed (>= 0)
        self.spend: list[tuple[datetime, int]] = []  # (sale time, due) for the tier window
        self.coupons: list[str] = []  # active coupon codes
        self.sales: list[dict] = []  # recent refundable sales (no points-as-cash, no guide)
        self.earned_day: tuple[object, int] = (None, 0)


class Filler:
    """Generates events in time order and writes them in chunks with executemany."""

    def __init__(self, ctx: StoreContext, raw: sqlite3.Connection, *, members: int, rng: random.Random):
        self.ctx, self.raw, self.rng = ctx, raw, rng
        self.who = ctx.who
        store = self.who.store_id
        self.issued, self.redeemed = L.store_issued(store), L.store_redeemed(store)
        self.suspense = L.suspense(store)
        with ctx.db.read() as conn:
            self.rules = repos.current_rules(conn)
            self.seq = ledger_repo.next_seq(conn) - 1
            self.balances: dict[str, int] = dict(conn.exec_driver_sql("SELECT account, balance FROM balances").all())
            self.coupon_types = {c.type_id: c for c in repos.coupon_types(conn)}
            self.gift_stock = {g.gift_id: stock for g, stock in repos.all_gifts(conn)}
            self.receipts: dict[str, int] = defaultdict(int)
            for (receipt_no,) in conn.exec_driver_sql("SELECT receipt_no FROM sales").all():
                self.receipts[receipt_no.split("-")[1]] += 1
        self.gifts = {gid: (cost, copay) for gid, _, cost, copay, *_ in GIFTS}
        self.products = [CartLine(sku, name, cat, price, 1) for sku, name, cat, price, _ in PRODUCTS]
        self.n_members = members
        self.members: list[_Member] = []
        self.lots: dict[str, list] = {}  # lot_id -> [lot_id, event_id, account, amount, remaining, avail, expires]
        self.coupons: dict[str, list] = {}  # code -> row
        self.kinds: dict[str, int] = defaultdict(int)
        self._reset_buffers()

    def _reset_buffers(self) -> None:
        self.b_events, self.b_postings, self.b_outbox = [], [], []
        self.b_sales, self.b_lines, self.b_claims, self.b_redemptions, self.b_refunds = [], [], [], [], []
        self.b_sale_updates, self.b_line_updates = [], []

    # -- writing one entry as rows (what ledger_repo.record does, buffered) -------------
    def post(self, entry: Entry, now: datetime, staff_id: str | None = CASHIER_ID) -> str:
        self.seq += 1
        ev = ledger_repo.stamp(entry, who=self.who, seq=self.seq, staff_id=staff_id,
                               rule_version=self.rules.version, now=now)
        t = ts(now)
        self.b_events.append((ev.event_id, ev.device_seq, str(ev.kind), ev.store_id, ev.device_id, t, staff_id,
                              ev.rule_version, ev.member_id, L.canonical_json(ev.payload), ev.payload_hash))
        for p in entry.postings:
            self.b_postings.append((ev.event_id, p.account, p.amount))
            self.balances[p.account] = self.balances.get(p.account, 0) + p.amount
        for g in entry.grants:
            self.lots[g.lot_id] = [g.lot_id, ev.event_id, g.account, g.amount, g.amount, g.available_at,
                                   g.expires_at]
        for take in entry.takes:
            lot = self.lots[take.lot_id]
            lot[4] -= take.amount
            assert 0 <= lot[4] <= lot[3], "a lot went out of bounds"
        self.b_outbox.append((ev.device_seq, ev.event_id))
        self.kinds[str(ev.kind)] += 1
        return ev.event_id

    # -- member state ---------------------------------------------------------------------
    def live_lots(self, ids: list[str]) -> list[Lot]:
        out, keep = [], []
        for lot_id in ids:
            r = self.lots[lot_id]
            if r[4] > 0:
                keep.append(lot_id)
                out.append(Lot(lot_id, r[2], r[4], r[5], r[6]))
        ids[:] = keep
        return out

    def grant_to(self, m: _Member, entry: Entry, agent: bool = False) -> None:
        for g in entry.grants:
            (m.agent_lots if agent else m.lots).append(g.lot_id)
        m.debt -= entry.payload.get("debt_repaid", 0)

    def earn(self, m: _Member, kind: Kind, points: int, now: datetime, payload: dict,
             staff_id: str = CASHIER_ID) -> str:
        entry = E.earn(kind, member_id=m.member_id, points=points, store_id=self.who.store_id, owed=m.debt,
                       lot_id=new_id(), now=now, rules=self.rules, payload=payload)
        event_id = self.post(entry, now, staff_id)
        self.grant_to(m, entry)
        return event_id

    def spend(self, m: _Member, kind: Kind, points: int, to_account: str, now: datetime, payload: dict,
              staff_id: str = CASHIER_ID) -> str | None:
        entry = E.spend(kind, member_id=m.member_id, lots=self.live_lots(m.lots), points=points,
                        to_account=to_account, now=now, payload=payload)
        if isinstance(entry, Problem):
            return None
        return self.post(entry, now, staff_id)

    def spendable(self, m: _Member, now: datetime) -> int:
        return spendable_total(self.live_lots(m.lots), now)

    # -- the mix ----------------------------------------------------------------------------
    def register_all(self, start: datetime) -> None:
        rows, cards = [], set()
        for i in range(self.n_members):
            while True:
                member_id = new_id()
                card = card_no_for(member_id)
                if card not in cards:
                    cards.add(card)
                    break
            referrer = self.members[self.rng.randrange(i)] if i > 10 and self.rng.random() < 0.1 else None
            m = _Member(member_id, referrer.member_id if referrer else None)
            now = start + timedelta(seconds=60 * i)
            phone, name = f"17{i:09d}", f"会员{i:05d}"
            rows.append((member_id, phone, name, "basic", card, referral_code_for(member_id), m.referred_by, ts(now),
                         self.who.store_id, None, None, None, None))
            doc = {"member_id": member_id, "phone": phone, "name": name, "tier": "basic", "card_no": card,
                   "referral_code": referral_code_for(member_id), "referred_by": m.referred_by,
                   "home_store": self.who.store_id, "created_at": now.isoformat(), "pin_hash": None}
            self.post(Entry(Kind.MEMBER_REGISTER, doc, member_id=member_id), now)
            self.members.append(m)
        self.raw.executemany("INSERT INTO members (member_id, phone, name, tier, card_no, referral_code, referred_by,"
                             " created_at, home_store, first_purchase_at, pin_hash, risk_flag, merged_into)"
                             " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)

    def one(self, m: _Member, now: datetime) -> None:
        lots = self.live_lots(m.lots)
        if any(lot.expires_at <= now for lot in lots):
            entry = E.expire(account=L.member_account(m.member_id), lots=lots, now=now, member_id=m.member_id)
            self.post(entry, now, None)
        r = self.rng.random()
        if r < 0.55:
            self.sale(m, now)
        elif r < 0.65:
            serial = new_id().replace("-", "")[:20]
            sku, points = self.rng.choice([("TEA-OOLONG", 50), ("TEA-PUER", 100), ("SNACK-NUTS", 30)])
            event_id = self.earn(m, Kind.LABEL_EARN, points, now, {"serial": serial, "sku": sku, "batch": None})
            self.b_claims.append((serial, sku, points, m.member_id, event_id, ts(now)))
        elif r < 0.73:
            self.buy_coupon(m, now) or self.sale(m, now)
        elif r < 0.77:
            self.lottery(m, now) or self.sale(m, now)
        elif r < 0.80:
            points = self.rng.randint(10, 200)
            self.spend(m, Kind.DONATION, points, L.CHARITY, now, {"charity": "default"}) or self.sale(m, now)
        elif r < 0.84:
            self.adjust(m, now)
        elif r < 0.87:
            self.redeem_gift(m, now) or self.sale(m, now)
        elif r < 0.90:
            self.refund(m, now) or self.sale(m, now)
        elif r < 0.92:
            name = f"会员{self.rng.randrange(100000):05d}"
            self.post(Entry(Kind.MEMBER_PATCH, {"member_id": m.member_id, "fields": {"name": name}},
                            member_id=m.member_id), now)
        else:
            self.sale(m, now)

    def sale(self, m: _Member, now: datetime) -> None:
        rules = self.rules
        lines = [self.rng.choice(self.products) for _ in range(self.rng.choice((1, 1, 2, 2, 3, 4)))]
        lines = [CartLine(ln.sku, ln.name, ln.category, ln.unit_price_fen, self.rng.choice((1, 1, 1, 2, 3)))
                 for ln in {ln.sku: ln for ln in lines}.values()]
        subtotal = sum(ln.gross_fen for ln in lines)
        coupons = []
        if m.coupons and self.rng.random() < 0.5:
            row = self.coupons[m.coupons[0]]
            ctype = self.coupon_types[row[1]]
            if row[4] <= now:
                m.coupons.pop(0)  # expired unused
            elif subtotal >= ctype.min_spend_fen:
                coupons = [Coupon(row[0], ctype, m.member_id, CouponStatus.ACTIVE, row[4])]
        spendable = self.spendable(m, now)
        cash_points = 0
        if spendable >= 100 and self.rng.random() < 0.2:
            cap = subtotal * rules.cash_max_pct // 100 // rules.cash_fen * rules.cash_points // 2
            cash_points = min(spendable, cap) // rules.cash_points * rules.cash_points
        day = (now + LOCAL).date()
        earned_today = m.earned_day[1] if m.earned_day[0] == day else 0
        guide = self.rng.random() < 0.3
        q = quote(lines, rules=rules, tier=by_code(rules.tiers, m.tier), campaigns=(), now=now, coupons=coupons,
                  member_id=m.member_id, cash_points=cash_points, spendable_points=spendable,
                  earned_today=earned_today)
        if isinstance(q, tuple):
            raise AssertionError(f"bench sale refused: {q}")
        sale_id = new_id()
        utc_day = f"{now.year:04d}{now.month:02d}{now.day:02d}"
        self.receipts[utc_day] += 1
        receipt_no = f"{self.who.device_id[-6:].upper()}-{utc_day}-{self.receipts[utc_day]:04d}"
        base = {"sale_id": sale_id, "receipt_no": receipt_no}
        cash_event = earn_event = earn_lot = None
        if q.cash_points:
            cash_event = self.spend(m, Kind.REDEEM_POST, q.cash_points, self.redeemed, now,
                                    {**base, "purpose": "points_as_cash", "fen": q.cash_fen})
            assert cash_event, "points-as-cash refused in the bench fill"
        if q.earn_points:
            earn_lot = new_id()
            entry = E.earn(Kind.EARN, member_id=m.member_id, points=q.earn_points, store_id=self.who.store_id,
                           owed=m.debt, lot_id=earn_lot, now=now, rules=rules,
                           payload={**base, "lines": [[ln.line_no, ln.sku, ln.points] for ln in q.lines],
                                    "paid_fen": q.due_fen})
            earn_event = self.post(entry, now)
            self.grant_to(m, entry)
            m.earned_day = (day, earned_today + q.earn_points)
        guide_points = q.guide_points if guide else 0
        if guide_points:
            self.post(E.credit(Kind.GUIDE_EARN, account=L.guide_account(GUIDE_ID), points=guide_points,
                               source=self.issued, debt_acct=None, owed=0, lot_id=new_id(), now=now, rules=rules,
                               payload={**base, "guide_id": GUIDE_ID}, member_id=None), now)
        if m.first_purchase_at is None and m.referred_by and rules.referral_bonus:
            referrer = self.members_by_id[m.referred_by]
            entry = E.earn(Kind.REFERRAL_BONUS, member_id=referrer.member_id, points=rules.referral_bonus,
                           store_id=self.who.store_id, owed=referrer.debt, lot_id=new_id(), now=now, rules=rules,
                           payload={**base, "referee": m.member_id}, ptype=L.PointType.AGENT)
            self.post(entry, now)
            self.grant_to(referrer, entry, agent=True)
        start = window_start(now)
        m.spend = [(t, fen) for t, fen in m.spend if t >= start]
        tier_after = after_sale(rules.tiers, m.tier, sum(fen for _, fen in m.spend) + q.due_fen)
        m.spend.append((now, q.due_fen))
        if tier_after != m.tier:
            self.post(Entry(Kind.TIER_CHANGE, {**base, "member_id": m.member_id, "from": m.tier, "to": tier_after,
                                               "reason": "upgrade"}, member_id=m.member_id), now)
            m.tier = tier_after
        if m.first_purchase_at is None:
            m.first_purchase_at = now
        for code in q.coupon_fen:
            self.coupons[code][5], self.coupons[code][6] = "used", sale_id
            m.coupons.remove(code)
        self.b_sales.append((sale_id, receipt_no, m.member_id, CASHIER_ID, GUIDE_ID if guide else None, ts(now),
                             q.subtotal_fen, q.discount_fen, q.cash_points, q.cash_fen, q.due_fen,
                             json.dumps({"cash": q.due_fen}), 0, q.earn_points, guide_points, 0, 0,
                             json.dumps(sorted(q.coupon_fen)), earn_event, cash_event, rules.version))
        self.b_lines.extend((sale_id, ln.line_no, ln.sku, ln.name, ln.category, ln.qty, ln.unit_price_fen,
                             ln.gross_fen, ln.discount_fen, ln.cash_fen, ln.cash_points, ln.paid_fen, ln.points,
                             0, 0, 0, 0) for ln in q.lines)
        if earn_event and not q.cash_points and not guide_points and not q.coupon_fen:
            m.sales = [*m.sales[-4:], {"sale_id": sale_id, "receipt_no": receipt_no, "at": now, "lot": earn_lot,
                                       "points": q.earn_points, "due": q.due_fen,
                                       "lines": [(ln.line_no, ln.qty, ln.paid_fen, ln.points) for ln in q.lines]}]

    def buy_coupon(self, m: _Member, now: datetime) -> bool:
        ctype = self.rng.choice(COUPON_TYPES)
        code = "C" + new_id().replace("-", "")[-9:].upper()
        if self.spendable(m, now) < ctype.points_cost:
            return False
        event_id = self.spend(m, Kind.REDEEM_POST, ctype.points_cost, self.redeemed, now,
                              {"purpose": "coupon", "coupon": code, "type_id": ctype.type_id})
        self.coupons[code] = [code, ctype.type_id, m.member_id, "active", now + timedelta(days=ctype.valid_days),
                              "active", None, event_id]
        m.coupons.append(code)
        return True

    def lottery(self, m: _Member, now: datetime) -> bool:
        seed = self.rng.getrandbits(63)
        prize = self.rng.choices([0, 8, 28, 68, 168], weights=[60, 20, 12, 6, 2])[0]
        if not self.spend(m, Kind.LOTTERY_DRAW, 100, self.redeemed, now,
                          {"lottery_id": "LOTTO-1", "seed": seed, "prize": f"P{prize}", "prize_points": prize}):
            return False
        if prize:
            self.earn(m, Kind.EARN, prize, now, {"purpose": "lottery_prize", "lottery_id": "LOTTO-1", "seed": seed})
        return True

    def adjust(self, m: _Member, now: datetime) -> None:
        points = self.rng.choice((50, 100, 200, -50, -100))
        payload = {"reason": "bench correction", "approver": MANAGER_ID}
        if points < 0 and self.spend(m, Kind.ADJUST, -points, self.issued, now, payload, MANAGER_ID):
            return
        self.earn(m, Kind.ADJUST, abs(points), now, payload, MANAGER_ID)

    def redeem_gift(self, m: _Member, now: datetime) -> bool:
        gift_id = self.rng.choice(["GIFT-CUP", "GIFT-TEABAG", "GIFT-UMBRELLA"])
        cost, copay = self.gifts[gift_id]
        if self.gift_stock[gift_id] < 1 or self.spendable(m, now) < cost:
            return False
        redemption_id = new_id()
        base = {"redemption_id": redemption_id, "gift_id": gift_id, "qty": 1, "copay_fen": copay}
        hold = self.spend(m, Kind.REDEEM_HOLD, cost, self.suspense, now, base)
        self.post(E.post_hold(member_id=m.member_id, points=cost, store_id=self.who.store_id,
                              payload={**base, "pickup": "at_counter"}), now)
        self.gift_stock[gift_id] -= 1
        self.b_redemptions.append((redemption_id, m.member_id, gift_id, 1, cost, copay, "picked_up",
                                   f"PK{redemption_id.replace('-', '')[-16:].upper()}", hold, CASHIER_ID, None,
                                   ts(now), ts(now)))
        return True

    def refund(self, m: _Member, now: datetime) -> bool:
        recent = [s for s in m.sales if now - s["at"] < timedelta(days=30)]
        if not recent:
            return False
        s = recent[-1]
        m.sales.remove(s)
        refund_id = new_id()
        entry = E.reverse_earned(account=L.member_account(m.member_id), debt_acct=L.debt_account(m.member_id),
                                 points=s["points"], lots=self.live_lots(m.lots), first_lot=s["lot"],
                                 sink=self.issued, now=now, member_id=m.member_id,
                                 payload={"sale_id": s["sale_id"], "refund_id": refund_id, "fen": s["due"]})
        self.post(entry, now, MANAGER_ID)
        m.debt += entry.payload["debt_added"]
        self.b_refunds.append((refund_id, s["sale_id"], MANAGER_ID, MANAGER_ID, ts(now), s["due"], s["points"],
                               json.dumps([[ln[0], ln[1]] for ln in s["lines"]]), "bench: customer returned it"))
        self.b_sale_updates.append((s["due"], s["sale_id"]))
        self.b_line_updates.extend((ln[1], ln[2], ln[3], s["sale_id"], ln[0]) for ln in s["lines"])
        return True

    # -- driving and writing ------------------------------------------------------------------
    def run(self, events: int, end: datetime) -> None:
        start = end - timedelta(days=HISTORY_DAYS)
        self.raw.execute("BEGIN")
        self.register_all(start)
        self.members_by_id = {m.member_id: m for m in self.members}
        # Time follows progress, so the history runs right up to `end` whatever the mix
        # posts per step: the clock is where the event count says it should be, plus jitter.
        t0, first = start + timedelta(days=30), self.seq
        span = end - timedelta(seconds=1) - t0
        step = span / max(1, events - first)
        now = t0
        while self.seq < events:
            due = t0 + span * ((self.seq - first) / (events - first)) + step * self.rng.random()
            now = min(max(now, due), end - timedelta(seconds=1))
            self.one(self.members[self.rng.randrange(len(self.members))], now)
            if len(self.b_events) >= CHUNK:
                self.flush()
                self.raw.execute("COMMIT")
                self.raw.execute("BEGIN")
        self.flush()
        self.finish()
        self.raw.execute("COMMIT")

    def flush(self) -> None:
        x = self.raw.executemany
        x("INSERT INTO events (event_id, device_seq, kind, store_id, device_id, device_time, staff_id, rule_version,"
          " member_id, payload, payload_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)", self.b_events)
        x("INSERT INTO postings (event_id, account, amount) VALUES (?,?,?)", self.b_postings)
        x("INSERT INTO outbox (device_seq, event_id, status) VALUES (?,?,'pending')", self.b_outbox)
        x("INSERT INTO sales (sale_id, receipt_no, member_id, staff_id, guide_id, created_at, subtotal_fen,"
          " discount_fen, cash_points, cash_fen, due_fen, tender, change_fen, earn_points, guide_points,"
          " guide_reversed, refunded_fen, coupons, earn_event, cash_event, rule_version)"
          " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", self.b_sales)
        x("INSERT INTO sale_lines (sale_id, line_no, sku, name, category, qty, unit_price_fen, gross_fen,"
          " discount_fen, cash_fen, cash_points, paid_fen, points, refunded_qty, refunded_fen, refunded_points,"
          " refunded_cash_points) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", self.b_lines)
        x("INSERT INTO label_claims (serial, sku, points, member_id, event_id, claimed_at) VALUES (?,?,?,?,?,?)",
          self.b_claims)
        x("INSERT INTO redemptions (redemption_id, member_id, gift_id, qty, points, copay_fen, status, pickup_code,"
          " hold_event, staff_id, approver_id, created_at, closed_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
          self.b_redemptions)
        x("INSERT INTO refunds (refund_id, sale_id, staff_id, approver_id, created_at, fen, points, lines, reason)"
          " VALUES (?,?,?,?,?,?,?,?,?)", self.b_refunds)
        x("UPDATE sales SET refunded_fen = ? WHERE sale_id = ?", self.b_sale_updates)
        x("UPDATE sale_lines SET refunded_qty = ?, refunded_fen = ?, refunded_points = ?"
          " WHERE sale_id = ? AND line_no = ?", self.b_line_updates)
        self._reset_buffers()

    def finish(self) -> None:
        """What the fill kept in memory: lots, coupons, balances, member tiers, gift stock."""
        x = self.raw.executemany
        x("INSERT INTO lots (lot_id, event_id, account, amount, remaining, available_at, expires_at)"
          " VALUES (?,?,?,?,?,?,?)", ([r[0], r[1], r[2], r[3], r[4], ts(r[5]), ts(r[6])] for r in self.lots.values()))
        x("INSERT INTO coupons (code, type_id, member_id, status, expires_at, bought_event, used_sale)"
          " VALUES (?,?,?,?,?,?,?)", ((r[0], r[1], r[2], r[5], ts(r[4]), r[7], r[6]) for r in self.coupons.values()))
        x("INSERT INTO balances (account, balance) VALUES (?, ?)"
          " ON CONFLICT (account) DO UPDATE SET balance = excluded.balance", self.balances.items())
        x("UPDATE members SET tier = ?, first_purchase_at = ? WHERE member_id = ?",
          ((m.tier, ts(m.first_purchase_at) if m.first_purchase_at else None, m.member_id) for m in self.members))
        x("UPDATE gifts SET stock = ? WHERE gift_id = ?", ((v, k) for k, v in self.gift_stock.items()))


def build_store(folder: Path, events: int, *, members: int | None = None, seed: int = 7,
                end: datetime | None = None) -> tuple[StoreContext, dict]:
    """A store database in `folder` holding about `events` events; returns its context and fill facts."""
    t0 = time.perf_counter()
    end = end or utcnow()
    members = members or min(10_000, max(50, events // 10))
    clock_at = [end - timedelta(days=HISTORY_DAYS + 1)]
    ctx = open_store(folder, clock=lambda: clock_at[0])
    seed_demo(ctx)  # staff, catalogue, rules, five demo members and their first sales
    raw = sqlite3.connect(ctx.db.path, isolation_level=None)
    raw.execute("PRAGMA foreign_keys=ON")
    raw.execute("PRAGMA cache_size=-1000000")
    placeholders = ",".join("?" * len(BULK_TABLES))
    indexes = raw.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                          f" AND tbl_name IN ({placeholders})", BULK_TABLES).fetchall()
    for name, _ in indexes:
        raw.execute(f'DROP INDEX "{name}"')
    filler = Filler(ctx, raw, members=members, rng=random.Random(seed))
    filler.run(events, end - timedelta(minutes=1))
    for _, sql in indexes:
        raw.execute(sql)
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()
    ctx.clock = utcnow
    info = {"fill_seconds": round(time.perf_counter() - t0, 1), "members": members, "kinds": dict(filler.kinds)}
    (folder / "fill.json").write_text(json.dumps(info))
    return ctx, _with_members(ctx, info)


def reuse_store(folder: Path) -> tuple[StoreContext, dict]:
    """A store an earlier run built in `folder` (with --dir): no fill, just open it."""
    ctx = open_store(folder)
    return ctx, _with_members(ctx, json.loads((folder / "fill.json").read_text()))


def _with_members(ctx: StoreContext, info: dict) -> dict:
    """The filled members, and their coupons still usable (for checkouts that apply one)."""
    with ctx.db.read() as conn:
        ids = conn.exec_driver_sql("SELECT member_id FROM members WHERE phone LIKE '17%'").scalars().all()
        rows = conn.exec_driver_sql("SELECT member_id, code FROM coupons WHERE status = 'active' AND expires_at > ?",
                                    (ts(ctx.now() + timedelta(days=1)),)).all()
    coupons: dict[str, list[str]] = defaultdict(list)
    for member_id, code in rows:
        coupons[member_id].append(code)
    return {**info, "member_ids": list(ids), "coupons": dict(coupons)}


# -- checks ---------------------------------------------------------------------------------
def check_store(db_path: Path | str) -> list[str]:
    """Everything that must hold in any store database; returns what does not (empty = all good).

    Integrity, double entry per event, balances = sum of postings, holder balances = sum of
    their lots' remaining, lots within bounds, one outbox row per own event (device_seq
    1..n, gapless; pulled events are numbered 0 and below), and every sale whole: its lines,
    its earn/cash/guide events, its coupons, every event that names it, no orphans
    either way.
    """
    con = sqlite3.connect(db_path)  # reads only; read-write so a crashed WAL can be recovered
    try:
        return _problems(con)
    finally:
        con.close()


def _problems(con: sqlite3.Connection) -> list[str]:
    out: list[str] = []

    def rows(sql: str) -> list[tuple]:
        return con.execute(sql).fetchall()

    def expect_none(what: str, sql: str) -> None:
        found = rows(sql)
        if found:
            out.append(f"{what}: {len(found)} e.g. {found[:3]}")

    integrity = rows("PRAGMA integrity_check")
    if integrity != [("ok",)]:
        out.append(f"integrity_check: {integrity[:5]}")
    fk = rows("PRAGMA foreign_key_check")
    if fk:
        out.append(f"foreign_key_check: {fk[:5]}")
    expect_none("events whose postings do not sum to zero",
                "SELECT event_id, SUM(amount) FROM postings GROUP BY event_id HAVING SUM(amount) <> 0")
    expect_none("postings without their event",
                "SELECT p.id FROM postings p LEFT JOIN events e ON e.event_id = p.event_id WHERE e.event_id IS NULL")
    expect_none("balances that differ from the sum of postings", """
        SELECT a.account, COALESCE(b.balance, 0), COALESCE(p.total, 0)
        FROM (SELECT account FROM balances UNION SELECT account FROM postings) a
        LEFT JOIN balances b ON b.account = a.account
        LEFT JOIN (SELECT account, SUM(amount) AS total FROM postings GROUP BY account) p ON p.account = a.account
        WHERE COALESCE(b.balance, 0) <> COALESCE(p.total, 0)""")
    expect_none("holder balances that differ from their lots' remaining", """
        SELECT a.account, COALESCE(b.balance, 0), COALESCE(l.total, 0)
        FROM (SELECT account FROM balances UNION SELECT account FROM lots) a
        LEFT JOIN balances b ON b.account = a.account
        LEFT JOIN (SELECT account, SUM(remaining) AS total FROM lots GROUP BY account) l ON l.account = a.account
        WHERE (a.account LIKE 'member:%' OR a.account LIKE 'staff:%')
          AND COALESCE(b.balance, 0) <> COALESCE(l.total, 0)""")
    expect_none("lots out of bounds", "SELECT lot_id FROM lots WHERE remaining < 0 OR remaining > amount")
    expect_none("lots without their event",
                "SELECT l.lot_id FROM lots l LEFT JOIN events e ON e.event_id = l.event_id WHERE e.event_id IS NULL")
    # This device's events number 1, 2, 3...; events pulled from HQ (other stores, HQ's
    # corrections) are numbered 0, -1, -2... (device_seq), no outbox row, and a remote_events row.
    expect_none("own events without an outbox row", """
        SELECT e.event_id FROM events e LEFT JOIN outbox o ON o.event_id = e.event_id
        WHERE e.device_seq > 0 AND o.event_id IS NULL""")
    if rows("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'remote_events'"):
        expect_none("pulled events (device_seq <= 0) not listed in remote_events", """
            SELECT e.event_id FROM events e WHERE e.device_seq <= 0
              AND NOT EXISTS (SELECT 1 FROM remote_events r WHERE r.event_id = e.event_id)""")
    expect_none("outbox rows without their event or off their event's sequence", """
        SELECT o.device_seq FROM outbox o LEFT JOIN events e ON e.event_id = o.event_id
        WHERE e.event_id IS NULL OR e.device_seq <> o.device_seq""")
    n, lo, hi = rows("SELECT COUNT(*), MIN(device_seq), MAX(device_seq) FROM events WHERE device_seq > 0")[0]
    if n and (lo != 1 or hi != n):
        out.append(f"device_seq not gapless: {n} events numbered {lo}..{hi}")
    expect_none("sales without lines", """
        SELECT s.sale_id FROM sales s WHERE NOT EXISTS (SELECT 1 FROM sale_lines l WHERE l.sale_id = s.sale_id)""")
    expect_none("sale lines without their sale", """
        SELECT l.sale_id FROM sale_lines l LEFT JOIN sales s ON s.sale_id = l.sale_id WHERE s.sale_id IS NULL""")
    expect_none("sales whose earn or cash event is missing", """
        SELECT s.sale_id FROM sales s
        WHERE (s.earn_event IS NOT NULL AND NOT EXISTS (SELECT 1 FROM events e WHERE e.event_id = s.earn_event))
           OR (s.cash_event IS NOT NULL AND NOT EXISTS (SELECT 1 FROM events e WHERE e.event_id = s.cash_event))""")
    expect_none("sales whose points do not match their earn event", """
        SELECT s.sale_id FROM sales s
        WHERE (s.earn_points > 0) <> (s.earn_event IS NOT NULL) OR (s.cash_points > 0) <> (s.cash_event IS NOT NULL)
           OR s.earn_points <> (SELECT COALESCE(SUM(l.points), 0) FROM sale_lines l WHERE l.sale_id = s.sale_id)""")
    expect_none("sale events (earn, points-as-cash, guide, referral, tier) without their sale", """
        SELECT e.event_id, e.kind FROM events e
        WHERE e.kind IN ('earn', 'guide_earn', 'referral_bonus', 'tier_change', 'redeem_post')
          AND json_extract(e.payload, '$.receipt_no') IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM sales s WHERE s.sale_id = json_extract(e.payload, '$.sale_id'))""")
    expect_none("sales with guide points but no guide_earn event", """
        SELECT s.sale_id FROM sales s WHERE s.guide_points > 0 AND s.sale_id NOT IN (
            SELECT json_extract(e.payload, '$.sale_id') FROM events e
            WHERE e.kind = 'guide_earn' AND json_extract(e.payload, '$.sale_id') IS NOT NULL)""")
    expect_none("sales whose coupons are not marked used by them", """
        SELECT s.sale_id, j.value FROM sales s, json_each(s.coupons) j
        WHERE NOT EXISTS (SELECT 1 FROM coupons c WHERE c.code = j.value AND c.status = 'used'
                            AND c.used_sale = s.sale_id)""")
    expect_none("used coupons without their sale", """
        SELECT c.code FROM coupons c WHERE c.status = 'used'
          AND NOT EXISTS (SELECT 1 FROM sales s WHERE s.sale_id = c.used_sale)""")
    return out


# -- measuring ------------------------------------------------------------------------------
def time_balance_reads(ctx: StoreContext, member_ids: list[str], reads: int, rng: random.Random) -> list[float]:
    out = []
    for _ in range(reads):
        account = L.member_account(rng.choice(member_ids))
        t0 = time.perf_counter()
        with ctx.db.read() as conn:
            ledger_repo.balance(conn, account)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def time_statements(ctx: StoreContext, member_ids: list[str], reads: int, rng: random.Random) -> list[float]:
    out = []
    for _ in range(reads):
        member_id = rng.choice(member_ids)
        t0 = time.perf_counter()
        members_uc.member_statement(ctx, member_id)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def time_checkouts(ctx: StoreContext, info: dict, checkouts: int,
                   rng: random.Random) -> tuple[list[float], list[float], dict]:
    """Wall and CPU milliseconds of each checkout (the CPU part shows what a busy machine adds)."""
    skus = [p[0] for p in PRODUCTS]
    prices = {p[0]: p[3] for p in PRODUCTS}
    coupons = dict(info["coupons"])
    mix = defaultdict(int)
    out: list[float] = []
    cpu: list[float] = []
    phone = _Phones(ctx, info["member_ids"])
    for _ in range(checkouts):
        member_id = rng.choice(info["member_ids"]) if rng.random() < 0.9 else None
        items = [(sku, rng.choice((1, 1, 2))) for sku in rng.sample(skus, rng.choice((1, 2, 3, 4)))]
        kw: dict = {}
        if member_id and coupons.get(member_id) and rng.random() < 0.5:
            kw["coupons"] = [coupons[member_id].pop()]
            items.append(("TEA-PUER", 1))  # over every coupon's minimum spend
        if member_id and rng.random() < 0.25 and phone.usable(member_id):
            with ctx.db.read() as conn:
                spendable = spendable_total(ledger_repo.lots_of(conn, L.member_account(member_id)), ctx.now())
            # within the 50% share even after the largest coupon (30.00 off)
            cap = max(0, sum(prices[sku] * qty for sku, qty in items) - 3000) // 2
            kw["cash_points"] = min(spendable, cap, 1000) // 100 * 100
            if kw["cash_points"]:  # paying with points: the member shows the phone's code (untimed)
                kw["member_code"] = phone.code(member_id)
        if rng.random() < 0.3:
            kw["guide_id"] = GUIDE_ID
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            checkout_uc.checkout(ctx, staff_id=CASHIER_ID, items=items, member_id=member_id, **kw)
        except Refused as err:  # should not happen: counted in checkout_mix, not timed
            mix["refused:" + ",".join(err.codes)] += 1
            continue
        out.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        mix["member" if member_id else "walk_in"] += 1
        for key in ("coupons", "cash_points", "guide_id"):
            if kw.get(key):
                mix[key] += 1
    return out, cpu, dict(mix)


class _Phones:
    """The members' phones: paying with points needs the member's proof of presence, here
    the dynamic code (an Ed25519 signature the checkout verifies, as at the counter; a PIN
    would add argon2's ~40 ms). One bench key serves every member; a code is good for
    one spend in its 30 s step, so a member pays with points once per step."""

    def __init__(self, ctx: StoreContext, member_ids: list[str]):
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        from pos_app.scanner.formats import public_bytes

        self.ctx = ctx
        # the same key every run, so a reused store is written to once, not every time
        self.key = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"bench.ledger phone").digest())
        self.used: set[tuple[str, int]] = set()
        public = public_bytes(self.key)
        kid = key_id_for(public)
        with ctx.db.write() as conn:  # before the timing: HQ sends members' keys with the member
            for member_id in member_ids:
                if kid not in repos.get_meta_json(conn, repos.MEMBER_KEYS + member_id, {}):
                    repos.trust_member_key(conn, member_id, public)
        # and the setup's writes are checkpointed, so the timed sales do not pay for them
        raw = sqlite3.connect(ctx.db.path)
        try:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()

    def usable(self, member_id: str) -> bool:
        return self._free_time(member_id) is not None

    def code(self, member_id: str) -> str:
        from pos_app.domain.codes import time_step
        from pos_app.scanner.formats import dynamic_member_payload

        at = self._free_time(member_id)
        self.used.add((member_id, time_step(at)))
        return dynamic_member_payload(member_id, self.key, at)

    def _free_time(self, member_id: str) -> datetime | None:
        """A time whose code this member has not used yet: now, or the step before or after
        (the store accepts those too), as a phone's code moves on every 30 s. Runs of the
        bench on one store within seconds pick the same members."""
        from pos_app.domain.codes import time_step
        from pos_app.store.seen_codes import seen_at

        now = self.ctx.now()
        with self.ctx.db.read() as conn:
            for at in (now, now - timedelta(seconds=30), now + timedelta(seconds=30)):
                step = time_step(at)
                if (member_id, step) not in self.used and seen_at(conn, f"D:{member_id}:{step}") is None:
                    return at
        return None


def fsync_ms(folder: Path, n: int = 200) -> list[float]:
    """The disk's own commit floor: a 4 KiB overwrite plus fdatasync, as SQLite's WAL commit does."""
    probe = folder / "fsync.probe"
    fd = os.open(probe, os.O_RDWR | os.O_CREAT)
    try:
        os.pwrite(fd, b"\0" * (1 << 20), 0)
        os.fsync(fd)
        out = []
        for i in range(n):
            os.pwrite(fd, os.urandom(4096), (i * 4096) % (1 << 20))
            t0 = time.perf_counter()
            os.fdatasync(fd)
            out.append((time.perf_counter() - t0) * 1000)
        return out
    finally:
        os.close(fd)
        probe.unlink()


def db_mb(path: Path) -> float:
    size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    return round(size / 2**20, 1)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--checkouts", type=int, default=500)
    ap.add_argument("--reads", type=int, default=5000, help="balance reads per store")
    ap.add_argument("--dir", type=Path, help="build the stores here (default: a temp folder, removed after)")
    ap.add_argument("--keep", action="store_true", help="keep the temp folder")
    ap.add_argument("--reuse", action="store_true",
                    help="with --dir: measure the stores an earlier run built there (each run adds its checkouts)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--baseline-events", type=int, default=BASELINE_EVENTS,
                    help="size of the store balance_ratio compares against (10,000 by the spec)")
    ap.add_argument("--no-check", action="store_true", help="skip the whole-ledger check at the end")
    args = ap.parse_args(argv)

    root = args.dir or Path(tempfile.mkdtemp(prefix="bench-ledger-"))
    root.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    try:
        def store(name: str, events: int, seed: int) -> tuple[StoreContext, dict]:
            folder = root / name
            if args.reuse and (folder / "fill.json").exists():
                return reuse_store(folder)
            if folder.exists():
                shutil.rmtree(folder)
            return build_store(folder, events, seed=seed)

        base_ctx, base_info = store("base", args.baseline_events, args.seed)
        print(f"baseline store: {args.baseline_events} events in {base_info['fill_seconds']} s", file=sys.stderr)
        ctx, info = store(f"main-{args.events}", args.events, args.seed + 1)
        path = ctx.db.path
        with ctx.db.read() as conn:
            events = conn.exec_driver_sql("SELECT COUNT(*) FROM events").scalar()
        print(f"store: {events} events, {info['members']} members in {info['fill_seconds']} s; {info['kinds']}",
              file=sys.stderr)

        # Warm both (pool, page cache), then interleave rounds so drift hits both alike.
        time_balance_reads(base_ctx, base_info["member_ids"], 200, rng)
        time_balance_reads(ctx, info["member_ids"], 200, rng)
        base_reads, reads = [], []
        rounds = 10
        for _ in range(rounds):
            base_reads += time_balance_reads(base_ctx, base_info["member_ids"], args.reads // rounds, rng)
            reads += time_balance_reads(ctx, info["member_ids"], args.reads // rounds, rng)
        statements = time_statements(ctx, info["member_ids"], max(50, args.reads // 10), rng)
        syncs = fsync_ms(path.parent)
        # The first sales after start compile each statement shape once (SQLAlchemy's cache):
        # a start-up cost, not the steady checkout, so they run untimed.
        time_checkouts(ctx, info, 20, rng)
        checkouts, cpu, mix = time_checkouts(ctx, info, args.checkouts, rng)
        syncs += fsync_ms(path.parent)
        problems = [] if args.no_check else check_store(path)
        for p in problems:
            print("LEDGER PROBLEM:", p, file=sys.stderr)
        result = {
            "events": events,
            "members": info["members"],
            "checkout_p50_ms": round(percentile(checkouts, 0.50), 3),
            "checkout_p99_ms": round(percentile(checkouts, 0.99), 3),
            "checkout_max_ms": round(max(checkouts), 3),
            "checkouts": len(checkouts),
            "checkout_mix": mix,
            "checkout_cpu_p50_ms": round(percentile(cpu, 0.50), 3),
            "checkout_cpu_p99_ms": round(percentile(cpu, 0.99), 3),
            "disk_fsync_p50_ms": round(percentile(syncs, 0.50), 3),
            "disk_fsync_p99_ms": round(percentile(syncs, 0.99), 3),
            "balance_p50_ms": round(percentile(reads, 0.50), 4),
            "balance_p99_ms": round(percentile(reads, 0.99), 4),
            "balance_10k_p50_ms": round(percentile(base_reads, 0.50), 4),
            "balance_10k_p99_ms": round(percentile(base_reads, 0.99), 4),
            "balance_ratio": round(statistics.median(reads) / statistics.median(base_reads), 3),
            "statement_p50_ms": round(percentile(statements, 0.50), 3),
            "statement_p99_ms": round(percentile(statements, 0.99), 3),
            "fill_seconds": info["fill_seconds"],
            "db_mb": db_mb(path),
            "ledger_ok": None if args.no_check else not problems,
            "load_avg": [round(x, 2) for x in os.getloadavg()],
            "db": str(path) if (args.dir or args.keep) else None,
        }
        base_ctx.db.close()
        ctx.db.close()
    finally:
        if not (args.dir or args.keep):
            shutil.rmtree(root, ignore_errors=True)
    print(json.dumps(result))
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
