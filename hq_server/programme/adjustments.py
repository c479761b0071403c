"""Customer service's point adjustments at HQ (DESIGN.md 10): a reason always, and above HQ's
threshold a second person's approval (four eyes) before any point moves.

    request_adjustment(db, member_id=m, points=500, reason="lost receipt", staff="cs-wang", now=now)
        -> Adjustment(status="applied", event_id=...)      # at or below the threshold
        -> Adjustment(status="pending")                    # above it: waits for a second person
    approve_adjustment(db, adjustment_id=a, staff="cs-lead", now=now)    -> applied (409 if the requester)
    refuse_adjustment(db, adjustment_id=a, staff="cs-lead", note="...", now=now) -> refused
    list_adjustments(db, status="pending")                  -> [Adjustment], newest first
    approval_threshold(db) / set_approval_threshold(db, points=2000)

Applied, an adjustment is an ordinary `adjust` event written by HQ's online device (hq_server.
hq_events): a positive one is a new lot (repaying the member's debt first), a negative one takes
the soonest-expiring points (refused when the member has fewer spendable points). Each use case is
one transaction; every refusal changes nothing.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from hq_server.ledger import hq_events
from hq_server import models as M
from hq_server.db import Database, Seq
from hq_server.errors import HQProblem
from hq_server.programme import ledger_reads as R
from hq_server.programme.listing import latest_requests
from pos_app.domain import entries as E
from pos_app.domain import ledger as L
from pos_app.domain.ids import ID_PATTERN, new_id
from pos_app.domain.ledger import Entry, Kind
from pos_app.domain.problems import Problem

THRESHOLD_KEY = "programme.adjust_approval_over"
DEFAULT_THRESHOLD = 1000  # points (either way) an adjustment may move on one person's word
MAX_REASON = 200


@dataclass(frozen=True)
class Adjustment:
    adjustment_id: str
    member_id: str
    points: int
    reason: str
    requested_by: str
    requested_at: datetime
    status: str  # pending | applied | refused
    decided_by: str | None = None
    decided_at: datetime | None = None
    event_id: str | None = None
    note: str | None = None


def _threshold(conn: Connection) -> int:
    value = conn.execute(select(M.settings.c.value).where(M.settings.c.key == THRESHOLD_KEY)).scalar()
    return DEFAULT_THRESHOLD if value is None else int(json.loads(value))


def approval_threshold(db: Database) -> int:
    """Adjustments moving more points than this (either way) need a second person's approval."""
    with db.read() as conn:
        return _threshold(conn)


def set_approval_threshold(db: Database, *, points: int) -> int:
    if not isinstance(points, int) or isinstance(points, bool) or not 0 <= points <= 10**9:
        raise HQProblem(422, "invalid_body", "points: a whole number from 0 to 1,000,000,000")
    with db.write() as (conn, _seq):
        s = M.settings.c
        if conn.execute(update(M.settings).where(s.key == THRESHOLD_KEY).values(value=json.dumps(points))).rowcount == 0:
            conn.execute(M.settings.insert().values(key=THRESHOLD_KEY, value=json.dumps(points)))
    return points


def _check(member_id: str, points: int, reason: str) -> str:
    if not isinstance(member_id, str) or not re.match(ID_PATTERN, member_id):
        raise HQProblem(422, "invalid_body", "member_id: a member's id (a UUID)")
    if not isinstance(points, int) or isinstance(points, bool) or points == 0:
        raise HQProblem(422, "invalid_body", "points: a non-zero whole number")
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason or len(reason) > MAX_REASON:
        raise HQProblem(422, "invalid_body", f"reason: 1 to {MAX_REASON} characters (why the points move)")
    return reason


def _row(conn: Connection, adjustment_id: str) -> Adjustment:
    row = conn.execute(select(M.adjustments).where(M.adjustments.c.adjustment_id == adjustment_id)).first()
    if row is None:
        raise HQProblem(404, "not_found", f"no adjustment {adjustment_id}")
    return Adjustment(**row._mapping)


