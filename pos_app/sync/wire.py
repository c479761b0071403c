"""The sync protocol's wire schema, shared by the store (pos_app.sync) and HQ (hq_server).

Pydantic only: no HTTP, no database. DESIGN.md section 6 is the contract this encodes.
Changes here must stay backward compatible within a protocol version: add optional
fields with defaults, never rename or retype one.

Every request body is gzip-able JSON; every answer is 2xx with per-event outcomes, so
one bad event never blocks a store's queue. Bodies HQ cannot parse get a 4xx with a
`Problem` (code, message), never a 500.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

PROTOCOL_MIN = 1
PROTOCOL_MAX = 1
MAX_BATCH = 500            # events per push; larger bodies get 413
MAX_BODY_BYTES = 8 << 20   # after gunzip

UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
HASH_PATTERN = r"^[0-9a-f]{64}$"


class Wire(BaseModel):
    # Unknown fields are refused so a typo is a clear 422, not silently ignored data.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Problem(Wire):
    code: str
    message: str


# --- enrolment -----------------------------------------------------------------------

class EnrolRequest(Wire):
    token: str = Field(min_length=8, max_length=128)
    device_name: str = Field(min_length=1, max_length=64)


class EnrolResponse(Wire):
    store_id: str
    device_id: str
    device_key: str  # shown once; HQ keeps only its hash. Sent as `Authorization: Device <id>:<key>`.


# --- handshake -----------------------------------------------------------------------

class OfflineLimits(Wire):
    """Set by HQ per chain or store: what a store may do while it cannot reach HQ."""

    max_offline_hours: int = Field(ge=0, default=72)  # after this, earning goes on, redeeming stops
    member_redeem_points: int = Field(ge=0, default=5_000)  # per member per offline period
    store_redeem_budget: int = Field(ge=0, default=100_000)  # per store per offline period


class HandshakeRequest(Wire):
    protocol_min: int = Field(ge=1)
    protocol_max: int = Field(ge=1)
    device_time: datetime
    # The device's view of what HQ holds from it: count of acknowledged events and the
    # rolling hash over their (device_seq, event_id, payload_hash) in device_seq order.
    acked_count: int = Field(ge=0)
    acked_hash: str = Field(pattern=HASH_PATTERN)


class HandshakeResponse(Wire):
    protocol: int
    hq_time: datetime
    full_resync_required: bool  # the two sides disagree: re-push everything, HQ dedups
    hq_acked_count: int
    hq_acked_hash: str
    offline_limits: OfflineLimits


# --- push ----------------------------------------------------------------------------

class WireEvent(Wire):
    event_id: str = Field(pattern=UUID_PATTERN)
    kind: str = Field(min_length=1, max_length=20)
    store_id: str = Field(min_length=1, max_length=36)
    device_id: str = Field(min_length=1, max_length=36)
    device_seq: int = Field(ge=1)
    device_time: datetime
    staff_id: str | None = Field(default=None, max_length=36)
    rule_version: int = Field(ge=0)
    member_id: str | None = Field(default=None, max_length=36)
    payload: dict[str, Any]
    payload_hash: str = Field(pattern=HASH_PATTERN)


class PushRequest(Wire):
    events: list[WireEvent] = Field(max_length=MAX_BATCH)


EventStatus = Literal["ok", "exists", "exists_mismatch", "rejected"]


class EventAnswer(Wire):
    event_id: str
    status: EventStatus
    hq_seq: int | None = None
    reason: str | None = None  # for rejected / exists_mismatch: a sentence a manager can read


class PushResponse(Wire):
    answers: list[EventAnswer]
    hq_acked_count: int
    hq_acked_hash: str


# --- pull ----------------------------------------------------------------------------

PullItemType = Literal[
    "rules",          # the current earn rules document (with version)
    "product",        # catalogue entry
    "gift",
    "coupon_type",
    "campaign",
    "lottery",
    "tier",
    "offline_limits",
    "member",         # member record (profile, tier, flags)
    "balance",        # balance snapshot of a member account, as of hq_seq
    "label_claim",    # a label serial claimed somewhere in the chain
    "event",          # HQ's own event (a correction of this store's event, a reversal, ...)
    "event_status",   # an outcome for one of this store's events (duplicate_serial, flagged, ...)
]


class PullItem(Wire):
    hq_seq: int
    type: PullItemType
    key: str          # what the item is about: sku, gift id, member id, account, serial, event id
    data: dict[str, Any]


class PullResponse(Wire):
    items: list[PullItem]
    cursor: int       # pass back as `after` next time; safe: nothing below it can still appear
    more: bool


class MemberLookup(Wire):
    """A member unknown locally, fetched from HQ by phone or card while online."""

    member: dict[str, Any]
    balances: dict[str, int]


# --- per-device sanity check ---------------------------------------------------------

EMPTY_HASH = "0" * 64


def roll_hash(previous: str, device_seq: int, event_id: str, event_payload_hash: str) -> str:
    """One step of the rolling hash over acknowledged events in device_seq order.

    Both sides compute it the same way; when HQ's (count, hash) differs from the store's,
    the handshake asks for a full re-push, which HQ deduplicates by event_id.
    """
    return hashlib.sha256(f"{previous}:{device_seq}:{event_id}:{event_payload_hash}".encode()).hexdigest()
