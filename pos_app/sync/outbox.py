"""The outbox: this device's events waiting for HQ, and what HQ answered.

Statuses: pending -> sent (HQ said ok or exists; hq_seq kept) | rejected | mismatch
(exists_mismatch). A rejected or mismatched event is recorded with HQ's reason and
never blocks the queue. "Acknowledged" = sent: its count and rolling hash
(wire.roll_hash over device_seq order) are what the handshake compares with HQ's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, func, select, update

from pos_app.store import tables as T
from pos_app.sync import state
from pos_app.sync.wire import EMPTY_HASH, PushResponse, roll_hash

PENDING, SENT, REJECTED, MISMATCH = "pending", "sent", "rejected", "mismatch"
_STATUS = {"ok": SENT, "exists": SENT, "rejected": REJECTED, "exists_mismatch": MISMATCH}


def pending_count(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(T.outbox).where(T.outbox.c.status == PENDING)).scalar_one()


def pending(conn: Connection, limit: int, after_seq: int = 0) -> list[dict[str, Any]]:
    """The next pending events (after device_seq `after_seq`) in device_seq order, as wire events
    (JSON-ready dicts)."""
    e = T.events.c
    rows = conn.execute(_next_pending(limit, after_seq, e.event_id, e.kind, e.store_id, e.device_id, e.device_seq,
                                      e.device_time, e.staff_id, e.rule_version, e.member_id, e.payload,
                                      e.payload_hash)).all()
    return [{"event_id": r.event_id, "kind": r.kind, "store_id": r.store_id, "device_id": r.device_id,
             "device_seq": r.device_seq, "device_time": r.device_time.isoformat(), "staff_id": r.staff_id,
             "rule_version": r.rule_version, "member_id": r.member_id, "payload": json.loads(r.payload),
             "payload_hash": r.payload_hash} for r in rows]


def _next_pending(limit: int, after_seq: int, *columns: ColumnElement[Any]) -> Select[Any]:
    """The columns of the next pending events after device_seq `after_seq`, in device_seq order."""
    o = T.outbox.c
    return (select(*columns).join_from(T.outbox, T.events, o.event_id == T.events.c.event_id)
            .where(o.status == PENDING, o.device_seq > after_seq).order_by(o.device_seq).limit(limit))


@dataclass(frozen=True)
class Batch:
    """Pending events ready to push: what recording HQ's answers needs of each, and the push body."""
    events: list[dict[str, Any]]  # event_id, device_seq, payload_hash: in device_seq order
    body: bytes  # {"events": [...]}, the wire events as `pending` gives them, encoded


def pending_batch(conn: Connection, limit: int, after_seq: int = 0) -> Batch:
    """`pending`'s events with the push body built by SQLite (json_object): the stored payload goes out
    as stored (canonical JSON, what payload_hash hashes) instead of being parsed and encoded again in
    Python, which was the larger part of a till's CPU for a push (bench.sync, measured with yappi)."""
    e = T.events.c
    wire = func.json_object(
        "event_id", e.event_id, "kind", e.kind, "store_id", e.store_id, "device_id", e.device_id,
        "device_seq", e.device_seq, "device_time", func.replace(e.device_time, " ", "T"), "staff_id", e.staff_id,
        "rule_version", e.rule_version, "member_id", e.member_id, "payload", func.json(e.payload),
        "payload_hash", e.payload_hash)
    rows = conn.execute(_next_pending(limit, after_seq, e.event_id, e.device_seq, e.payload_hash, wire)).all()
    body = '{"events":[' + ",".join(r[3] for r in rows) + "]}"
    return Batch([{"event_id": r[0], "device_seq": r[1], "payload_hash": r[2]} for r in rows], body.encode())


def _answer_text(status: str, reason: str | None, cache: dict[tuple[str, str | None], str]) -> str:
    key = (status, reason)
    if key not in cache:
        cache[key] = json.dumps({"status": status, "reason": reason}, ensure_ascii=False)
    return cache[key]


