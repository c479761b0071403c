"""Rule 5: an event that takes from a lot HQ has not seen (a refund before its sale), or gives points
back to a lot before HQ has the take it undoes, waits; the event it waits for wakes it.

Ingest's bookkeeping rather than a decision: the waiting event is applied as any other once woken.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from hq_server import models as M
from hq_server.ledger import authority
from hq_server.ledger.checks import parse
from hq_server.ledger.decisions import ConflictStatus, EventStatus, conflict_id
from hq_server.ledger.event_row import EventRow
from pos_app.domain.ledger import canonical_json
from pos_app.sync.wire import WireEvent

if TYPE_CHECKING:
    from hq_server.ledger.ingest import Ingest


def wait(ing: Ingest, row: EventRow, lots: list[str]) -> None:
    """The event waits for lots HQ has not seen, or (a give-back) for the take it undoes from a lot."""
    row.status = EventStatus.WAITING
    ing.wait_on(row.event_id, lots)
    ing.conflict(5, "waiting_for_original", row, {"lots": lots}, status=ConflictStatus.OPEN, tag="waiting")
    unknown = [lot_id for lot_id in lots if ing.book.lot(lot_id) is None]
    ing.event_status(row, EventStatus.WAITING, "waits for the event that earned the points it takes back" if unknown else
                     "gives points back to a lot before HQ has the take it undoes; waits for it")


def wake(ing: Ingest, event_id: str) -> None:
    if event_id in ing.waiting_done:
        return  # already woken and applied by this transaction
    row = ing.rows.get(event_id)
    if row is None:
        r = ing.conn.execute(select(M.events).where(M.events.c.event_id == event_id)).first()
        if r is None or r.status != EventStatus.WAITING:
            return
        row = EventRow.stored(r)
    elif row.status != EventStatus.WAITING:
        return
    payload = json.loads(row.payload)
    parsed = parse(WireEvent.model_validate({k: getattr(row, k) for k in (
        "event_id", "kind", "store_id", "device_id", "device_seq", "device_time", "staff_id", "rule_version",
        "member_id", "payload_hash")} | {"payload": payload}), row.store_id)
    if isinstance(parsed, str):
        return
    blocked = ing.blocked(row, parsed)
    if blocked:
        ing.wait_on(event_id, blocked)  # still waiting (for another lot, or for room in one)
        return
    if authority.refused_when_woken(ing, row, parsed):  # its lot is another holder's (a till's authority)
        return
    row.status = EventStatus.APPLIED
    ing.status_updates[event_id] = EventStatus.APPLIED
    ing.waiting_done.add(event_id)
    ing.apply(row, payload, parsed)
    ing.conflict(5, "original_arrived", row, {"applied_at_hq_seq": ing.seq.last}, tag="woken")
    close_waiting_task(ing, row)
    ing.event_status(row, EventStatus.APPLIED, "its original arrived; applied")


def close_waiting_task(ing: Ingest, row: EventRow, note: str | None = None) -> None:
    """HQ closes the event's waiting_for_original task (opened by wait) as the admin's resolve closes a
    task: status resolved, and who, when and what (`note`, by default that it was applied) in its
    detail's resolution."""
    task_id = conflict_id(row.event_id, "waiting")  # the task wait opened
    resolution = {"by": "hq", "at": ing.now.isoformat(),
                  "note": note or f"its original arrived; applied at hq_seq {ing.seq.last}"}
    for task in ing.conflicts:  # opened by this transaction, not stored yet
        if task["conflict_id"] == task_id and task["status"] == ConflictStatus.OPEN:
            task["status"] = ConflictStatus.RESOLVED
            task["detail"] = canonical_json({**json.loads(task["detail"]), "resolution": resolution})
            return
    c = M.conflicts.c
    stored = ing.conn.execute(select(c.detail).where(c.conflict_id == task_id, c.status == ConflictStatus.OPEN)).first()
    if stored is not None:
        ing.conn.execute(update(M.conflicts).where(c.conflict_id == task_id, c.status == ConflictStatus.OPEN).values(
            status=ConflictStatus.RESOLVED, detail=canonical_json({**json.loads(stored.detail), "resolution": resolution})))
