"""What HQ's merge rules decide, as typed records, and the names HQ gives what it decides.

A merge rule (hq_server.ledger.merges) reads the ledger through a LedgerView and returns
Findings; it writes nothing. Ingest carries the findings out in one place (Ingest.carry_out):
it posts the corrections, records the conflicts, tells the stores. Every id derives from
the event a finding is about, so carrying a merge out twice posts nothing new.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from pos_app.domain.ledger import Kind, LotGrant, LotTake
from pos_app.domain.lots import Lot

NS = uuid.UUID("6f1c7f0e-4b7e-5d55-9a53-2f6c1b0d9e11")


def correction_id(event_id: str, tag: str) -> str:
    """HQ's own events are named after what they correct, so re-running a merge changes nothing."""
    return str(uuid.uuid5(NS, f"{event_id}:{tag}"))


def conflict_id(event_id: str | None, tag: str) -> str:
    """A merge decision is named after the event and what was decided, so recording it again changes nothing."""
    return str(uuid.uuid5(NS, f"{event_id or ''}:{tag}:conflict"))


class EventStatus(StrEnum):
    """An event's status at HQ (events.status), as the tills are told it (event_status items)."""

    APPLIED = "applied"
    WAITING = "waiting"  # for the lot it takes from (rule 5)
    CORRECTION = "correction"  # one of HQ's own corrections
    DUPLICATE_SERIAL = "duplicate_serial"  # a label serial claimed before (rule 2)
    FLAGGED = "flagged"  # kept and flagged (rules 2, 3, 4, a reused member code)
    REFUSED = "refused"  # a waiting event found beyond the till when woken (rule 7)


class ConflictStatus(StrEnum):
    OPEN = "open"  # a task for HQ's staff
    RESOLVED = "resolved"  # decided by a rule (or closed by staff)


@dataclass(frozen=True, slots=True)
class Correction:
    """One of HQ's corrections of the event a finding is about: an event HQ posts, id correction_id(event, tag)."""

    tag: str
    kind: Kind
    payload: Mapping[str, Any]
    postings: tuple[tuple[str, int], ...]
    grants: tuple[LotGrant, ...] = ()
    takes: tuple[LotTake, ...] = ()
    member_id: str | None = None


@dataclass(frozen=True, slots=True)
class Conflict:
    """A row of `conflicts`: what a rule decided about an event, for HQ's staff (an open task or a record)."""

    rule: int
    kind: str
    detail: Mapping[str, Any]
    status: ConflictStatus = ConflictStatus.RESOLVED
    member_id: str | None = None  # None: the event's member
    tag: str | None = None  # of its id (conflict_id); None: its kind


@dataclass(frozen=True, slots=True)
class LotsDiffer:
    """Every store holding the member is told that its lots may differ from HQ's (rule 9)."""

    member_id: str


@dataclass(frozen=True, slots=True)
class RiskFlag:
    """The member's record is flagged (and the stores holding it are sent the record again)."""

    member_id: str
    text: str


@dataclass(frozen=True, slots=True)
class EventFlag:
    """The event is kept and flagged, and its till told why."""

    flag: str
    reason: str


Notice = LotsDiffer | RiskFlag | EventFlag


@dataclass(frozen=True, slots=True)
class Finding:
    """One decision of a merge rule about one event: HQ's correction (if any), the conflict recording it
    (its made_events name the correction) and notices. When the correction exists already (the merge
    runs twice), none of the finding is carried out again."""

    conflict: Conflict | None = None
    correction: Correction | None = None
    notices: tuple[Notice, ...] = field(default=())


class LotView(Protocol):
    lot_id: str
    account: str
    amount: int
    remaining: int
    available_at: datetime
    expires_at: datetime

    def as_lot(self) -> Lot: ...


class LedgerView(Protocol):
    """What a merge rule may read of the ledger, as the push has changed it so far."""

    def balance(self, account: str) -> int: ...

    def lot(self, lot_id: str) -> LotView | None: ...

    def lots_of(self, account: str) -> list[Any]: ...
