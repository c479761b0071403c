"""The store's daily report and the ledger's self-check."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Column, ColumnElement, Connection, and_, func, select

from pos_app.domain import ledger as L
from pos_app.services.context import StoreContext
from pos_app.store import ledger_repo, repos
from pos_app.store import tables as T


@dataclass(frozen=True)
class DayReport:
    first_day: date
    last_day: date
    sales_count: int
    sales_fen: int  # money taken (after coupons and points-as-cash)
    refunds_count: int
    refunds_fen: int
    tender: dict[str, int]
    points_issued: int  # earn, label, referral, guide, adjust up, lottery prizes
    points_redeemed: int  # gross: gifts handed over, coupons, points-as-cash, lottery tickets
    points_returned: int  # of those, given back to members: gifts taken back, refunded points-as-cash
    points_expired: int
    points_reversed: int  # earned points taken back: refunds, guide reversals, adjust down
    points_donated: int
    new_members: int
    coupons_used: int
    coupons_sold: int
    redemptions: int  # gift redemptions made in the range
    redemptions_cancelled: int  # of those, voided or taken back since
    gift_stock: list[tuple[str, str, int]] = field(default_factory=list)  # gift id, name, stock


def _utc_bounds(ctx: StoreContext, first: date, last: date) -> tuple[datetime, datetime]:
    tz = ctx.timezone
    start = datetime.combine(first, time(), tz).astimezone(UTC).replace(tzinfo=None)
    end = datetime.combine(last + timedelta(days=1), time(), tz).astimezone(UTC).replace(tzinfo=None)
    return start, end


def day_report(ctx: StoreContext, first: date | None = None, last: date | None = None) -> DayReport:
    """The store's figures for a local day (or an inclusive range of days)."""
    if first is None:
        first = (ctx.now() + ctx.utc_offset(ctx.now())).date()
    last = last or first
    if last < first:
        first, last = last, first
    start, end = _utc_bounds(ctx, first, last)
    sid = ctx.who.store_id
    with ctx.db.read() as conn:
        in_range = and_(T.sales.c.created_at >= start, T.sales.c.created_at < end)
        sales_count, sales_fen = conn.execute(select(func.count(), func.coalesce(func.sum(T.sales.c.due_fen), 0))
                                              .where(in_range)).one()
        tender: dict[str, int] = {}
        for (raw, change) in conn.execute(select(T.sales.c.tender, T.sales.c.change_fen).where(in_range)):
            for method, fen in json.loads(raw).items():
                tender[method] = tender.get(method, 0) + fen
            tender["cash"] = tender.get("cash", 0) - change
        rin = and_(T.refunds.c.created_at >= start, T.refunds.c.created_at < end)
        refunds_count, refunds_fen = conn.execute(select(func.count(), func.coalesce(func.sum(T.refunds.c.fen), 0))
                                                  .where(rin)).one()

        def flow(account: str, kinds: tuple[str, ...] | None = None, sign: int = 0) -> int:
            q = (select(func.coalesce(func.sum(T.postings.c.amount), 0)).join(T.events)
                 .where(T.postings.c.account == account, T.events.c.device_time >= start,
                        T.events.c.device_time < end))
            if kinds:
                q = q.where(T.events.c.kind.in_(kinds))
            if sign:  # only what flowed one way: an adjustment can go either way
                q = q.where(T.postings.c.amount * sign > 0)
            return int(conn.execute(q).scalar_one())

        issued_kinds = ("earn", "label_earn", "referral_bonus", "guide_earn", "adjust")
        report = DayReport(
            first, last, sales_count, sales_fen, refunds_count, refunds_fen, tender,
            points_issued=-flow(L.store_issued(sid), issued_kinds, sign=-1),
            points_redeemed=flow(L.store_redeemed(sid), ("redeem_post", "lottery_draw")),
            points_returned=-flow(L.store_redeemed(sid), ("reverse",), sign=-1),
            points_expired=flow(L.BREAKAGE),
            points_reversed=flow(L.store_issued(sid), ("reverse", "adjust"), sign=1),
            points_donated=flow(L.CHARITY),
            new_members=_count(conn, T.members.c.created_at, start, end),
            coupons_used=conn.execute(select(func.count()).select_from(T.coupons).join(
                T.sales, T.sales.c.sale_id == T.coupons.c.used_sale).where(in_range)).scalar_one(),
            coupons_sold=conn.execute(select(func.count()).select_from(T.coupons).join(
                T.events, T.events.c.event_id == T.coupons.c.bought_event)
                .where(T.events.c.device_time >= start, T.events.c.device_time < end)).scalar_one(),
            redemptions=_count(conn, T.redemptions.c.created_at, start, end),
            redemptions_cancelled=_count(conn, T.redemptions.c.created_at, start, end,
                                         T.redemptions.c.status.in_(("voided", "returned"))),
            gift_stock=[(g.gift_id, g.name, stock) for g, stock in repos.all_gifts(conn)])
        return report


def _count(conn: Connection, column: Column[datetime], start: datetime, end: datetime,
           *also: ColumnElement[bool]) -> int:
    return conn.execute(select(func.count()).select_from(column.table)
                        .where(column >= start, column < end, *also)).scalar_one()


@dataclass(frozen=True)
class LedgerCheck:
    events: int
    unbalanced_events: list[str]
    balance_mismatches: list[tuple[str, int, int]]
    lot_mismatches: list[tuple[str, int, int]]
    seq_gaps: int

    @property
    def ok(self) -> bool:
        return not (self.unbalanced_events or self.balance_mismatches or self.lot_mismatches or self.seq_gaps)


def check_ledger(ctx: StoreContext) -> LedgerCheck:
    """Recompute balances from postings and lots; every list should be empty."""
    with ctx.db.read() as conn:
        # This device's own events (device_seq 1, 2, ...) must be gapless; events from
        # elsewhere (other stores', HQ's, member snapshots) are numbered 0, -1, ... and not counted.
        n, lo, hi = conn.execute(select(func.count(), func.min(T.events.c.device_seq),
                                        func.max(T.events.c.device_seq)).where(T.events.c.device_seq > 0)).one()
        gaps = 0 if n == 0 else (hi - lo + 1) - n + (lo - 1)
        return LedgerCheck(n, ledger_repo.unbalanced_events(conn), ledger_repo.balance_mismatches(conn),
                           ledger_repo.lot_mismatches(conn), gaps)
