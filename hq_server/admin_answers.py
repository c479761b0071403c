"""The admin API's answers, typed: what the OpenAPI document promises is what goes out, and every
date-time carries its zone (UtcDateTime)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from hq_server.wire_time import UtcDateTime


class CatalogItemOut(BaseModel):
    type: str
    key: str
    hq_seq: int
    data: dict[str, Any]


class CatalogEntryOut(BaseModel):
    key: str
    hq_seq: int
    data: dict[str, Any]


class RulesOut(BaseModel):
    version: int
    effective_at: UtcDateTime


class StaffOut(BaseModel):
    staff_id: str
    store_id: str | None = None
    name: str
    role: str
    active: bool


class MemberOut(BaseModel):
    """A member as HQ's staff see them (never their PIN hash). Fields a till patched beyond these
    (birthday, note, ...) come along."""
    model_config = ConfigDict(extra="allow")
    member_id: str
    phone: str
    name: str
    tier: str
    card_no: str
    referral_code: str | None = None
    referred_by: str | None = None
    home_store: str
    created_at: UtcDateTime
    risk_flag: str | None = None
    merged_into: str | None = None
    hq_seq: int


class HistoryRow(BaseModel):
    event_id: str
    hq_seq: int
    kind: str
    store_id: str
    device_time: UtcDateTime
    status: str
    flags: str


class MemberDetailOut(MemberOut):
    balances: dict[str, int]
    history: list[HistoryRow]


class StoreFigures(BaseModel):
    store_id: str
    name: str
    events: int
    last_seen: UtcDateTime | None
    points_issued: int
    points_redeemed: int
    points_reversed: int | None = None  # for a range of days only
    points_returned: int | None = None


class ChainReportOut(BaseModel):
    stores: list[StoreFigures]
    members: int
    open_conflicts: int
    ledger_sum: int
    first_day: str | None = None
    last_day: str | None = None
    timezone: str | None = None


class ConflictOut(BaseModel):
    conflict_id: str
    hq_seq: int
    rule: int
    kind: str
    event_id: str | None
    store_id: str | None
    member_id: str | None
    status: str
    detail: dict[str, Any]
    made_events: list[str]
    created_at: UtcDateTime


class ResolvedOut(BaseModel):
    conflict_id: str
    status: str
    detail: dict[str, Any]


class MergedOut(BaseModel):
    conflict_id: str
    kept: str
    merged: str
    event_id: str


class Health(BaseModel):
    ok: bool
    pid: int
