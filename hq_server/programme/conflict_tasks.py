"""The merge rules' tasks as HQ's staff work them (DESIGN.md 6): the list, one task with the events
involved, closing one with a note, and the same-phone merge. Every change is in the audit log."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update

from hq_server import members_admin
from hq_server import models as M
from hq_server.db import Database
from hq_server.errors import HQProblem
from hq_server.programme import audit
from hq_server.programme.audit import Actor
from hq_server.programme.listing import ListQuery, ListShape, Page, fetch
from hq_server.programme.refusals import BadField

c = M.conflicts.c
SHAPE = ListShape(
    sorts={"created_at": c.created_at, "kind": c.kind, "store_id": c.store_id, "status": c.status, "rule": c.rule,
           "hq_seq": c.hq_seq},
    default_sort=(c.hq_seq.desc(),), tiebreak=(c.conflict_id,),
    filters={"kind": lambda s, v: s.where(c.kind == v), "store": lambda s, v: s.where(c.store_id == v),
             "state": lambda s, v: s.where(c.status == v)},
    search=lambda s, v: s.where(or_(c.member_id == v, c.event_id == v, c.conflict_id == v)))

# Tasks HQ closes itself, or only by their own action (as the admin API says).
NOT_BY_HAND = {"waiting_for_original": "HQ closes it when the original event arrives",
               "same_phone": "resolve it by merging the two members"}


def _row(r: Any) -> dict[str, Any]:
    d = dict(r._mapping)
    d["detail"] = json.loads(d["detail"])
    d["made_events"] = json.loads(d["made_events"])
    return d


def find(db: Database, query: ListQuery) -> Page:
    with db.read() as conn:
        return fetch(conn, select(M.conflicts), query, SHAPE, _row)


def kinds(db: Database) -> list[str]:
    with db.read() as conn:
        return list(conn.execute(select(c.kind).distinct().order_by(c.kind)).scalars())


def task(db: Database, conflict_id: str) -> dict[str, Any]:
    """One task with the events it is about and the events HQ made for it."""
    with db.read() as conn:
        row = conn.execute(select(M.conflicts).where(c.conflict_id == conflict_id)).first()
        if row is None:
            raise HQProblem(404, "not_found", f"no conflict {conflict_id}")
        out = _row(row)
        ids = [i for i in [out["event_id"], *out["made_events"], *out["detail"].get("events", [])]
               if isinstance(i, str)]
        e = M.events.c
        events = conn.execute(select(e.event_id, e.hq_seq, e.kind, e.store_id, e.device_id, e.device_time, e.status,
                                     e.member_id, e.payload).where(e.event_id.in_(ids)).order_by(e.hq_seq)).all()
    out["events"] = [{**dict(r._mapping), "payload": json.loads(r.payload),
                      "role": "subject" if r.event_id == out["event_id"] else "made by HQ"} for r in events]
    out["by_hand"] = out["status"] == "open" and out["kind"] not in NOT_BY_HAND
    out["why_not_by_hand"] = NOT_BY_HAND.get(out["kind"])
    return out


def resolve(db: Database, actor: Actor, conflict_id: str, note: str, now: datetime) -> dict[str, Any]:
    """Close an open task with what was decided; who, when and the note go into its detail and the log."""
    note = (note or "").strip()
    if not note:
        raise BadField("note", "write what was decided (the note is kept with the task)")
    if len(note) > 400:
        raise BadField("note", "a note is at most 400 characters")
    with db.write() as (conn, _seq):
        row = conn.execute(select(c.kind, c.status, c.detail).where(c.conflict_id == conflict_id)).first()
        if row is None:
            raise HQProblem(404, "not_found", f"no conflict {conflict_id}")
        if row.status != "open":
            raise HQProblem(409, "not_open", f"conflict {conflict_id} is already {row.status}")
        if row.kind in NOT_BY_HAND:
            raise HQProblem(409, "not_by_hand", f"a {row.kind} task is not closed by hand: {NOT_BY_HAND[row.kind]}")
        detail = {**json.loads(row.detail), "resolution": {"by": actor.username, "at": now.isoformat(), "note": note}}
        conn.execute(update(M.conflicts).where(c.conflict_id == conflict_id)
                     .values(status="resolved", detail=json.dumps(detail, ensure_ascii=False, sort_keys=True)))
        audit.record(conn, actor, "conflict.resolve", f"conflict:{conflict_id}", before={"status": "open"},
                     after={"status": "resolved"}, note=note, at=now)
    return detail


def merge(db: Database, actor: Actor, conflict_id: str, keep: str, now: datetime) -> dict[str, Any]:
    """A same-phone task closed by merging the other member into `keep` (a member_merge event)."""
    with db.write() as (conn, seq):
        done = members_admin.merge(conn, seq, conflict_id, keep, now)
        audit.record(conn, actor, "member.merge", f"conflict:{conflict_id}", before={"status": "open"},
                     after=done, at=now)
    return done
