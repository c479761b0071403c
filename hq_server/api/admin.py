"""The admin API: stores and enrolment, catalogue, rules, staff, offline limits, members,
chain reports and the conflict list. Every change a store must know becomes a pull item
in the same transaction."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection, func, select, update

from hq_server import admin_answers as A
from hq_server import members_admin, reports
from hq_server import models as M
from hq_server import roles as R
from hq_server.auth import Staff, get_db, now, require, require_store
from hq_server.ledger.checks import utc
from hq_server.db import Database
from hq_server.errors import HQProblem
from hq_server.feed import FeedWriter
from hq_server.limits import CHAIN_KEY
from hq_server.security import new_secret, secret_hash
from hq_server.programme import catalogue, conflict_tasks, store_staff, tiers
from hq_server.programme.audit import Actor
from hq_server.wire_time import UtcDateTime
from pos_app.domain.ids import ID_PATTERN, new_id
from pos_app.domain.ledger import canonical_json
from pos_app.domain.rules import Rules, parse_rules
from pos_app.domain.staff import Role
from pos_app.sync.wire import OfflineLimits, Problem

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])
PROBLEMS: dict[int | str, dict[str, Any]] = {code: {"model": Problem} for code in (401, 403, 404, 409, 422)}
Catalogue = Depends(require(R.CATALOGUE))
CatalogueRead = Depends(require(R.CATALOGUE_READ))
StoreWork = Depends(require(R.STORES))
ChainAdmin = Depends(require(R.USERS))
MembersRead = Depends(require(R.MEMBERS_READ))
Reports = Depends(require(R.REPORTS))
Conflicts = Depends(require(R.CONFLICTS))
ConflictsRead = Depends(require(R.CONFLICTS_READ))


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- stores and enrolment ---------------------------------------------------------------

class StoreIn(Body):
    store_id: str | None = Field(default=None, min_length=1, max_length=36, pattern=r"^[A-Za-z0-9_-]+$")
    name: str = Field(min_length=1, max_length=80)


class StoreOut(BaseModel):
    store_id: str
    name: str
    created_at: UtcDateTime
    offline_limits: OfflineLimits | None = None


@router.post("/stores", response_model=StoreOut, status_code=201, responses=PROBLEMS)
def create_store(body: StoreIn, _who: Staff = ChainAdmin, db: Database = Depends(get_db)) -> StoreOut:
    store_id = body.store_id or new_id()
    if store_id == M.HQ_ORIGIN or store_id == M.CHAIN:
        raise HQProblem(422, "invalid_body", f"{store_id!r} is reserved")
    with db.write() as (conn, _seq):
        if conn.execute(select(M.stores.c.store_id).where(M.stores.c.store_id == store_id)).first():
            raise HQProblem(409, "store_exists", f"store {store_id} already exists")
        at = now()
        conn.execute(M.stores.insert().values(store_id=store_id, name=body.name, created_at=at))
    return StoreOut(store_id=store_id, name=body.name, created_at=at)


@router.get("/stores", response_model=list[StoreOut])
def list_stores(_who: Staff = CatalogueRead, db: Database = Depends(get_db)) -> list[StoreOut]:
    with db.read() as conn:
        rows = conn.execute(select(M.stores).order_by(M.stores.c.created_at)).all()
    return [StoreOut(store_id=r.store_id, name=r.name, created_at=r.created_at,
                     offline_limits=json.loads(r.offline_limits) if r.offline_limits else None) for r in rows]


class EnrolmentToken(BaseModel):
    token: str
    expires_at: UtcDateTime


class TokenIn(Body):
    hours: int = Field(default=24, ge=1, le=24 * 14)


@router.post("/stores/{store_id}/enrolment-tokens", response_model=EnrolmentToken, status_code=201, responses=PROBLEMS)
def enrolment_token(store_id: str, body: TokenIn | None = None, who: Staff = StoreWork,
                    db: Database = Depends(get_db)) -> EnrolmentToken:
    """A one-time token a store device trades for its key at POST /api/v1/enrol."""
    require_store(who, store_id)
    body = body or TokenIn()
    token, at = new_secret(), now()
    with db.write() as (conn, _seq):
        _require_store(conn, store_id)
        conn.execute(M.enrol_tokens.insert().values(token_hash=secret_hash(token), store_id=store_id, created_at=at,
                                                    expires_at=at + timedelta(hours=body.hours)))
    return EnrolmentToken(token=token, expires_at=at + timedelta(hours=body.hours))


@router.post("/devices/{device_id}/revoke", status_code=204, responses=PROBLEMS)
def revoke_device(device_id: str, who: Staff = StoreWork, db: Database = Depends(get_db)) -> None:
    with db.write() as (conn, _seq):
        store_id = conn.execute(select(M.devices.c.store_id).where(M.devices.c.device_id == device_id)).scalar()
        if store_id is None:
            raise HQProblem(404, "not_found", f"no device {device_id}")
        require_store(who, store_id)
        conn.execute(update(M.devices).where(M.devices.c.device_id == device_id).values(revoked=1))


def _require_store(conn: Connection, store_id: str) -> None:
    if conn.execute(select(M.stores.c.store_id).where(M.stores.c.store_id == store_id)).first() is None:
        raise HQProblem(404, "store_unknown", f"no store {store_id}")


# --- offline limits -------------------------------------------------------------------------

@router.put("/offline-limits", response_model=OfflineLimits, responses=PROBLEMS)
def chain_limits(body: OfflineLimits, _who: Staff = Catalogue, db: Database = Depends(get_db)) -> OfflineLimits:
    doc = body.model_dump_json()
    with db.write() as (conn, seq):
        if conn.execute(update(M.settings).where(M.settings.c.key == CHAIN_KEY).values(value=doc)).rowcount == 0:
            conn.execute(M.settings.insert().values(key=CHAIN_KEY, value=doc))
        feed = FeedWriter(seq)
        feed.add(M.CHAIN, "offline_limits", "chain", {"scope": "chain", **body.model_dump()})
        feed.flush(conn)
    return body


@router.put("/stores/{store_id}/offline-limits", response_model=OfflineLimits, responses=PROBLEMS)
def store_limits(store_id: str, body: OfflineLimits, _who: Staff = Catalogue,
                 db: Database = Depends(get_db)) -> OfflineLimits:
    with db.write() as (conn, seq):
        _require_store(conn, store_id)
        conn.execute(update(M.stores).where(M.stores.c.store_id == store_id)
                     .values(offline_limits=body.model_dump_json()))
        feed = FeedWriter(seq)
        feed.add(store_id, "offline_limits", store_id, {"scope": "store", **body.model_dump()})
        feed.flush(conn)
    return body


# --- catalogue: products, gifts, coupon types, campaigns, lotteries, tiers -----------------

CatalogType = Literal["product", "gift", "coupon_type", "campaign", "lottery", "tier"]


@router.put("/catalog/{type_}/{key}", response_model=A.CatalogItemOut, responses=PROBLEMS)
def put_item(type_: CatalogType, key: str, data: dict[str, Any], _who: Staff = Catalogue,
             db: Database = Depends(get_db)) -> dict[str, Any]:
    """Create or replace a record, checked with the tills' own parser (422 naming each bad field)."""
    r = catalogue.put_record(db, type_=type_, key=key, data=data, now=now())
    return {"type": r.type, "key": r.key, "hq_seq": r.hq_seq, "data": r.data}


