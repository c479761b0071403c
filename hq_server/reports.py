"""HQ's chain report: every store's figures, all time or for a range of local days.

All time, the issued and redeemed figures are the stores' account balances (O(1) each,
net of reversals and returns). For a range, the flows are summed from the postings of
the events whose device time falls in it, each way apart: points issued and points
reversed (refunds, adjustments down), points redeemed and points returned (cancelled
gifts, refunded points-as-cash), so a manager sees the gross and what came back.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, case, func, select

from hq_server import models as M
from pos_app.domain import ledger as L


def chain_report(conn: Connection, first: date | None = None, last: date | None = None,
                 tz: ZoneInfo | None = None) -> dict[str, Any]:
    e, d, b = M.events.c, M.devices.c, M.balances.c
    stores = conn.execute(select(M.stores.c.store_id, M.stores.c.name).order_by(M.stores.c.store_id)).all()
    tz = tz or ZoneInfo("Asia/Shanghai")
    if first and last and last < first:
        first, last = last, first
    bounds = _bounds(first, last or first, tz) if first else None
    flows = _flows(conn, [s.store_id for s in stores], *bounds) if bounds else {}
    out: list[dict[str, Any]] = []
    for s in stores:
        events = select(func.count()).where(e.store_id == s.store_id)
        if bounds:
            events = events.where(e.device_time >= bounds[0], e.device_time < bounds[1])
        row: dict[str, Any] = {"store_id": s.store_id, "name": s.name, "events": conn.execute(events).scalar(),
               "last_seen": conn.execute(select(func.max(d.last_seen)).where(d.store_id == s.store_id)).scalar()}
        if bounds:
            out_issued, into_issued = flows.get(L.store_issued(s.store_id), (0, 0))
            out_redeemed, into_redeemed = flows.get(L.store_redeemed(s.store_id), (0, 0))
            row.update(points_issued=out_issued, points_reversed=into_issued, points_redeemed=into_redeemed,
                       points_returned=out_redeemed)
        else:
            def balance(account: str) -> int:
                return int(conn.execute(select(b.balance).where(b.account == account)).scalar() or 0)
            row.update(points_issued=-balance(L.store_issued(s.store_id)),
                       points_redeemed=balance(L.store_redeemed(s.store_id)))
        out.append(row)
    report: dict[str, Any] = {"stores": out, "members": conn.execute(select(func.count()).select_from(M.members)).scalar(),
              "open_conflicts": conn.execute(select(func.count()).select_from(M.conflicts)
                                             .where(M.conflicts.c.status == "open")).scalar(),
              "ledger_sum": int(conn.execute(select(func.coalesce(func.sum(b.balance), 0))).scalar_one())}
    if bounds and first is not None:
        report.update(first_day=first.isoformat(), last_day=(last or first).isoformat(), timezone=tz.key)
    return report


def _bounds(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC bounds (naive, as stored) of the local days first..last."""
    start = datetime.combine(first, time(), tz).astimezone(UTC).replace(tzinfo=None)
    end = datetime.combine(last + timedelta(days=1), time(), tz).astimezone(UTC).replace(tzinfo=None)
    return start, end


def _flows(conn: Connection, store_ids: list[str], start: datetime, end: datetime) -> dict[str, tuple[int, int]]:
    """Per store account: (points that flowed out, points that flowed in) in the range."""
    p, e = M.postings.c, M.events.c
    accounts = [a for s in store_ids for a in (L.store_issued(s), L.store_redeemed(s))]
    if not accounts:
        return {}
    rows = conn.execute(select(p.account, func.coalesce(func.sum(case((p.amount < 0, -p.amount), else_=0)), 0),
                               func.coalesce(func.sum(case((p.amount > 0, p.amount), else_=0)), 0))
                        .join_from(M.postings, M.events, e.event_id == p.event_id)
                        .where(p.account.in_(accounts), e.device_time >= start, e.device_time < end)
                        .group_by(p.account)).all()
    return {account: (int(out), int(into)) for account, out, into in rows}  # PostgreSQL sums are numeric