def record_answers(conn: Connection, sent: list[dict[str, Any]], answer: PushResponse, now: datetime) -> dict[str, int]:
    """Mark each pushed event from HQ's answer, and move the acknowledged count/hash. Returns counts by answer.

    `sent` needs event_id, device_seq and payload_hash of each event (a wire event or a Batch's entry)."""
    by_id = {ev["event_id"]: ev for ev in sent}
    o = T.outbox.c
    seqs = [ev["device_seq"] for ev in sent]
    # The batch's statuses by one range of the primary key (a batch is a run of device_seqs), not an IN of 500.
    current = dict(conn.execute(select(o.event_id, o.status).where(o.device_seq.between(min(seqs), max(seqs))))
                   .all()) if seqs else {}
    rows: list[tuple[str, int | None, str, str, str]] = []
    newly_sent: list[tuple[int, str, str]] = []
    counts: dict[str, int] = {}
    texts: dict[tuple[str, str | None], str] = {}
    sent_at = now.strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's DateTime text on SQLite
    for a in answer.answers:
        ev = by_id.get(a.event_id)
        if ev is None or current.get(a.event_id) != PENDING:
            continue  # answered before (a retried push): nothing changes
        counts[str(a.status)] = counts.get(str(a.status), 0) + 1
        status = _STATUS[a.status]
        rows.append((status, a.hq_seq, sent_at, _answer_text(a.status, a.reason, texts), a.event_id))
        if status == SENT:
            newly_sent.append((ev["device_seq"], ev["event_id"], ev["payload_hash"]))
    if rows:
        # Plain executemany: SQLAlchemy's per-row parameter building cost more than the update itself.
        conn.exec_driver_sql("UPDATE outbox SET status = ?, hq_seq = ?, sent_at = ?, answer = ? WHERE event_id = ?",
                             rows)
    _advance_acked(conn, sorted(newly_sent))
    return counts


def record_refused(conn: Connection, event: dict[str, Any], reason: str, now: datetime) -> None:
    """HQ refused a batch holding only this event (schema, size): recorded as rejected, the queue moves on."""
    conn.execute(update(T.outbox).where(T.outbox.c.event_id == event["event_id"], T.outbox.c.status == PENDING)
                 .values(status=REJECTED, sent_at=now,
                         answer=json.dumps({"status": "refused", "reason": reason}, ensure_ascii=False)))


def _advance_acked(conn: Connection, newly_sent: list[tuple[int, str, str]]) -> None:
    if not newly_sent:
        return
    count, digest, max_seq = state.acked(conn)
    if newly_sent[0][0] > max_seq:  # the usual case: answers arrive in device_seq order
        for seq, event_id, h in newly_sent:
            digest = roll_hash(digest, seq, event_id, h)
        state.set_acked(conn, count + len(newly_sent), digest, newly_sent[-1][0])
    else:
        state.set_acked(conn, *recompute_acked(conn))


def recompute_acked(conn: Connection) -> tuple[int, str, int]:
    """The acknowledged count/hash from the outbox itself (O(history); only when answers came out of order)."""
    o, e = T.outbox.c, T.events.c
    count, digest, max_seq = 0, EMPTY_HASH, 0
    for seq, event_id, h in conn.execute(select(o.device_seq, o.event_id, e.payload_hash)
                                         .join_from(T.outbox, T.events, o.event_id == e.event_id)
                                         .where(o.status == SENT).order_by(o.device_seq)):
        digest, count, max_seq = roll_hash(digest, seq, event_id, h), count + 1, seq
    return count, digest, max_seq


def restart_full_push(conn: Connection) -> int:
    """HQ and the store disagree on what HQ holds: push every sent event again (HQ answers
    `exists` for what it has and applies what it lost). Returns how many go back to pending."""
    n = conn.execute(update(T.outbox).where(T.outbox.c.status == SENT).values(status=PENDING)).rowcount
    state.set_acked(conn, 0, EMPTY_HASH, 0)
    return n


def record_hq_status(conn: Connection, event_id: str, status: str, note: str | None) -> bool:
    """HQ's later word on one of this device's events (duplicate_serial, waiting, applied, flagged, rejected)."""
    return conn.execute(update(T.outbox).where(T.outbox.c.event_id == event_id)
                        .values(hq_status=status[:20], hq_note=note)).rowcount > 0


def problems(conn: Connection, limit: int = 100) -> list[dict[str, Any]]:
    """Events HQ refused or holds differently, and events HQ flagged later: for a manager's screen."""
    o = T.outbox.c
    rows = conn.execute(select(o.device_seq, o.event_id, o.status, o.answer, o.hq_status, o.hq_note)
                        .where((o.status.in_((REJECTED, MISMATCH))) |
                               (o.hq_status.in_(("duplicate_serial", "flagged", "waiting", "rejected"))))
                        .order_by(o.device_seq.desc()).limit(limit)).all()
    return [dict(r._mapping) for r in rows]