def _apply(conn: Connection, seq: Seq, db_url: str, a: Adjustment, approver: str | None, now: datetime) -> str:
    """The adjustment's ledger event, inside the caller's transaction: its id."""
    R.require_member(conn, a.member_id)
    rules = R.current_rules(conn, now)
    payload = {"reason": a.reason, "adjustment_id": a.adjustment_id, "requested_by": a.requested_by,
               "approver": approver}
    entry: Entry | Problem
    if a.points > 0:
        entry = E.earn(Kind.ADJUST, member_id=a.member_id, points=a.points, store_id=M.HQ_ORIGIN,
                       owed=R.owed(conn, a.member_id), lot_id=new_id(), now=now, rules=rules, payload=payload)
    else:
        entry = E.spend(Kind.ADJUST, member_id=a.member_id, lots=R.lots_of(conn, L.member_account(a.member_id)),
                        points=-a.points, to_account=L.store_issued(M.HQ_ORIGIN), now=now, payload=payload)
        if isinstance(entry, Problem):
            raise HQProblem(409, "points_insufficient", f"points: {entry.message}")
    written = hq_events.write(conn, seq, db_url, [entry], staff_id=R.staff_id(approver or a.requested_by),
                              rule_version=rules.version, now=now)
    return written[0].event_id


def request_adjustment(db: Database, *, member_id: str, points: int, reason: str, staff: str,
                       now: datetime) -> Adjustment:
    """Customer service moves a member's consumer points (positive adds, negative takes) for `reason`.
    At or below the approval threshold it is applied at once; above it, it waits for a second person."""
    reason = _check(member_id, points, reason)
    with db.write() as (conn, seq):
        R.require_member(conn, member_id)
        rules = R.current_rules(conn, now)
        if abs(points) > rules.max_adjust_points:
            raise HQProblem(422, "invalid_body", f"points: an adjustment is at most {rules.max_adjust_points}")
        a = Adjustment(new_id(), member_id, points, reason, staff, now, "pending")
        if abs(points) <= _threshold(conn):
            a = replace(a, status="applied", decided_at=now, event_id=_apply(conn, seq, db.url, a, None, now))
        conn.execute(M.adjustments.insert().values(**asdict(a)))
    return a


def approve_adjustment(db: Database, *, adjustment_id: str, staff: str, now: datetime) -> Adjustment:
    """A second person approves a pending adjustment: its event is written now (409 for the requester
    or one already decided)."""
    with db.write() as (conn, seq):
        a = _row(conn, adjustment_id)
        if a.status != "pending":
            raise HQProblem(409, "not_pending", f"adjustment {adjustment_id} is already {a.status}")
        if a.requested_by == staff:
            raise HQProblem(409, "second_person", "an adjustment above the threshold is approved by someone else "
                                                  "than who asked for it")
        event_id = _apply(conn, seq, db.url, a, staff, now)
        values: dict[str, Any] = {"status": "applied", "decided_by": staff, "decided_at": now, "event_id": event_id}
        conn.execute(update(M.adjustments).where(M.adjustments.c.adjustment_id == adjustment_id).values(**values))
    return replace(a, **values)


def refuse_adjustment(db: Database, *, adjustment_id: str, staff: str, note: str, now: datetime) -> Adjustment:
    """Turn a pending adjustment down, with a note; no point moves."""
    note = note.strip() if isinstance(note, str) else ""
    if not note or len(note) > MAX_REASON:
        raise HQProblem(422, "invalid_body", f"note: 1 to {MAX_REASON} characters (why it is refused)")
    with db.write() as (conn, _seq):
        a = _row(conn, adjustment_id)
        if a.status != "pending":
            raise HQProblem(409, "not_pending", f"adjustment {adjustment_id} is already {a.status}")
        values: dict[str, Any] = {"status": "refused", "decided_by": staff, "decided_at": now, "note": note}
        conn.execute(update(M.adjustments).where(M.adjustments.c.adjustment_id == adjustment_id).values(**values))
    return replace(a, **values)


def list_adjustments(db: Database, *, status: str | None = None, member_id: str | None = None,
                     limit: int = 200) -> list[Adjustment]:
    with db.read() as conn:
        rows = latest_requests(conn, M.adjustments, key="adjustment_id",
                               equal={"status": status, "member_id": member_id}, limit=limit)
    return [Adjustment(**r) for r in rows]