@router.delete("/catalog/{type_}/{key}", status_code=204, responses=PROBLEMS)
def delete_item(type_: CatalogType, key: str, _who: Staff = Catalogue, db: Database = Depends(get_db)) -> None:
    catalogue.delete_record(db, type_=type_, key=key, now=now())


@router.get("/catalog/{type_}", response_model=list[A.CatalogEntryOut])
def list_items(type_: CatalogType, _who: Staff = CatalogueRead, db: Database = Depends(get_db)) -> list[dict[str, Any]]:
    return [{"key": r.key, "hq_seq": r.hq_seq, "data": r.data} for r in catalogue.list_records(db, type_)]


# --- rules ----------------------------------------------------------------------------------

class RulesIn(Body):
    doc: dict[str, Any]
    effective_at: datetime | None = None


@router.post("/rules", response_model=A.RulesOut, status_code=201, responses=PROBLEMS)
def publish_rules(body: RulesIn, _who: Staff = Catalogue, db: Database = Depends(get_db)) -> dict[str, Any]:
    """A new rules version (the store app's rules document; pos_app.domain.rules validates it)."""
    with db.write() as (conn, seq):
        version = (conn.execute(select(func.max(M.rules.c.version))).scalar() or 0) + 1
        doc = {**body.doc, "version": version}
        parsed = parse_rules(doc)
        if not isinstance(parsed, Rules):
            raise HQProblem(422, "invalid_rules", "; ".join(str(p) for p in parsed))
        tiers.check_rules_tiers(conn, parsed.tiers)
        at = utc(body.effective_at) if body.effective_at else now()
        conn.execute(M.rules.insert().values(version=version, doc=canonical_json(doc), effective_at=at))
        feed = FeedWriter(seq)
        feed.add(M.CHAIN, "rules", str(version), {"version": version, "doc": doc, "effective_at": at.isoformat()})
        feed.flush(conn)
    return {"version": version, "effective_at": at}


# --- staff ----------------------------------------------------------------------------------

class StaffIn(Body):
    name: str = Field(min_length=1, max_length=40)
    role: Role
    pin: str | None = None
    active: bool = True


