"""Rule 6: the same member edited in two places: per-field last writer by hq_seq, every patch kept;
two members with one phone number become a merge task. HQ's records of its members, and the member
items the stores that hold a member pull.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select, update

from hq_server import models as M
from hq_server.ledger.decisions import ConflictStatus, EventStatus
from hq_server.ledger.event_row import EventRow
from pos_app.domain import ledger as L
from pos_app.domain.ledger import Kind

if TYPE_CHECKING:
    from hq_server.ledger.ingest import Ingest

PROFILE_FIELDS = ("name", "phone", "birthday", "note", "tier", "pin_hash")


PATCH_KINDS = (Kind.MEMBER_PATCH, Kind.TIER_CHANGE)
MEMBER_KINDS = (Kind.MEMBER_REGISTER, *PATCH_KINDS)


def member_event(ing: Ingest, row: EventRow, payload: dict[str, Any]) -> None:
    kind, member_id = row.kind, row.member_id
    if member_id is None:
        return  # checks.parse refuses a member event without its member
    m = M.members.c
    if kind == Kind.MEMBER_REGISTER:
        exists = ing.conn.execute(select(m.member_id).where(m.member_id == member_id)).first()
        if exists is None:
            ing.conn.execute(M.members.insert().values(
                member_id=member_id, phone=str(payload.get("phone", "")), name=str(payload.get("name", "")),
                tier=str(payload.get("tier") or "basic"), card_no=str(payload.get("card_no", "")),
                referral_code=payload.get("referral_code"), referred_by=payload.get("referred_by"),
                home_store=str(payload.get("home_store") or row.store_id), created_at=row.device_time,
                pin_hash=payload.get("pin_hash"), updated_seq=row.hq_seq,
                risk_flag=_debt_flag(ing, member_id)))
        _same_phone(ing, row, member_id, str(payload.get("phone", "")))
        if exists is None:
            _replay_early_patches(ing, row)
    elif kind in PATCH_KINDS:
        _patch(ing, row, payload, row.hq_seq)
    member_item(ing, member_id)


def _debt_flag(ing: Ingest, member_id: str) -> str | None:
    """A member registered after a double spend of theirs reached HQ (rule 1 found no record to flag
    then): the record starts flagged with what is owed."""
    owed = -ing.book.balance(L.debt_account(member_id))
    return f"double_spend: {owed} points owed (before the member's record reached HQ)" if owed > 0 else None


def _patch(ing: Ingest, row: EventRow, payload: dict[str, Any], updated_seq: int) -> None:
    """One member_patch (or tier_change) over HQ's record of the member; nothing while HQ has no record
    (the patch is kept, and the register replays it: _replay_early_patches)."""
    m = M.members.c
    member_id = row.member_id
    if member_id is None:
        return
    fields = payload.get("fields", {}) if row.kind == Kind.MEMBER_PATCH else {"tier": payload.get("to")}
    current = ing.conn.execute(select(M.members).where(m.member_id == member_id)).first()
    if current is None or not isinstance(fields, dict):
        return
    # Per-field last writer by hq_seq: patches reach this line in hq_seq order (after the register).
    values = {k: v for k, v in fields.items() if k in PROFILE_FIELDS and k not in ("birthday", "note")
              and isinstance(v, str)}
    extra = json.loads(current.extra or "{}")
    extra.update({k: v for k, v in fields.items() if k in ("birthday", "note")})
    ing.conn.execute(update(M.members).where(m.member_id == member_id)
                     .values(**values, extra=json.dumps(extra, ensure_ascii=False), updated_seq=updated_seq))
    if "phone" in values:
        _same_phone(ing, row, member_id, values["phone"])


def _replay_early_patches(ing: Ingest, register: EventRow) -> None:
    """Patches of the member that reached HQ before its register (a reordered push, or another store
    syncing first) found no record and changed nothing: they are applied now over the registered
    record, in hq_seq order, as if they had arrived after it. So per field the last patch by hq_seq
    wins, and the record is the one the in-order arrival makes, whatever the order."""
    e = M.events.c
    member_id, upto = register.member_id, register.hq_seq
    early = {r.event_id: EventRow.stored(r) for r in ing.conn.execute(
        select(M.events).where(e.member_id == member_id, e.kind.in_([str(k) for k in PATCH_KINDS])))}
    early.update({i: r for i, r in ing.rows.items() if r.member_id == member_id and r.kind in PATCH_KINDS
                  and r.hq_seq < upto})  # this push's, not stored yet (later ones are applied after this)
    for row in sorted(early.values(), key=lambda r: r.hq_seq):
        if row.status == EventStatus.APPLIED:
            _patch(ing, row, json.loads(row.payload), upto)


def _same_phone(ing: Ingest, row: EventRow, member_id: str, phone: str) -> None:
    m = M.members.c
    others = ing.conn.execute(select(m.member_id).where(m.phone == phone, m.member_id != member_id,
                                                        m.merged_into.is_(None))).scalars().all()
    for other in others:
        ing.conflict(6, "same_phone", row, {"phone": phone, "members": sorted([member_id, other])},
                     status=ConflictStatus.OPEN,
                     tag=f"same_phone:{other}")


def member_item(ing: Ingest, member_id: str) -> None:
    doc = member_doc(ing.conn, member_id)
    if doc:
        ing.feed.to_stores(ing.followers(member_id), "member", member_id, doc)


def member_doc(conn: Connection, member_id: str) -> dict[str, Any] | None:
    r = conn.execute(select(M.members).where(M.members.c.member_id == member_id)).first()
    if r is None:
        return None
    d = {k: v for k, v in r._mapping.items() if k not in ("extra", "updated_seq")}
    d["created_at"] = r.created_at.isoformat()
    d.update(json.loads(r.extra or "{}"))
    d["hq_seq"] = r.updated_seq
    return d


def flag_at_risk(ing: Ingest, member_id: str, text: str) -> None:
    """The member's record is flagged (rule 1's double spend) and sent again to the stores holding it."""
    ing.conn.execute(update(M.members).where(M.members.c.member_id == member_id).values(risk_flag=text))
    member_item(ing, member_id)
