"""Offline limits (set by HQ, DESIGN.md section 6): what is left of them right now.

The offline period starts at the last successful sync (or the enrolment, before the
first sync). After max_offline_hours
without one, earning goes on but redeeming stops; within it, a member may redeem
member_redeem_points, and the store store_redeem_budget in all. Offline, a till cannot
see its store's other tills' redemptions, so each till keeps to its share of the store's
budget: store_redeem_budget // store_tills (the store's enrolled tills, told at every
handshake), and the store's tills together never exceed it. "Redeemed" counts the
points taken out of members by this device's redemptions (holds, posts, lottery
draws, points paid as cash) since the period started.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Select, func, select

from pos_app.store import tables as T
from pos_app.sync import state
from pos_app.sync.wire import OfflineLimits

REDEEM_KINDS = ("redeem_hold", "redeem_post", "lottery_draw")


@dataclass(frozen=True)
class OfflineAllowance:
    limits: OfflineLimits
    period_start: datetime | None     # last successful sync, else enrolment (device clock); None: not enrolled
    window_left: timedelta            # zero when the window is over
    redeem_allowed: bool
    store_budget_left: int            # of this till's share
    store_share: int                  # this till's share of the store's budget


def _redeemed(conn: Connection, since: datetime | None, member_id: str | None = None) -> int:
    return -int(conn.execute(redeemed_query(since, member_id)).scalar() or 0)


def redeemed_query(since: datetime | None, member_id: str | None = None) -> Select[Any]:
    """Points taken out of members (one member's, or all) by this device's redemptions since `since`."""
    p, e = T.postings.c, T.events.c
    q = (select(func.coalesce(func.sum(p.amount), 0)).join_from(T.postings, T.events, p.event_id == e.event_id)
         .where(e.device_seq > 0, e.kind.in_(REDEEM_KINDS), p.amount < 0))
    if member_id:  # by the event's member first: ix_events_member_time finds its few events
        q = q.where(e.member_id == member_id, p.account.like(f"member:{member_id}:%"))
    else:  # ix_events_kind_time: only the redemptions since the period started
        q = q.where(p.account.like("member:%"))
    if since is not None:
        q = q.where(e.device_time >= since)
    return q


def period_start(conn: Connection) -> datetime | None:
    """The last successful sync, else the enrolment (HQ's last word either way); None: not enrolled."""
    return state.get_time(conn, "last_success_at") or state.get_time(conn, "enrolled_at")


def allowance(conn: Connection, now: datetime) -> OfflineAllowance:
    limits = state.offline_limits(conn)
    start = period_start(conn)
    if start is None:
        left = timedelta(0)
    else:
        left = max(timedelta(0), start + timedelta(hours=limits.max_offline_hours) - now)
    share = store_share(conn, limits)
    budget = max(0, share - _redeemed(conn, start))
    return OfflineAllowance(limits, start, left, left > timedelta(0), budget, share)


def store_share(conn: Connection, limits: OfflineLimits) -> int:
    """This till's share of the store's offline budget."""
    return limits.store_redeem_budget // max(1, state.get_int(conn, "store_tills", 1))


def member_redeem_left(conn: Connection, member_id: str, allow: OfflineAllowance | None = None) -> int:
    """Points this member may still redeem in the current offline period (and within the store's budget).

    `allow`: the allowance the caller already read in this transaction (saves summing the
    store's redemptions twice)."""
    limits = allow.limits if allow else state.offline_limits(conn)
    start = allow.period_start if allow else period_start(conn)
    own = max(0, limits.member_redeem_points - _redeemed(conn, start, member_id))
    store_left = allow.store_budget_left if allow else max(0, store_share(conn, limits) - _redeemed(conn, start))
    return min(own, store_left)
