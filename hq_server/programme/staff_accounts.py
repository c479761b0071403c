"""HQ's staff accounts as the chain's admin runs them from the console: the list, creating or changing
a user (role, store, password, active), lifting a login lock, ending a user's sessions. Each change
and its audit entry commit together; a password is never written to the log (only that it changed).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, select, update

from hq_server import admin_users as U
from hq_server import models as M
from hq_server.db import Database
from hq_server.errors import HQProblem
from hq_server.programme import audit
from hq_server.programme.audit import Actor
from hq_server.programme.listing import ListQuery, ListShape, Page, fetch
from hq_server.programme.refusals import BadField, said
from hq_server.roles import StaffRole
from hq_server.security import hash_password

a, lk = M.admins.c, M.login_locks.c
LIST = (select(a.username, a.role, a.store_id, a.active, a.created_at, a.password_changed_at,
               lk.locked_at.label("locked_at"))
        .select_from(M.admins.outerjoin(M.login_locks, and_(lk.username == a.username, lk.locked_at.is_not(None)))))
SHAPE = ListShape(
    sorts={"username": a.username, "role": a.role, "store_id": a.store_id, "created_at": a.created_at,
           "active": a.active},
    default_sort=(a.username,), tiebreak=(a.username,),
    filters={"role": lambda s, v: s.where(a.role == v), "active": lambda s, v: s.where(a.active == int(v == "1"))},
    search=lambda s, v: s.where(a.username.contains(v, autoescape=True)))


def find(db: Database, query: ListQuery) -> Page:
    with db.read() as conn:
        return fetch(conn, LIST, query, SHAPE, lambda r: {**r._mapping, "locked": r.locked_at is not None})


def user(db: Database, username: str) -> dict[str, Any]:
    with db.read() as conn:
        row = conn.execute(LIST.where(a.username == username)).first()
        if row is None:
            raise HQProblem(404, "not_found", f"no user {username}")
        return {**row._mapping, "locked": row.locked_at is not None}


def _public(conn: Connection, username: str) -> dict[str, Any] | None:
    row = conn.execute(select(a.username, a.role, a.store_id, a.active).where(a.username == username)).first()
    return None if row is None else {**row._mapping, "active": bool(row.active)}


def save(db: Database, actor: Actor, username: str, *, role: str, store_id: str | None, password: str | None,
         active: bool, now: datetime) -> dict[str, Any]:
    """Create the user, or change its role, store, password and active flag."""
    username = username.strip()
    if problem := U.check_username(username):
        raise BadField("username", problem)
    try:
        role_ = StaffRole(role)
    except ValueError:
        raise BadField("role", said("no role %(role)r", role=role)) from None
    store_id = (store_id or "").strip() or None
    if (role_ == StaffRole.STORE_MANAGER) != (store_id is not None):
        raise BadField("store_id", "a store manager needs their store, and only a store manager has one")
    if password and (problem := U.check_new_password(password)):
        raise BadField("password", problem)
    if username == actor.username and (role_ != StaffRole.ADMIN or not active):
        raise BadField("role", "you cannot take the admin role or the account away from yourself")
    h = hash_password(password) if password else None
    with db.write() as (conn, _seq):
        if store_id and conn.execute(select(M.stores.c.store_id).where(M.stores.c.store_id == store_id)).first() is None:
            raise BadField("store_id", said("no store %(store)s", store=store_id))
        before = _public(conn, username)
        values = {"role": str(role_), "store_id": store_id, "active": int(active)}
        if before is None:
            if h is None:
                raise BadField("password", "a new user needs a password")
            conn.execute(M.admins.insert().values(username=username, password_hash=h, created_at=now,
                                                  password_changed_at=now, **values))
        else:
            conn.execute(update(M.admins).where(a.username == username).values(**values))
            if h is not None:
                U._set_password(conn, username, h)
            if not active:
                U.end_sessions(conn, username)
        after = _public(conn, username)
        assert after is not None  # written just above, in this transaction
        audit.record(conn, actor, "user.create" if before is None else "user.change", f"user:{username}",
                     before=before, after={**after, **({"password": "changed"} if h else {})}, at=now)
    return after


def unlock(db: Database, actor: Actor, username: str, now: datetime) -> None:
    with db.write() as (conn, _seq):
        if conn.execute(M.login_locks.delete().where(lk.username == username)).rowcount == 0:
            raise HQProblem(409, "not_locked", said("%(user)s is not locked", user=username))
        audit.record(conn, actor, "user.unlock", f"user:{username}", before={"locked": True},
                     after={"locked": False}, at=now)


def end_sessions(db: Database, actor: Actor, username: str, now: datetime) -> int:
    with db.write() as (conn, _seq):
        if _public(conn, username) is None:
            raise HQProblem(404, "not_found", f"no user {username}")
        n = U.end_sessions(conn, username)
        audit.record(conn, actor, "user.end_sessions", f"user:{username}", after={"sessions_ended": n}, at=now)
    return n


def store_choices(db: Database) -> list[tuple[str, str]]:
    with db.read() as conn:
        return [(r.store_id, r.name) for r in conn.execute(select(M.stores.c.store_id, M.stores.c.name)
                                                           .order_by(M.stores.c.store_id))]
