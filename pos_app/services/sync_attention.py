"""What HQ said about this store's records that a manager must see (DESIGN.md 6).

Sync never swallows a refusal or a correction: an event HQ rejected or holds
differently, one it flagged or keeps waiting (a refund before its sale), a pulled item
the store could not apply, and HQ's own corrections of this store's points (a label
serial already claimed elsewhere, a sale rated under a superseded rule) are listed here
for the manager's screen. Read-only: one short read transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from pos_app.services.context import StoreContext
from pos_app.store import tables as T

# outbox.status / hq_status values that mean "look at this"
REFUSED = ("rejected", "mismatch")
HQ_SAYS = ("duplicate_serial", "flagged", "waiting", "rejected")  # rejected: later, as it left waiting
# HQ's corrections carry the merge rule that made them in payload.purpose
CORRECTIONS = ("duplicate_serial", "stale_rule")
LIMIT = 200


@dataclass(frozen=True)
class Attention:
    what: str              # rejected | mismatch | duplicate_serial | flagged | waiting | correction | unapplied
    subject: str           # the event id or the pulled item's key
    kind: str              # the event's kind or the pulled item's type
    member_id: str | None
    at: datetime | None
    reason: str            # HQ's words, or the problem the store met


def _reason(answer: str | None, note: str | None) -> str:
    if note:
        return note
    try:
        return str(json.loads(answer or "{}").get("reason") or "")
    except (ValueError, AttributeError):
        return answer or ""


def _outbox(conn: Connection) -> list[Attention]:
    o, e = T.outbox.c, T.events.c
    rows = conn.execute(select(o.event_id, o.status, o.answer, o.hq_status, o.hq_note, o.sent_at, e.kind, e.member_id,
                               e.device_time)
                        .join_from(T.outbox, T.events, o.event_id == e.event_id)
                        .where(o.status.in_(REFUSED) | o.hq_status.in_(HQ_SAYS))
                        .order_by(o.device_seq.desc()).limit(LIMIT)).all()
    return [Attention(r.status if r.status in REFUSED else r.hq_status, r.event_id, r.kind, r.member_id,
                      r.device_time, _reason(r.answer, r.hq_note if r.status not in REFUSED else None)) for r in rows]


def _corrections(conn: Connection) -> list[Attention]:
    e, r = T.events.c, T.remote_events.c
    rows = conn.execute(select(e.event_id, e.kind, e.member_id, e.device_time, e.payload)
                        .join_from(T.remote_events, T.events, r.event_id == e.event_id)
                        .where(r.origin == "event", e.kind.in_(("reverse", "adjust")))
                        .order_by(r.hq_seq.desc()).limit(LIMIT)).all()
    out = []
    for row in rows:
        payload = json.loads(row.payload)
        purpose = payload.get("purpose")
        if purpose in CORRECTIONS:
            detail = payload.get("serial") or f"rule {payload.get('used')} -> {payload.get('current')}"
            out.append(Attention("correction", row.event_id, purpose, row.member_id, row.device_time, str(detail)))
    return out


def _unapplied(conn: Connection) -> list[Attention]:
    h = T.hq_records.c
    rows = conn.execute(select(h.type, h.key, h.problem).where(h.problem.is_not(None))
                        .order_by(h.hq_seq.desc()).limit(LIMIT)).all()
    return [Attention("unapplied", r.key, r.type, None, None, r.problem) for r in rows]


def sync_attention(ctx: StoreContext) -> list[Attention]:
    """Everything from sync that a manager must see, newest first within each group."""
    with ctx.db.read() as conn:
        return _outbox(conn) + _corrections(conn) + _unapplied(conn)
