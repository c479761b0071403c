"""The console's dashboard figures for today, the last 7 or the last 30 local days, chain-wide or for
one store: new and active members, points issued, redeemed and expired, the points outstanding and
the programme's liability in yuan at the cash rate, sales, top gifts, stores ranked, and a day-by-day
series for the charts. Read-only; one read transaction; every figure summed by the database (sales and
gifts read from the events' JSON payloads there too).

Flows are summed from the postings of the events whose device time falls in the period, as the chain
report does (hq_server.reports): issued = points out of a store's issued account, redeemed = points
into its redeemed account, expired = points into breakage.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, case, func, literal_column, select
from sqlalchemy.dialects.postgresql import JSONB

from hq_server import models as M
from hq_server.db import Database
from hq_server.errors import HQProblem
from hq_server.programme.member_care import _rules
from pos_app.domain import ledger as L
from pos_app.domain.money import mul_div_floor

PERIODS = {"today": 1, "7d": 7, "30d": 30}
TZ = ZoneInfo("Asia/Shanghai")


def _bounds(days: int, today: date) -> tuple[datetime, datetime, list[date]]:
    first = today - timedelta(days=days - 1)
    start = datetime.combine(first, time(), TZ).astimezone(UTC).replace(tzinfo=None)
    end = datetime.combine(today + timedelta(days=1), time(), TZ).astimezone(UTC).replace(tzinfo=None)
    return start, end, [first + timedelta(days=i) for i in range(days)]


def _json_text(conn, column, key: str):
    """A payload's top-level text field, read by the database (payloads are JSON text)."""
    if conn.dialect.name == "sqlite":
        return func.json_extract(column, f"$.{key}")
    return func.cast(column, JSONB).op("->>")(key)


def _json_int(conn, column, key: str):
    if conn.dialect.name == "sqlite":
        return func.json_extract(column, f"$.{key}")
    # a payload's field is checked by the tills' parsers; only digits are summed here, whatever HQ holds
    text_ = func.cast(column, JSONB).op("->>")(key)
    return case((text_.op("~")(r"^-?\d{1,18}$"), func.cast(text_, BigInteger)), else_=None)


def _local_day(conn, column):
    """The chain's local calendar day of a stored UTC time, in SQL (China has no daylight saving)."""
    if conn.dialect.name == "sqlite":
        return func.date(column, "+8 hours")
    return func.date(column + literal_column("interval '8 hours'"))


