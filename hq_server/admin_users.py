"""HQ's staff accounts: roles, passwords (argon2: people choose them), sessions and the login lock.

A password set or reset ends every session the user had; so does deactivating the user. An admin
lifts a lock (hq_server.login) with unlock(); `hq-server create-admin` resets a password and lifts it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, select, update

from hq_server import models as M
from hq_server.auth import now
from hq_server.db import Database
from hq_server.errors import HQProblem
from hq_server.roles import StaffRole
from hq_server.security import check_password, hash_password

MIN_PASSWORD = 10


@dataclass(frozen=True)
class StaffUser:
    username: str
    role: StaffRole
    store_id: str | None
    active: bool
    locked: bool
    created_at: datetime
    password_changed_at: datetime | None
    sessions: int


def check_username(username: str) -> str | None:
    # 36 at most: the events HQ writes for a user carry their name as the event's staff_id (WireEvent's bound)
    if not (1 <= len(username) <= 36) or not username.isprintable() or username != username.strip():
        return "the username must be 1 to 36 printable characters, without spaces around it"
    return None


def check_new_password(password: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"the password must have at least {MIN_PASSWORD} characters"
    if len(password) > 200:
        return "the password must have at most 200 characters"
    return None


def set_admin(db: Database, username: str, password: str, *, unless_same: bool = False) -> str | None:
    """Create the user as the chain's admin, or reset its password (the command line's way in).
    unless_same: leave a user whose password is this one as it is (`serve` with HQ_ADMIN_PASSWORD at
    every start must not end the admin's sessions each time)."""
    problem = check_username(username) or check_new_password(password)
    if problem:
        return problem
    if unless_same:
        with db.read() as conn:
            stored = conn.execute(select(M.admins.c.password_hash, M.admins.c.active)
                                  .where(M.admins.c.username == username)).first()
        if stored is not None and stored.active and check_password(stored.password_hash, password):
            return None
    h = hash_password(password)
    with db.write() as (conn, _seq):
        if conn.execute(select(M.admins.c.username).where(M.admins.c.username == username)).first():
            _set_password(conn, username, h)
            conn.execute(update(M.admins).where(M.admins.c.username == username).values(active=1))
        else:
            conn.execute(M.admins.insert().values(username=username, password_hash=h, created_at=now(),
                                                  role=StaffRole.ADMIN, password_changed_at=now()))
    return None


def _set_password(conn: Connection, username: str, password_hash: str) -> None:
    conn.execute(update(M.admins).where(M.admins.c.username == username)
                 .values(password_hash=password_hash, password_changed_at=now()))
    end_sessions(conn, username)
    conn.execute(delete(M.login_locks).where(M.login_locks.c.username == username))


def end_sessions(conn: Connection, username: str) -> int:
    return conn.execute(delete(M.admin_tokens).where(M.admin_tokens.c.username == username)).rowcount


def put_user(db: Database, username: str, *, role: StaffRole, store_id: str | None, password: str | None,
             active: bool) -> StaffUser:
    """Create or change a staff account (the admin's work)."""
    problem = check_username(username) or (check_new_password(password) if password is not None else None)
    if problem:
        raise HQProblem(422, "invalid_body", problem)
    if (role == StaffRole.STORE_MANAGER) != (store_id is not None):
        raise HQProblem(422, "invalid_body", "a store manager needs their store_id, and only a store manager has one")
    h = hash_password(password) if password is not None else None
    a = M.admins.c
    with db.write() as (conn, _seq):
        if store_id is not None and conn.execute(select(M.stores.c.store_id)
                                                 .where(M.stores.c.store_id == store_id)).first() is None:
            raise HQProblem(404, "store_unknown", f"no store {store_id}")
        row = conn.execute(select(a.username, a.active).where(a.username == username)).first()
        if row is None:
            if h is None:
                raise HQProblem(422, "invalid_body", "a new user needs a password")
            conn.execute(M.admins.insert().values(username=username, password_hash=h, created_at=now(), role=role,
                                                  store_id=store_id, active=int(active), password_changed_at=now()))
        else:
            conn.execute(update(M.admins).where(a.username == username)
                         .values(role=role, store_id=store_id, active=int(active)))
            if h is not None:
                _set_password(conn, username, h)
            if not active:
                end_sessions(conn, username)
        return _user(conn, username)


def list_users(db: Database) -> list[StaffUser]:
    with db.read() as conn:
        names = conn.execute(select(M.admins.c.username).order_by(M.admins.c.username)).scalars().all()
        return [_user(conn, n) for n in names]


def _user(conn: Connection, username: str) -> StaffUser:
    a = M.admins.c
    r = conn.execute(select(M.admins).where(a.username == username)).one()
    locked = conn.execute(select(M.login_locks.c.locked_at).where(M.login_locks.c.username == username)).scalar()
    n = len(conn.execute(select(M.admin_tokens.c.token_hash).where(M.admin_tokens.c.username == username,
                                                                   M.admin_tokens.c.expires_at > now())).all())
    return StaffUser(r.username, StaffRole(r.role), r.store_id, bool(r.active), locked is not None, r.created_at,
                     r.password_changed_at, n)


def require_user(db: Database, username: str) -> None:
    with db.read() as conn:
        if conn.execute(select(M.admins.c.username).where(M.admins.c.username == username)).first() is None:
            raise HQProblem(404, "not_found", f"no user {username}")


def unlock(db: Database, username: str) -> None:
    """Lift a login lock (the name may not be a user: a made-up name locks like a real one)."""
    with db.side_write() as conn:
        if conn.execute(delete(M.login_locks).where(M.login_locks.c.username == username)).rowcount == 0:
            raise HQProblem(404, "not_locked", f"{username} is not locked")


def revoke_sessions(db: Database, username: str) -> int:
    require_user(db, username)
    with db.side_write() as conn:
        return end_sessions(conn, username)


def logout(db: Database, token_hash: str) -> None:
    with db.side_write() as conn:
        conn.execute(delete(M.admin_tokens).where(M.admin_tokens.c.token_hash == token_hash))


def change_password(db: Database, username: str, old: str, new: str) -> None:
    """The user's own change: the old password proves it is them; every session ends (the caller makes a
    new one)."""
    problem = check_new_password(new)
    if problem:
        raise HQProblem(422, "invalid_body", problem)
    with db.read() as conn:
        stored = conn.execute(select(M.admins.c.password_hash).where(M.admins.c.username == username)).scalar()
    if stored is None or not check_password(stored, old):
        raise HQProblem(403, "wrong_password", "the current password is wrong")
    h = hash_password(new)
    with db.write() as (conn, _seq):
        _set_password(conn, username, h)