@router.put("/stores/{store_id}/staff/{staff_id}", response_model=A.StaffOut, responses=PROBLEMS)
def put_staff(store_id: str, staff_id: str, body: StaffIn, who: Staff = StoreWork,
              db: Database = Depends(get_db)) -> dict[str, Any]:
    require_store(who, store_id)
    return store_staff.save_staff(db, None, store_id, staff_id, name=body.name, role=str(body.role), pin=body.pin,
                                  active=body.active, now=now())


@router.get("/stores/{store_id}/staff", response_model=list[A.StaffOut])
def list_staff(store_id: str, who: Staff = StoreWork, db: Database = Depends(get_db)) -> list[dict[str, Any]]:
    require_store(who, store_id)
    return store_staff.staff_of(db, store_id)


# --- members, reports, conflicts --------------------------------------------------------------

@router.get("/members", response_model=list[A.MemberOut])
def find_members(q: str = Query(min_length=1, max_length=40), _who: Staff = MembersRead,
                 db: Database = Depends(get_db)) -> list[dict[str, Any]]:
    with db.read() as conn:
        return members_admin.search(conn, q)


@router.get("/members/{member_id}", response_model=A.MemberDetailOut, responses=PROBLEMS)
def member(member_id: str = Path(pattern=ID_PATTERN, description="the member's id (a UUID)"), _who: Staff = MembersRead, db: Database = Depends(get_db)) -> dict[str, Any]:
    with db.read() as conn:
        doc = members_admin.detail(conn, member_id)
    if doc is None:
        raise HQProblem(404, "member_unknown", f"no member {member_id}")
    return doc


@router.get("/reports/chain", response_model=A.ChainReportOut, responses=PROBLEMS)
def chain_report(first: date | None = Query(None, description="first local day (YYYY-MM-DD); none: all time"),
                 last: date | None = Query(None, description="last local day, inclusive (default: first)"),
                 tz: str = Query("Asia/Shanghai", max_length=64, description="the days' time zone"),
                 _who: Staff = Reports, db: Database = Depends(get_db)) -> dict[str, Any]:
    """Per store: events, points issued and redeemed, last device contact. All time: the
    stores' balances (net). For days first..last: each flow gross, beside what came back
    (points_reversed, points_returned)."""
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise HQProblem(422, "bad_timezone", f"unknown time zone {tz!r}") from None
    if last is not None and first is None:
        raise HQProblem(422, "bad_range", "give first (and last) for a range")
    with db.read() as conn:
        return reports.chain_report(conn, first, last, zone)


@router.get("/conflicts", response_model=list[A.ConflictOut])
def list_conflicts(rule: int | None = Query(None, ge=1, le=7), status: Literal["open", "resolved"] | None = None,
                   after: int = Query(0, ge=0), limit: int = Query(200, ge=1, le=1000), _who: Staff = ConflictsRead,
                   db: Database = Depends(get_db)) -> list[dict[str, Any]]:
    """Every merge decision with the events it made, oldest first."""
    c = M.conflicts.c
    q = select(M.conflicts).where(c.hq_seq > after)
    if rule is not None:
        q = q.where(c.rule == rule)
    if status is not None:
        q = q.where(c.status == status)
    with db.read() as conn:
        rows = conn.execute(q.order_by(c.hq_seq, c.conflict_id).limit(limit)).all()
    return [{**{k: v for k, v in r._mapping.items() if k not in ("detail", "made_events")},
             "detail": json.loads(r.detail), "made_events": json.loads(r.made_events)} for r in rows]


class ResolveIn(Body):
    note: str = Field(min_length=1, max_length=400, description="what HQ decided, for the record")


@router.post("/conflicts/{conflict_id}/resolve", response_model=A.ResolvedOut, responses=PROBLEMS)
def resolve_conflict(conflict_id: str, body: ResolveIn, who: Staff = Conflicts, db: Database = Depends(get_db)) -> dict[str, Any]:
    """Close an open task (e.g. a label HQ never issued) with what was decided: who, when and the note
    are kept in its detail, and the change in the audit log (the console's use case). Points to take back
    are a store manager's adjustment at the member's store."""
    detail = conflict_tasks.resolve(db, Actor(who.username, who.role, who.store_id), conflict_id, body.note, now())
    return {"conflict_id": conflict_id, "status": "resolved", "detail": detail}


class MergeIn(Body):
    keep: str = Field(min_length=1, max_length=36)


@router.post("/conflicts/{conflict_id}/merge", response_model=A.MergedOut, responses=PROBLEMS)
def merge_members(conflict_id: str, body: MergeIn, _who: Staff = Conflicts, db: Database = Depends(get_db)) -> dict[str, Any]:
    """Resolve a same-phone merge task: the other member's points move to `keep` (a member_merge event)."""
    with db.write() as (conn, seq):
        return members_admin.merge(conn, seq, conflict_id, body.keep, now())

