"""The sync protocol's wire schema, shared by the store (pos_app.sync) and HQ (hq_server).

Pydantic only: no HTTP, no database. DESIGN.md section 6 is the contract this encodes.
Changes here must stay backward compatible within a protocol version: add optional
fields with defaults, never rename or retype one.

Every request body is gzip-able JSON; every answer is 2xx with per-event outcomes, so
one bad event never blocks a store's queue. Bodies HQ cannot parse get a 4xx with a
`Problem` (code, message), never a 500.

What a store sends is bounded to what HQ's databases hold: integers to the signed 64-bit range
(or the column's, e.g. rule_version 32-bit), strings without NUL characters (PostgreSQL text
cannot hold one). A body outside them is a 422 naming the field, not a database error.
A value the database refuses all the same is a 422 invalid_input, nothing stored.

HTTP API (hq_server/api/sync.py; OpenAPI at /docs and /openapi.json):
  POST /api/v1/enrol                   EnrolRequest -> EnrolResponse (401 unknown token, 409 used, 410 expired)
  POST /api/v1/sync/handshake          HandshakeRequest -> HandshakeResponse (422 device_clock: a clock
                                       over ~68 years off HQ's, too far to record)
  POST /api/v1/sync/push               PushRequest (may be Content-Encoding: gzip) -> PushResponse
  GET  /api/v1/sync/pull?after=&limit= -> PullResponse (limit 1..5000, default 500)
  GET  /api/v1/members/lookup?q=       phone, card number or member id -> MemberLookup (404 unknown)
  POST /api/v1/sync/signing-key        SigningKeyRequest -> SigningKeyAnswer (409 key id of another device)
Protocol 2 (issue 17): the handshake and a push may carry the till's pull_cursor; the handshake then
answers feed_news / feed_head (whether to pull at all), the push the pull's first page (pull).
Sync calls send `Authorization: Device <device_id>:<device_key>` (401 without or wrong).
Push refusals of the whole body (nothing stored): 400 bad JSON/gzip, 413 more than
MAX_BATCH events or MAX_BODY_BYTES, 422 schema, 403 when any event claims another store
or device than the key's (a device speaking for someone else, not one bad event).
Per-event `rejected` (2xx): unknown kind, payload_hash mismatch, postings not summing to
zero, posting to another store's accounts, bad grants/lots, device_seq already used, and
what is beyond a till's authority (docs/till-authority.md: points of two members in one
event, another store's staff, a member id not made as tills make them, a phone or PIN
change without the member's proof), which HQ also records as a conflict (rule 7).
"Acknowledged" (acked_count / rolling hash) = the events HQ answered `ok` or `exists`.

Pull items HQ sends (PullItem.data):
  event         an event touching a member this store follows, made by another store or
                by HQ (a correction: store_id/device_id "hq", payload.corrects = the event it
                corrects, payload.store_id = that event's store). Fields as WireEvent plus
                hq_seq and status. Apply its payload postings/grants/lots like a local event
                (a take from a lot already emptied takes from the account's other lots).
  event_status  {event_id, status: duplicate_serial|waiting|applied|flagged|rejected, reason,
                ...} for one of this store's own events (rejected: a waiting event whose lot
                turned out to be another member's; HQ never applies it).
  member        HQ's current record of a followed member (per-field last writer by hq_seq).
  label_claim   {serial, sku, points, member_id, event_id, store_id}, chain-wide.
  label_key     {key_id, public_key (hex), active, created_at, retired_at}: HQ's label key,
                chain-wide; a retired key (active false) no longer verifies labels.
  member_key    {member_id, key_id, public_key (hex)}: the member's phone key, chain-wide;
                it replaces the member's previous key.
  device_key    {key_id, store_id, public_key (hex)}: a till's (or HQ's, store "hq") key that signs
                pickup codes and coupons, chain-wide (DESIGN.md 11). HQ's signs for any store.
  code_used     {code: P:<redemption>|C:<coupon>, event_id, store_id, hq_seq, freed?}: a pickup or coupon
                used somewhere in the chain (freed: a refund gave the coupon back).
  stock         {gift_id, location, qty, as_of}: HQ's count of the gift at this store after every
                change up to hq_seq as_of (DESIGN.md 11; pos_app.sync.stock). A gift record's own
                `stock` field is never a store's count.
  rules / product / gift / coupon_type / campaign / lottery / tier / offline_limits /
  staff         catalogue and settings changes, `data` is the whole record (data.deleted
                true when removed).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal, Unpack

from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, GetCoreSchemaHandler, GetPydanticSchema, StrictBool,
                      StrictInt, StrictStr)
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from pos_app.domain.fields import parse_time

PROTOCOL_MIN = 1
# 2: the handshake carries the till's pull cursor and HQ answers whether anything after it is for the
# till (feed_news) and, when nothing is, how far the till may move its cursor (feed_head): an idle
# till's sync is the handshake alone. A till sends pull_cursor only to an HQ that answered protocol 2
# before (an HQ of protocol 1 refuses the unknown field); HQ answers the new fields only to a till
# that sent one (a till of protocol 1 refuses unknown fields in the answer).
PROTOCOL_MAX = 2
MAX_BATCH = 500            # events per push; larger bodies get 413
MAX_BODY_BYTES = 8 << 20   # after gunzip

UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
HASH_PATTERN = r"^[0-9a-f]{64}$"

INT32_MAX = 2**31 - 1  # an INTEGER column (PostgreSQL int4)
INT64_MAX = 2**63 - 1  # a BIGINT column; SQLite's INTEGER


def no_nul(value: str) -> str:
    if "\x00" in value:
        raise PydanticCustomError("string_nul", "String should not contain a NUL character (\\u0000)")
    return value


# A string a store sends that HQ stores or looks up: no NUL (PostgreSQL text cannot hold one).
# (Fields with a pattern of their own, ids and hashes, cannot hold one either.)
Text = Annotated[str, AfterValidator(no_nul)]


class Wire(BaseModel):
    # Unknown fields are refused so a typo is a clear 422, not silently ignored data.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Problem(Wire):
    code: str
    message: str


# --- enrolment -----------------------------------------------------------------------

class EnrolRequest(Wire):
    token: Text = Field(min_length=8, max_length=128)
    device_name: Text = Field(min_length=1, max_length=64)


class EnrolResponse(Wire):
    store_id: str
    device_id: str
    device_key: str  # shown once; HQ keeps only its hash. Sent as `Authorization: Device <id>:<key>`.


# --- handshake -----------------------------------------------------------------------

class OfflineLimits(Wire):
    """Set by HQ per chain or store: what a store may do while it cannot reach HQ."""

    # after this, earning goes on, redeeming stops (at most about 11 years: a till adds it to a time)
    max_offline_hours: int = Field(ge=0, le=100_000, default=72)
    member_redeem_points: int = Field(ge=0, le=INT64_MAX, default=5_000)  # per member per offline period
    store_redeem_budget: int = Field(ge=0, le=INT64_MAX, default=100_000)  # per store per offline period


class HandshakeRequest(Wire):
    protocol_min: int = Field(ge=1, le=INT32_MAX)
    protocol_max: int = Field(ge=1, le=INT32_MAX)
    device_time: datetime  # HQ refuses (422 device_clock) a clock too far off its own to record the skew
    # The device's view of what HQ holds from it: count of acknowledged events and the
    # rolling hash over their (device_seq, event_id, payload_hash) in device_seq order.
    acked_count: int = Field(ge=0, le=INT64_MAX)
    acked_hash: str = Field(pattern=HASH_PATTERN)
    # protocol 2: the till's pull cursor (PullResponse.cursor), so HQ can tell it whether to pull at all
    pull_cursor: int | None = Field(default=None, ge=0, le=INT64_MAX)


class HandshakeResponse(Wire):
    protocol: int
    hq_time: datetime
    full_resync_required: bool  # the two sides disagree: re-push everything, HQ dedups
    hq_acked_count: int
    hq_acked_hash: str
    offline_limits: OfflineLimits
    # The store's enrolled tills: offline, each till may redeem its share of the store's budget
    # (store_redeem_budget // store_tills), as the tills cannot see one another's redemptions then.
    store_tills: int = Field(default=1, ge=1, le=INT32_MAX)
    # HQ's X25519 public key (64 hex digits) that a till seals a member's PIN to, as the proof that
    # the member was there for a change of phone or PIN (pos_app.domain.presence; an older HQ
    # sends none: a till talking to it proves with the member's dynamic code only).
    proof_key: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    # Protocol 2, answered to a handshake that sent pull_cursor: whether HQ holds pull items after it for
    # this till. When it does not, feed_head is a cursor the till may keep instead of its own (no item
    # up to it is for this till: its own events fanned out to the other tills of its store), so a
    # till that only pushes does not keep asking from further and further back.
    feed_news: bool | None = None
    feed_head: int | None = Field(default=None, ge=0)


# --- push ----------------------------------------------------------------------------

class WireEvent(Wire):
    event_id: str = Field(pattern=UUID_PATTERN)
    kind: Text = Field(min_length=1, max_length=20)
    store_id: Text = Field(min_length=1, max_length=36)
    device_id: Text = Field(min_length=1, max_length=36)
    device_seq: int = Field(ge=1, le=INT64_MAX)
    device_time: datetime
    staff_id: Text | None = Field(default=None, max_length=36)
    rule_version: int = Field(ge=0, le=INT32_MAX)
    member_id: Text | None = Field(default=None, max_length=36)
    payload: dict[str, Any]
    payload_hash: str = Field(pattern=HASH_PATTERN)


def iso_time(value: str) -> str:
    """An ISO 8601 time, kept as the text it came as (the payload hash covers that text)."""
    try:
        parse_time(value)
    except ValueError as exc:
        raise PydanticCustomError("iso_time", str(exc)) from None
    except OverflowError:  # an offset that moves year 1 or 9999 out of range in UTC
        raise PydanticCustomError("iso_time", "a time out of range in UTC") from None
    return value


IsoTime = Annotated[StrictStr, AfterValidator(iso_time)]
Posting = tuple[StrictStr, StrictInt]  # [account, points]: a JSON integer, never true/false or 5.0
LotGrant = tuple[StrictStr, StrictStr, StrictInt, IsoTime, IsoTime]  # [lot_id, account, points, available_at, expires_at]
LotTake = tuple[StrictStr, StrictInt]  # [lot_id, points taken (a give-back: negative)]


class LedgerPart(BaseModel):
    """What an event's payload says it does to the ledger: its postings, the lots it grants and those it
    takes from. The rest of the payload is the use case's own. The shape only (what HQ accepts of a till
    beyond it, hq_server.ledger.checks); the times stay the text they came as, so the payload's canonical
    JSON, and its hash, are the same after validation (dump(): the keys present, as sent)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    postings: list[Posting] = Field(default_factory=list)
    grants: list[LotGrant] = Field(default_factory=list)
    lots: list[LotTake] = Field(default_factory=list)

    def dump(self) -> dict[str, Any]:
        """The keys the payload carried, as JSON values (lists, not tuples)."""
        return self.model_dump(mode="json", exclude_unset=True)

    def grant_times(self) -> list[tuple[str, str, int, datetime, datetime]]:
        """The grants with their times read (naive UTC)."""
        return [(lot_id, account, amount, parse_time(available_at), parse_time(expires_at))
                for lot_id, account, amount, available_at, expires_at in self.grants]


