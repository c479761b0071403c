"""The console's dashboard figures for today, the last 7 or the last 30 local days, chain-wide or for
one store: new and active members, points issued, redeemed and expired, the points outstanding and
the programme's liability in yuan at the cash rate, sales, top gifts, stores ranked, and a day-by-day
series for the charts.

Flows are those of the events whose device time falls in the period, as the chain report sums them
(hq_server.reports): issued = points out of a store's issued account, redeemed = points into its
redeemed account, expired = points into breakage. They are read from the rollup HQ keeps of the ledger
per day and store (hq_server.programme.dashboard_rollup, brought up to date first), not summed from
the events: a page reads a few hundred rows whatever the ledger's size. New members too: per local day of
their created_at and home store, merged members not (the rollup counts a day again when it moves).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from hq_server import models as M
from hq_server.db import Database
from hq_server.errors import HQProblem
from hq_server.programme import dashboard_rollup
from hq_server.programme.dashboard_tables import (CHAIN, dashboard_active, dashboard_days, dashboard_gifts,
                                                  dashboard_new, dashboard_state)
from hq_server.programme.member_care import _rules
from pos_app.domain.money import mul_div_floor

PERIODS = {"today": 1, "7d": 7, "30d": 30}
TZ = ZoneInfo("Asia/Shanghai")


def _bounds(days: int, today: date) -> tuple[datetime, datetime, list[date]]:
    first = today - timedelta(days=days - 1)
    start = datetime.combine(first, time(), TZ).astimezone(UTC).replace(tzinfo=None)
    end = datetime.combine(today + timedelta(days=1), time(), TZ).astimezone(UTC).replace(tzinfo=None)
    return start, end, [first + timedelta(days=i) for i in range(days)]


def figures(db: Database, period: str, store_id: str | None, now: datetime) -> dict[str, Any]:
    if period not in PERIODS:
        raise HQProblem(422, "bad_period", f"a period is one of {', '.join(PERIODS)}")
    today = now.replace(tzinfo=UTC).astimezone(TZ).date()
    *_, days = _bounds(PERIODS[period], today)
    nw, dd, g, act = dashboard_new.c, dashboard_days.c, dashboard_gifts.c, dashboard_active.c
    dashboard_rollup.catch_up(db)
    with db.read() as conn:
        stores = conn.execute(select(M.stores.c.store_id, M.stores.c.name).order_by(M.stores.c.store_id)).all()
        if store_id is not None and store_id not in {s.store_id for s in stores}:
            raise HQProblem(404, "not_found", f"no store {store_id}")
        new_q = select(func.coalesce(func.sum(nw.members), 0)).where(nw.day >= days[0], nw.day <= days[-1],
                                                                      *([nw.store_id == store_id] if store_id else []))
        in_days = (dd.day >= days[0], dd.day <= days[-1])
        mine = (*in_days, *([dd.store_id == store_id] if store_id else []))
        flows = (dd.issued_own, dd.redeemed_own) if store_id else (dd.issued_any, dd.redeemed_any)
        # summed by the database: a 30-day period is 30 rows a store
        by_day = {str(r.day): [int(r.issued), int(r.redeemed), int(r.expired)] for r in conn.execute(
            select(dd.day, func.sum(flows[0]).label("issued"), func.sum(flows[1]).label("redeemed"),
                   func.sum(dd.expired).label("expired")).where(*mine).group_by(dd.day))}
        sales_fen = int(conn.execute(select(func.coalesce(func.sum(dd.sales_fen), 0)).where(*mine)).scalar_one())
        per_store = conn.execute(select(dd.store_id, func.sum(dd.events).label("events"),
                                        func.sum(dd.issued_acct).label("issued_acct"))
                                 .where(*in_days).group_by(dd.store_id)).all()
        outstanding = int(conn.execute(select(dashboard_state.c.value)
                                       .where(dashboard_state.c.name == "outstanding")).scalar() or 0)
        rules = _rules(conn, now)
        qty = func.sum(g.qty).label("qty")
        gifts = conn.execute(select(g.gift_id, qty).where(g.day >= days[0], g.day <= days[-1],
                                                          *([g.store_id == store_id] if store_id else []))
                             .group_by(g.gift_id).order_by(qty.desc(), g.gift_id).limit(10)).all()
        active = dict(conn.execute(select(act.scope, func.sum(act.members)).where(act.day >= days[0])
                                   .group_by(act.scope)).all())
        new_members = int(conn.execute(new_q).scalar_one())
    events_at: dict[str, int] = {}
    issued_at: dict[str, int] = {}
    for r in per_store:
        events_at[r.store_id] = int(r.events)
        issued_at[r.store_id] = int(r.issued_acct)
    ranked = [s for s, n in events_at.items() if n and s != M.HQ_ORIGIN and (store_id is None or s == store_id)]
    figures_ = {"new_members": new_members, "active_members": int(active.get(store_id or CHAIN, 0))}

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
        "stores_ranked": sorted(({"store_id": s, "name": names.get(s, s), "events": events_at[s],
                                  "members": int(active.get(s, 0)), "points_issued": issued_at.get(s, 0)}
                                 for s in ranked), key=lambda s: (-s["points_issued"], -s["events"], s["store_id"]))[:20],
        "series": series,
        "stores": [(s.store_id, s.name) for s in stores if s.store_id != M.HQ_ORIGIN],
    }
