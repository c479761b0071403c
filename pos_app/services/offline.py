"""The store's link to HQ and the offline limits in force (DESIGN.md 6), for screens
and for the use cases that take points out of members.

A till not enrolled with HQ (a demo, or a store before its first enrolment) has no
offline limits: it is not "offline", it is stand-alone. Once enrolled, HQ's limits
hold: after the longest offline window, earning goes on but redeeming stops; within
it, a member may redeem up to member_redeem_points and the store its budget in all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection

from pos_app.services.context import StoreContext, refuse
from pos_app.sync import offline_limits, state


@dataclass(frozen=True)
class HQLink:
    enrolled: bool
    hq_url: str | None
    store_id: str | None
    device_id: str | None
    last_success: datetime | None
    max_offline_hours: int
    member_redeem_points: int
    store_redeem_budget: int
    window_left: timedelta
    store_budget_left: int  # of this till's share
    store_share: int  # this till's share of the store's budget (the store's tills split it offline)


def hq_link(ctx: StoreContext) -> HQLink:
    now = ctx.now()
    with ctx.db.read() as conn:
        creds = state.credentials(conn)
        allow = offline_limits.allowance(conn, now)
    lim = allow.limits
    return HQLink(creds is not None, creds.hq_url if creds else None, creds.store_id if creds else None,
                  creds.device_id if creds else None, allow.period_start, lim.max_offline_hours,
                  lim.member_redeem_points, lim.store_redeem_budget, allow.window_left, allow.store_budget_left,
                  allow.store_share)


def check_redeem(conn: Connection, now: datetime, member_id: str, points: int) -> None:
    """Refuse taking `points` out of a member when HQ's offline limits forbid it (no-op when not enrolled).

    Called inside the use case's transaction, before anything is written."""
    if points <= 0 or state.credentials(conn) is None:
        return
    allow = offline_limits.allowance(conn, now)
    if not allow.redeem_allowed:
        raise refuse("offline.window_over", "offline for longer than HQ allows: redeeming is paused until this till "
                     f"syncs (limit {allow.limits.max_offline_hours} h)", hours=allow.limits.max_offline_hours)
    left = offline_limits.member_redeem_left(conn, member_id, allow)
    if points > left:
        raise refuse("offline.limit", f"while offline this member may redeem {left} more points "
                     f"({points} asked)", left=left, asked=points)