class PushRequest(Wire):
    events: list[WireEvent] = Field(max_length=MAX_BATCH)
    # protocol 2: the till's pull cursor, with its last batch: HQ answers the pull's first page with the
    # push (PushResponse.pull), after the push's commit, so a busy till's sync is a handshake and a push
    pull_cursor: int | None = Field(default=None, ge=0, le=INT64_MAX)


class AnswerStatus(StrEnum):
    """HQ's answer to one pushed event (on the wire: its value)."""

    OK = "ok"  # applied (or waiting at HQ for its lot: an event_status item tells)
    EXISTS = "exists"  # HQ holds it already, with the same payload_hash
    EXISTS_MISMATCH = "exists_mismatch"  # HQ holds this event_id with another payload_hash: HQ's stands
    REJECTED = "rejected"  # refused, with the reason




class EventAnswer(Wire):
    event_id: str
    status: AnswerStatus
    hq_seq: int | None = None
    reason: str | None = None  # for rejected / exists_mismatch: a sentence a manager can read


class PushResponse(Wire):
    answers: list[EventAnswer]
    hq_acked_count: int
    hq_acked_hash: str
    pull: "PullResponse | None" = None  # protocol 2: what GET /sync/pull?after=pull_cursor answers, when sent


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
    "staff",          # one of this store's staff (name, role, pin_hash, active)
    "label_key",      # HQ's label public key, made or retired (chain-wide)
    "member_key",     # a member's phone public key (chain-wide)
    "lots_differ",    # HQ took a member's points from other lots than an event named: fetch the member again
    "stock",          # HQ's count of a gift at this store: {gift_id, location, qty, as_of}
    "device_key",     # a device's public key that signs pickup codes and coupons (chain-wide)
    "code_used",      # a pickup or coupon used somewhere in the chain (chain-wide): refuse it from now on
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


