"""Admin reads of members and the chain, and the member merge that closes a same-phone task."""

from __future__ import annotations

from typing import Any

import json
from datetime import datetime

from sqlalchemy import Connection, or_, select, update

from hq_server import models as M
from hq_server.db import Seq
from hq_server.errors import HQProblem
from hq_server.ledger.decisions import ConflictStatus, correction_id
from hq_server.ledger.event_row import Subject
from hq_server.ledger.ingest import Ingest
from hq_server.ledger.member_records import member_doc, member_item
from pos_app.domain import ledger as L
from pos_app.domain.ledger import Kind, LotGrant, LotTake
from pos_app.domain.members import normalize_phone


# Only the tills that check a member's PIN offline need its hash (they get it by pull and lookup); no
# answer to HQ's staff carries it: argon2 of a 4-8 digit PIN is cheap to try offline.
_NOT_FOR_STAFF = ("pin_hash",)


def staff_view(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in _NOT_FOR_STAFF}


def search(conn: Connection, q: str) -> list[dict[str, Any]]:
    m = M.members.c
    ids = conn.execute(select(m.member_id).where(or_(m.phone == normalize_phone(q), m.card_no == q,
                                                     m.member_id == q, m.name == q)).limit(50)).scalars().all()
    return [staff_view(doc) for i in ids if (doc := member_doc(conn, i)) is not None]


def member_accounts(member_id: str) -> list[str]:
    """Every account a member holds: one per point type, and their debt."""
    return [L.member_account(member_id, t) for t in L.PointType] + [L.debt_account(member_id)]


def detail(conn: Connection, member_id: str) -> dict[str, Any] | None:
    doc = member_doc(conn, member_id)
    if doc is None:
        return None
    doc = staff_view(doc)
    b = M.balances.c
    doc["balances"] = dict(conn.execute(select(b.account, b.balance)
                                        .where(b.account.in_(member_accounts(member_id)))).all())
    e = M.events.c
    doc["history"] = [dict(r._mapping) for r in conn.execute(
        select(e.event_id, e.hq_seq, e.kind, e.store_id, e.device_time, e.status, e.flags)
        .where(e.member_id == member_id).order_by(e.hq_seq.desc()).limit(100))]
    return doc


def merge(conn: Connection, seq: Seq, conflict_id: str, keep: str, now: datetime) -> dict[str, Any]:
    task = conn.execute(select(M.conflicts).where(M.conflicts.c.conflict_id == conflict_id)).first()
    if task is None:
        raise HQProblem(404, "not_found", f"no conflict {conflict_id}")
    if task.kind != "same_phone":
        raise HQProblem(409, "not_a_merge_task", f"conflict {conflict_id} is a {task.kind}, not a same-phone task")
    if task.status != ConflictStatus.OPEN:
        raise HQProblem(409, "already_resolved", f"conflict {conflict_id} is already resolved")
    pair = json.loads(task.detail)["members"]
    if keep not in pair:
        raise HQProblem(422, "invalid_body", f"keep must be one of {', '.join(pair)}")
    drop = next(x for x in pair if x != keep)
    ing = Ingest(conn, seq, M.HQ_ORIGIN, now)
    for store in sorted(ing.followers(drop)):  # whoever followed either member hears of the merge
        ing.follow(keep, store)
    postings, grants, takes = [], [], []
    for ptype in L.PointType:
        src, dst = L.member_account(drop, ptype), L.member_account(keep, ptype)
        bal = ing.book.balance(src)
        if bal:
            postings += [(src, -bal), (dst, bal)]
        for lot in ing.book.lots_of(src):
            takes.append(LotTake(lot.lot_id, lot.remaining))
            grants.append(LotGrant(correction_id(conflict_id, f"lot:{lot.lot_id}"), dst, lot.remaining,
                                   lot.available_at, lot.expires_at))
    owed = ing.book.balance(L.debt_account(drop))
    if owed:
        postings += [(L.debt_account(drop), -owed), (L.debt_account(keep), owed)]
    subject = Subject(conflict_id, M.HQ_ORIGIN, drop)
    cid = ing.correct(subject, "member_merge", Kind.MEMBER_MERGE, {"from": drop, "into": keep, "task": conflict_id},
                      [(p.account, p.amount) for p in L.merge_postings([L.Posting(a, n) for a, n in postings])],
                      grants=tuple(grants), takes=tuple(takes), member_id=keep)
    conn.execute(update(M.members).where(M.members.c.member_id == drop).values(merged_into=keep))
    conn.execute(update(M.conflicts).where(M.conflicts.c.conflict_id == conflict_id)
                 .values(status=ConflictStatus.RESOLVED, made_events=json.dumps([cid])))
    member_item(ing, drop)
    member_item(ing, keep)
    ing.flush()
    return {"conflict_id": conflict_id, "kept": keep, "merged": drop, "event_id": cid}
