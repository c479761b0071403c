"""Staff login: a throttle per username and per client address, a lockout an admin lifts, and a
bound on how many password hashes run at once.

Each argon2 check costs ~64 MiB and up to a few hundred ms. Unbounded, a flood of wrong logins
(no login needed to send them) ran the server out of memory, and answers for unknown names came
back 100 times faster than for real ones. So:
- a login first checks the throttle and the lock (cheap reads), before any hash;
- at most `login_hash_slots` hashes run at once on the host (all workers together), `login_queue`
  more wait in each process, the rest get 429 at once;
- an unknown username is checked against a dummy hash of the same cost, and counts against the
  throttle and the lock like a real one, so neither time nor answers tell real names from others.
State lives in the database (login_failures, login_locks), so every worker and host sees it.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Executable, Table, delete, select, update

from hq_server import models as M
from hq_server.db import Database
from hq_server.errors import HQProblem
from hq_server.roles import StaffRole
from hq_server.security import check_password, hash_password, new_secret, secret_hash
from hq_server.settings import Settings
from hq_server.throttle import Throttle


@dataclass(frozen=True)
class Session:
    token: str
    username: str
    role: StaffRole
    expires_at: datetime


class HashGate:
    """At most `slots` password hashes at once on this host, at most `queue` callers of this process
    waiting for one; the rest are answered 429 at once.

    Memory is a host's, and uvicorn's workers are processes: so the slots are files in `folder`, each
    held with flock while a hash runs (the lock dies with its process, a crash leaves no slot taken).
    """

    def __init__(self, slots: int, queue: int, folder: Path, wait_s: float = 10.0):
        self.slots, self.queue, self.wait_s = slots, queue, wait_s
        self.folder = folder
        self._waiting = 0
        self._lock = threading.Lock()
        self._held = threading.local()

    def __enter__(self) -> None:
        fd = self._try_each()
        if fd is None:
            with self._lock:
                if self._waiting >= self.queue:
                    raise HQProblem(429, "busy", "too many logins at once; try again in a moment", retry_after=1)
                self._waiting += 1
            try:
                fd = self._take()
            finally:
                with self._lock:
                    self._waiting -= 1
        self._held.fd = fd

    def _try_each(self) -> int | None:
        self.folder.mkdir(parents=True, exist_ok=True)
        for i in range(self.slots):
            fd = os.open(self.folder / f"slot-{i}", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return fd
            except BlockingIOError:
                os.close(fd)
        return None

    def _take(self) -> int:
        deadline = time.monotonic() + self.wait_s
        while (fd := self._try_each()) is None:
            if time.monotonic() > deadline:
                raise HQProblem(429, "busy", "too many logins at once; try again in a moment", retry_after=1)
            time.sleep(0.005)
        return fd

    def __exit__(self, *_exc: object) -> None:
        fd = self._held.fd
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


_dummy_lock = threading.Lock()
_dummy: list[str] = []


def _dummy_hash() -> str:
    """A hash of the same cost as a real one, for names that do not exist (made once per process)."""
    with _dummy_lock:
        if not _dummy:
            _dummy.append(hash_password(new_secret()))
        return _dummy[0]


class Login:
    def __init__(self, db: Database, settings: Settings, gate: HashGate):
        self.db, self.s, self.gate = db, settings, gate
        self.throttle = Throttle(settings.login_window_s)

    def login(self, username: str, password: str, address: str, now: datetime) -> Session:
        keys = (f"user:{username}", f"addr:{address}")
        with self.db.read() as conn:
            self._refuse_if_locked(conn, username)
            self._refuse_if_throttled(conn, keys, now)
            row = conn.execute(select(M.admins.c.password_hash, M.admins.c.active, M.admins.c.role)
                               .where(M.admins.c.username == username)).first()
        with self.gate:
            ok = check_password(row.password_hash if row else _dummy_hash(), password)
        if not ok or row is None or not row.active:
            self._failed(username, keys, now)
            raise HQProblem(401, "bad_login", "wrong username or password")
        with self.db.side_write() as conn:
            # the right password: the name's wrong tries are forgiven (its address's are not)
            conn.execute(delete(M.login_locks).where(M.login_locks.c.username == username))
            self.throttle.forgive(conn, keys[0])
            return new_session(conn, username, StaffRole(row.role), address, now, self.s.session_hours)

    def _refuse_if_locked(self, conn: Connection, username: str) -> None:
        locked = conn.execute(select(M.login_locks.c.locked_at)
                              .where(M.login_locks.c.username == username)).scalar()
        if locked is not None:
            raise HQProblem(423, "account_locked", "too many wrong passwords: this account is locked until "
                                                   "an admin unlocks it")

    def _refuse_if_throttled(self, conn: Connection, keys: tuple[str, str], now: datetime) -> None:
        self.throttle.refuse_if_over(conn, {keys[0]: (self.s.login_user_failures, "this username"),
                                            keys[1]: (self.s.login_address_failures, "your address")}, now)

    def _failed(self, username: str, keys: tuple[str, str], now: datetime) -> None:
        lk = M.login_locks.c
        with self.db.side_write() as conn:
            self.throttle.record(conn, list(keys), now)
            bumped = conn.execute(update(M.login_locks).where(lk.username == username)
                                  .values(failures=lk.failures + 1).returning(lk.failures)).scalar()
            if bumped is None:
                conn.execute(_insert_ignore(conn, M.login_locks, {"username": username, "failures": 1}))
            elif bumped >= self.s.login_lock_after:
                conn.execute(update(M.login_locks).where(lk.username == username, lk.locked_at.is_(None))
                             .values(locked_at=now))


def _insert_ignore(conn: Connection, table: Table, values: dict[str, Any]) -> Executable:
    """INSERT that does nothing if the key is there already (two wrong logins racing for one name)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert
        return pg_insert(table).values(**values).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert
    return sqlite_insert(table).values(**values).on_conflict_do_nothing()


def new_session(conn: Connection, username: str, role: StaffRole, address: str | None, now: datetime,
                hours: int) -> Session:
    token, expires = new_secret(), now + timedelta(hours=hours)
    conn.execute(M.admin_tokens.insert().values(token_hash=secret_hash(token), username=username,
                                                expires_at=expires, created_at=now, address=address))
    # expired sessions of this user go as new ones come
    conn.execute(delete(M.admin_tokens).where(M.admin_tokens.c.username == username,
                                              M.admin_tokens.c.expires_at <= now))
    return Session(token, username, role, expires)


def client_address(peer: str | None, forwarded_for: str | None, trusted: list[str]) -> str:
    """The client's address: the peer's, or, when the peer is a trusted proxy, the nearest address in
    X-Forwarded-For that is not one of ours (a client can write anything to the left of it)."""
    address = peer or "unknown"
    if address in trusted and forwarded_for:
        for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
            address = hop[:64]
            if hop not in trusted:
                break
    return address