def _check_granted(lot: tuple[Any, ...]) -> tuple[Any, ...]:
    if len(lot) > 5 and lot[5] is not None and type(lot[5]) is not int:
        raise PydanticCustomError("lot_granted",
                                  "a lot's sixth field, its amount granted, should be an integer or null")
    return lot


def _snapshot_lot_schema(source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
    # [lot_id, account, remaining, available_at, expires_at, *more]: five typed fields, then whatever a
    # newer HQ adds (kept as sent); pydantic has no annotation for a tuple with a variadic tail.
    head = [handler.generate_schema(t) for t in (StrictStr, StrictStr, StrictInt, IsoTime, IsoTime, Any)]
    return core_schema.no_info_after_validator_function(
        _check_granted, core_schema.tuple_schema(head, variadic_item_index=5))


# A lot of a member lookup: [lot_id, account, remaining, available_at, expires_at, amount granted, ...].
SnapshotLot = Annotated[tuple[str, str, int, str, str, Unpack[tuple[Any, ...]]],
                        GetPydanticSchema(_snapshot_lot_schema)]


class MemberLookup(Wire):
    """A member unknown locally, fetched from HQ by phone or card while online."""

    member: dict[str, Any]
    balances: dict[str, int]
    # The member's lots with points left: [lot_id, account, remaining, available_at, expires_at,
    # amount granted] (ISO times, kept as the text they came as), so later events that take from them,
    # or give back into them, apply locally. (HQ before 2026-11 sent the first five only; the sixth is
    # an integer or null, and fields a newer HQ adds after it are kept as sent.) From this answer on,
    # HQ sends the store every event touching the member as pull items of type "event".
    lots: list[SnapshotLot] = Field(default_factory=list)
    as_of_hq_seq: int = 0  # the snapshot includes everything up to this hq_seq


# --- pull documents: what each PullItem.data carries ------------------------------------
#
# Each item type's `data` is one of these models, read by the till (pos_app.sync.catalogue, .pull,
# .stock, .chain_codes, .remote_events) and checked by HQ as it writes the item (hq_server.feed), so a
# document HQ writes is one a till reads. They type the document's own fields and keep everything else
# (extra="allow": a newer HQ may add a field without an older till dropping the item), and they never
# coerce (strict: 5.0 is not 5, "1" is not 1), so dump() is the document as sent: the same canonical JSON,
# the same hash (tests/sync/test_pull_documents.py). Times stay the ISO text they came as.
# A catalogue record's own fields (a product's price, a gift's window, ...) are read by its domain
# parser (pos_app.domain.*.parse_*), the one HQ checks the record with (the domain has no pydantic).


class Document(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, strict=True)

    def dump(self) -> dict[str, Any]:
        """The document as sent: the keys present, as JSON values."""
        return self.model_dump(mode="json", exclude_unset=True)


NonEmpty = Annotated[StrictStr, Field(min_length=1)]
HexKey = Annotated[StrictStr, Field(pattern=r"^[0-9a-f]{64}$")]
OptionalTime = Annotated[StrictStr, AfterValidator(lambda v: v if v == "" else iso_time(v))] | None


class CatalogueRecord(Document):
    """product, gift, coupon_type, campaign, lottery, tier: {key, deleted?, ...the record's fields}."""

    key: StrictStr | None = None
    deleted: StrictBool = False


class RulesDocument(Document):
    """The earn rules document (its fields: pos_app.domain.rules.parse_rules)."""

    version: StrictInt | None = None
    doc: dict[str, Any]
    effective_at: OptionalTime = None


class OfflineLimitsDocument(OfflineLimits):
    """HQ's offline limits for the chain or one store."""

    model_config = ConfigDict(extra="allow", frozen=True, strict=True)
    scope: Literal["chain", "store"] = "chain"

    def dump(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_unset=True)

    def limits(self) -> OfflineLimits:
        return OfflineLimits(**self.model_dump(include=set(OfflineLimits.model_fields)))


class StaffDocument(Document):
    staff_id: StrictStr | None = None
    name: NonEmpty
    role: Literal["cashier", "manager", "admin"]
    pin_hash: NonEmpty
    active: StrictBool | StrictInt = True
    store_id: StrictStr | None = None


class MemberDocument(Document):
    """HQ's current record of a member (per-field last writer by hq_seq)."""

    member_id: StrictStr | None = None
    phone: StrictStr
    name: StrictStr
    card_no: StrictStr
    tier: StrictStr | None = None
    referral_code: StrictStr | None = None
    referred_by: StrictStr | None = None
    home_store: StrictStr | None = None
    pin_hash: StrictStr | None = None
    risk_flag: StrictStr | None = None
    merged_into: StrictStr | None = None
    created_at: OptionalTime = None
    hq_seq: StrictInt | None = None

    FIELDS: ClassVar[tuple[str, ...]] = ("phone", "name", "tier", "card_no", "referral_code", "referred_by",
                                         "home_store", "pin_hash", "risk_flag", "merged_into")

    def values(self) -> dict[str, str | None]:
        """The record's member fields that the document carried."""
        return {f: getattr(self, f) for f in self.FIELDS if f in self.model_fields_set}


class LabelClaimDocument(Document):
    serial: StrictStr | None = None
    sku: StrictStr | None = None
    points: StrictInt = 0
    member_id: NonEmpty
    event_id: NonEmpty
    store_id: StrictStr | None = None


class LabelKeyDocument(Document):
    key_id: StrictStr | None = None
    public_key: HexKey
    active: StrictBool
    created_at: OptionalTime = None
    retired_at: OptionalTime = None


class MemberKeyDocument(Document):
    member_id: StrictStr | None = None
    key_id: StrictStr
    public_key: HexKey


class DeviceKeyDocument(Document):
    key_id: StrictStr | None = None
    store_id: NonEmpty
    public_key: HexKey


class CodeUsedDocument(Document):
    code: StrictStr | None = None
    event_id: StrictStr
    store_id: StrictStr
    hq_seq: StrictInt | None = None
    freed: StrictBool = False


class StockDocument(Document):
    gift_id: NonEmpty
    location: StrictStr | None = None
    qty: StrictInt
    as_of: StrictInt


class EventStatusDocument(Document):
    event_id: StrictStr
    status: StrictStr
    reason: StrictStr | None = None


class EventPayload(LedgerPart):
    """An event's payload as a pull item carries it: its ledger part typed (LedgerPart), the rest kept as sent
    (extra="allow"), so the payload's canonical JSON, and its hash, are the same after validation."""

    model_config = ConfigDict(extra="allow", frozen=True)


class EventDocument(Document):
    """An event made elsewhere (another store, or HQ's correction: hq_server.ledger.ingest.event_doc_json):
    the wire event's fields plus HQ's sequence and status."""

    event_id: NonEmpty
    payload: EventPayload
    device_time: IsoTime
    kind: StrictStr = ""
    store_id: StrictStr = ""
    device_id: StrictStr = ""
    device_seq: StrictInt | None = None
    staff_id: StrictStr | None = None
    rule_version: StrictInt = 0
    member_id: StrictStr | None = None
    payload_hash: StrictStr | None = None
    hq_seq: StrictInt | None = None
    status: StrictStr | None = None


class LotsDifferDocument(Document):
    member_id: StrictStr
    event_id: StrictStr | None = None
    hq_seq: StrictInt


# The document model of each pull item type whose data is checked on both sides (`balance` is kept as HQ
# sent it). HQ writes an `event` item as canonical JSON already (ingest.event_doc_json), unchecked there.
DOCUMENTS: dict[str, type[BaseModel]] = {
    **{t: CatalogueRecord for t in ("product", "gift", "coupon_type", "campaign", "lottery", "tier")},
    "rules": RulesDocument, "offline_limits": OfflineLimitsDocument, "staff": StaffDocument,
    "member": MemberDocument, "label_claim": LabelClaimDocument, "label_key": LabelKeyDocument,
    "member_key": MemberKeyDocument, "device_key": DeviceKeyDocument, "code_used": CodeUsedDocument,
    "stock": StockDocument, "event_status": EventStatusDocument, "lots_differ": LotsDifferDocument,
    "event": EventDocument,
}


def check_document(type_: str, data: dict[str, Any]) -> None:
    """Raise ValidationError when `data` is not a document of the pull item type (HQ, as it writes one)."""
    model = DOCUMENTS.get(type_)
    if model is not None:
        model.model_validate(data)


# --- keys that sign codes any store takes (DESIGN.md 11) -----------------------------

class SigningKeyRequest(Wire):
    """POST /api/v1/sync/signing-key: the public half of the key this device signs pickup codes and
    coupons with; HQ tells every store (pull item device_key)."""

    public_key: str = Field(pattern=r"^[0-9a-f]{64}$")


class SigningKeyAnswer(Wire):
    key_id: str


# --- per-device sanity check ---------------------------------------------------------

EMPTY_HASH = "0" * 64


def roll_hash(previous: str, device_seq: int, event_id: str, event_payload_hash: str) -> str:
    """One step of the rolling hash over acknowledged events in device_seq order.

    Both sides compute it the same way; when HQ's (count, hash) differs from the store's,
    the handshake asks for a full re-push, which HQ deduplicates by event_id.
    """
    return hashlib.sha256(f"{previous}:{device_seq}:{event_id}:{event_payload_hash}".encode()).hexdigest()


PushResponse.model_rebuild()  # its `pull` names PullResponse, defined after it