def figures(db: Database, period: str, store_id: str | None, now: datetime) -> dict[str, Any]:
    if period not in PERIODS:
        raise HQProblem(422, "bad_period", f"a period is one of {', '.join(PERIODS)}")
    today = now.replace(tzinfo=UTC).astimezone(TZ).date()
    start, end, days = _bounds(PERIODS[period], today)
    e, p, m, b = M.events.c, M.postings.c, M.members.c, M.balances.c
    in_period = (e.device_time >= start, e.device_time < end)
    with db.read() as conn:
        stores = conn.execute(select(M.stores.c.store_id, M.stores.c.name).order_by(M.stores.c.store_id)).all()
        if store_id is not None and store_id not in {s.store_id for s in stores}:
            raise HQProblem(404, "not_found", f"no store {store_id}")
        issued_accts = [L.store_issued(store_id)] if store_id else None
        redeemed_accts = [L.store_redeemed(store_id)] if store_id else None

        new_q = select(func.count()).select_from(M.members).where(m.created_at >= start, m.created_at < end,
                                                                   m.merged_into.is_(None))
        active_q = select(func.count(func.distinct(e.member_id))).where(*in_period, e.member_id.is_not(None))
        if store_id:
            new_q = new_q.where(m.home_store == store_id)
            active_q = active_q.where(e.store_id == store_id)

        def account_filter(prefix: str, suffix: str, exact: list[str] | None):
            return p.account.in_(exact) if exact else (p.account.startswith(prefix) & p.account.endswith(suffix))

        day = _local_day(conn, e.device_time)
        flows = conn.execute(
            select(day.label("day"),
                   func.coalesce(func.sum(case((account_filter("store:", ":issued", issued_accts) & (p.amount < 0),
                                                -p.amount), else_=0)), 0).label("issued"),
                   func.coalesce(func.sum(case((account_filter("store:", ":redeemed", redeemed_accts) & (p.amount > 0),
                                                p.amount), else_=0)), 0).label("redeemed"),
                   func.coalesce(func.sum(case(((p.account == L.BREAKAGE) & (p.amount > 0), p.amount),
                                               else_=0)), 0).label("expired"))
            .join_from(M.postings, M.events, e.event_id == p.event_id)
            .where(*in_period, *([e.store_id == store_id] if store_id else []))
            .group_by(day)).all()
        by_day = {str(r.day): (int(r.issued), int(r.redeemed), int(r.expired)) for r in flows}

        outstanding = int(conn.execute(select(func.coalesce(func.sum(b.balance), 0))
                                       .where(b.account.startswith("member:"), b.balance > 0)).scalar())
        rules = _rules(conn, now)

        mine = [e.store_id == store_id] if store_id else []
        sales_fen = int(conn.execute(select(func.coalesce(func.sum(_json_int(conn, e.payload, "paid_fen")), 0))
                                     .where(*in_period, e.kind == str(L.Kind.EARN), *mine)).scalar())
        gift = _json_text(conn, e.payload, "gift_id")
        gifts = conn.execute(select(gift.label("gift_id"),
                                    func.coalesce(func.sum(func.coalesce(_json_int(conn, e.payload, "qty"), 1)), 0)
                                    .label("qty"))
                             .where(*in_period, e.kind == str(L.Kind.REDEEM_POST), *mine, gift.is_not(None))
                             .group_by(gift).order_by(literal_column("qty").desc(), gift).limit(10)).all()
        ranked = conn.execute(
            select(e.store_id, func.count().label("events"), func.count(func.distinct(e.member_id)).label("members"))
            .where(*in_period, e.store_id != M.HQ_ORIGIN, *([e.store_id == store_id] if store_id else []))
            .group_by(e.store_id)).all()
        issued_by_store = dict(conn.execute(
            select(p.account, func.coalesce(func.sum(-p.amount), 0)).join_from(M.postings, M.events,
                                                                                 e.event_id == p.event_id)
            .where(*in_period, p.account.startswith("store:"), p.account.endswith(":issued"), p.amount < 0)
            .group_by(p.account)).all())
        figures_ = {"new_members": conn.execute(new_q).scalar_one(), "active_members": conn.execute(active_q).scalar_one()}

    names = {s.store_id: s.name for s in stores}
    series = [{"day": d.isoformat(), **dict(zip(("issued", "redeemed", "expired"), by_day.get(d.isoformat(), (0, 0, 0))))}
              for d in days]
    return {
        "period": period, "store_id": store_id, "first_day": days[0].isoformat(), "last_day": days[-1].isoformat(),
        **figures_,
        "points_issued": sum(s["issued"] for s in series), "points_redeemed": sum(s["redeemed"] for s in series),
        "points_expired": sum(s["expired"] for s in series),
        "points_outstanding": outstanding,
        "liability_fen": mul_div_floor(outstanding, rules.cash_fen, rules.cash_points),
        "cash_rate": {"points": rules.cash_points, "fen": rules.cash_fen},
        "sales_fen": sales_fen,
        "top_gifts": [{"gift_id": g.gift_id, "qty": int(g.qty)} for g in gifts],
        "stores_ranked": sorted(({"store_id": r.store_id, "name": names.get(r.store_id, r.store_id),
                                  "events": r.events, "members": r.members,
                                  "points_issued": int(issued_by_store.get(L.store_issued(r.store_id), 0))}
                                 for r in ranked), key=lambda s: (-s["points_issued"], -s["events"], s["store_id"]))[:20],
        "series": series,
        "stores": [(s.store_id, s.name) for s in stores if s.store_id != M.HQ_ORIGIN],
    }
