"""The audit log (issue 14): every change made from the console, who made it, when, what it was, and
the record before and after. A use case writes its entry inside its own transaction, so a change
and its entry commit together or not at all; nothing updates or deletes an entry.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Select, or_, select

from hq_server.db import Database
from hq_server.errors import HQProblem
from hq_server.programme.audit_tables import audit_log
from hq_server.programme.listing import ListQuery, ListShape, Page, fetch
from hq_server.roles import StaffRole


@dataclass(frozen=True)
class Actor:
    """Who is making a change (the signed-in staff member), as the log and the ledger name them."""
    username: str
    role: StaffRole
    store_id: str | None = None


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def record(conn: Connection, actor: Actor, action: str, target: str, *, before: Any = None, after: Any = None,
           note: str | None = None, at: datetime) -> None:
    """Write one entry in the caller's transaction. `action` is a dotted name (catalog.put,
    member.adjust); `target` names the record (product:TEA, member:<id>)."""
    conn.execute(audit_log.insert().values(at=at, actor=actor.username, role=str(actor.role), action=action,
                                           target=target[:120], before=_json(before), after=_json(after),
                                           note=note))


def _since(stmt: Select[Any], value: str) -> Select[Any]:
    return stmt.where(audit_log.c.at >= _day(value))


def _until(stmt: Select[Any], value: str) -> Select[Any]:
    return stmt.where(audit_log.c.at < _day(value) + timedelta(days=1))


def _day(value: str) -> datetime:
    try:
        return datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        raise HQProblem(422, "bad_filter", f"a day is written YYYY-MM-DD, not {value!r}") from None


a = audit_log.c
SHAPE = ListShape(
    sorts={"at": a.at, "actor": a.actor, "action": a.action, "target": a.target},
    default_sort=(a.at.desc(),), tiebreak=(a.id.desc(),),
    filters={"actor": lambda s, v: s.where(a.actor == v), "action": lambda s, v: s.where(a.action == v),
             "target": lambda s, v: s.where(a.target.startswith(v, autoescape=True)),
             "since": _since, "until": _until},
    search=lambda s, v: s.where(or_(a.target.contains(v, autoescape=True), a.note.contains(v, autoescape=True),
                                    a.actor == v)))


def _row(r: Any) -> dict[str, Any]:
    d = dict(r._mapping)
    d["before"] = json.loads(d["before"]) if d["before"] is not None else None
    d["after"] = json.loads(d["after"]) if d["after"] is not None else None
    return d


def search(db: Database, query: ListQuery) -> Page:
    """The admins' search of the log: by who, what, which record, which days, or any text."""
    with db.read() as conn:
        return fetch(conn, select(audit_log), query, SHAPE, _row)


def actions(db: Database) -> list[str]:
    """The action names the log holds (the filter's choices)."""
    with db.read() as conn:
        return list(conn.execute(select(a.action).distinct().order_by(a.action)).scalars())
