"""An event as HQ stores it (a row of `events`), typed: what ingest admits, the merge rules read and
the pull feed carries. The payload is its canonical JSON text, as stored and hashed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hq_server.ledger.decisions import EventStatus


@dataclass(slots=True)
class EventRow:
    event_id: str
    hq_seq: int
    store_id: str
    device_id: str
    device_seq: int
    kind: str
    device_time: datetime
    received_at: datetime
    staff_id: str | None
    rule_version: int
    member_id: str | None
    payload: str
    payload_hash: str
    status: EventStatus
    flags: str = ""

    def db_row(self) -> dict[str, Any]:
        """The row `events` stores (bulk.insert takes dicts)."""
        return {"event_id": self.event_id, "hq_seq": self.hq_seq, "store_id": self.store_id,
                "device_id": self.device_id, "device_seq": self.device_seq, "kind": self.kind,
                "device_time": self.device_time, "received_at": self.received_at, "staff_id": self.staff_id,
                "rule_version": self.rule_version, "member_id": self.member_id, "payload": self.payload,
                "payload_hash": self.payload_hash, "status": self.status, "flags": self.flags}

    @classmethod
    def stored(cls, r: Any) -> EventRow:
        """A row read back from `events` (a SQLAlchemy Row)."""
        return cls(event_id=r.event_id, hq_seq=r.hq_seq, store_id=r.store_id, device_id=r.device_id,
                   device_seq=r.device_seq, kind=r.kind, device_time=r.device_time, received_at=r.received_at,
                   staff_id=r.staff_id, rule_version=r.rule_version, member_id=r.member_id, payload=r.payload,
                   payload_hash=r.payload_hash, status=EventStatus(r.status), flags=r.flags or "")


@dataclass(frozen=True, slots=True)
class Subject:
    """What a conflict, a refusal or a correction is about when it is no stored event: an event HQ refused,
    or a task HQ's staff resolved (a member merge corrects after the same-phone task, named by its id)."""

    event_id: str
    store_id: str
    member_id: str | None
    rule_version: int = 0
