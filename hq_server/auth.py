"""Who is calling: a store device (`Authorization: Device <id>:<key>`) or one of HQ's staff (a session:
`Bearer <token>` from POST /api/v1/admin/login), and what their role lets them do.

Credentials are parsed exactly: anything but a well-formed one is a 401, never a lookup by part of it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection, bindparam, select

from hq_server import models as M
from hq_server.db import Database
from hq_server.errors import HQProblem
from hq_server.loop_reads import LoopReads
from hq_server.roles import ADMIN, StaffRole
from hq_server.security import same_hash, secret_hash

# A device id is the UUID HQ made at enrolment (lower-case, as str(uuid) writes it); a key or token,
# secrets.token_urlsafe(32): 43 characters of the URL-safe alphabet.
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_SECRET = re.compile(r"[A-Za-z0-9_-]{43}")


def now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


async def get_db(request: Request) -> Database:
    # async: FastAPI runs a plain def dependency on its thread pool, a hand-off that cost more than this
    db: Database = request.app.state.db
    return db


@dataclass(frozen=True)
class Device:
    device_id: str
    store_id: str


# Declared for the OpenAPI document (the sync routes' security scheme); parsed by hand below.
_device_scheme = APIKeyHeader(name="Authorization", scheme_name="DeviceKey", auto_error=False,
                              description="`Device <device_id>:<device_key>`, from POST /api/v1/enrol")


def parse_device_credential(header: str | None) -> tuple[str, str] | None:
    scheme, _, cred = (header or "").partition(" ")
    device_id, sep, key = cred.partition(":")
    if scheme != "Device" or not sep or not _UUID.fullmatch(device_id) or not _SECRET.fullmatch(key):
        return None
    return device_id, key


def device(header: str | None = Depends(_device_scheme), db: Database = Depends(get_db)) -> Device:
    with db.statement() as conn:  # one statement: no BEGIN and COMMIT round trips
        return device_in(conn, header)


# Built once: every sync call runs it.
_DEVICE_ROW = select(M.devices.c.store_id, M.devices.c.key_hash, M.devices.c.revoked).where(
    M.devices.c.device_id == bindparam("device_id"))


def device_in(conn: Connection, header: str | None) -> Device:
    """The device a credential belongs to, read on the caller's connection (a sync call's one transaction:
    the handshake and the pull check the key and answer in one round of the pool), or the refusal."""
    device_id, key = device_credential(header)
    return device_of(conn.execute(_DEVICE_ROW, {"device_id": device_id}).first(), device_id, key)


async def device_on_loop(reads: LoopReads, header: str | None) -> Device:
    """device_in, read from the event loop (hq_server.loop_reads: a till's sync calls)."""
    device_id, key = device_credential(header)
    return device_of(await reads.first(_DEVICE_ROW, {"device_id": device_id}), device_id, key)


def device_credential(header: str | None) -> tuple[str, str]:
    """(device_id, key) from a well-formed `Device <device_id>:<device_key>` header, or the 401."""
    parsed = parse_device_credential(header)
    if parsed is None:
        if (header or "").startswith("Device "):  # a device's credential, but not one HQ ever made
            raise HQProblem(401, "bad_device_key", "unknown device or wrong device key", challenge="Device")
        raise HQProblem(401, "unauthenticated", "send Authorization: Device <device_id>:<device_key>",
                        challenge="Device")
    return parsed


def device_of(row: Any, device_id: str, key: str) -> Device:
    """The device whose row (store_id, key_hash, revoked; None if HQ has none) was read for device_id, if
    `key` is its key, or the refusal: for a caller that reads the row within a statement of its own
    (hq_server.handshake)."""
    if row is None or not same_hash(row.key_hash, key):
        raise HQProblem(401, "bad_device_key", "unknown device or wrong device key", challenge="Device")
    if row.revoked:
        raise HQProblem(403, "device_revoked", "this device's key has been revoked; enrol again")
    return Device(device_id, row.store_id)


# The sync routes that check the key themselves (device_in) declare it for the OpenAPI document with this.
DEVICE_SECURITY: dict[str, Any] = {"security": [{"DeviceKey": []}]}


@dataclass(frozen=True)
class Staff:
    """One of HQ's staff, signed in."""
    username: str
    role: StaffRole
    store_id: str | None  # a store manager's store
    token_hash: str

    def may(self, roles: Iterable[StaffRole]) -> bool:
        return self.role == ADMIN or self.role in roles

    def manages(self, store_id: str) -> bool:
        return self.role == ADMIN or (self.role == StaffRole.STORE_MANAGER and self.store_id == store_id)


_bearer = HTTPBearer(auto_error=False, scheme_name="StaffSession",
                     description="a session token from POST /api/v1/admin/login")


def session_staff(db: Database, token: str) -> Staff | None:
    """The staff member a session token belongs to, or None (unknown, expired, or the user deactivated)."""
    if not _SECRET.fullmatch(token):
        return None
    t, a = M.admin_tokens.c, M.admins.c
    digest = secret_hash(token)
    with db.read() as conn:
        row = conn.execute(select(a.username, a.role, a.store_id, a.active, t.expires_at)
                           .join_from(M.admin_tokens, M.admins, a.username == t.username)
                           .where(t.token_hash == digest)).first()
    if row is None or row.expires_at <= now() or not row.active:
        return None
    return Staff(row.username, StaffRole(row.role), row.store_id, digest)


def staff(cred: HTTPAuthorizationCredentials | None = Depends(_bearer), db: Database = Depends(get_db)) -> Staff:
    if cred is None:
        raise HQProblem(401, "unauthenticated", "send Authorization: Bearer <session token> (POST /api/v1/admin/login)")
    who = session_staff(db, cred.credentials)
    if who is None:
        raise HQProblem(401, "bad_admin_token", "unknown or expired session; log in again")
    return who


def require(roles: Iterable[StaffRole]) -> Callable[..., Staff]:
    """A dependency: the signed-in staff member, if their role is one of `roles` (the admin always is)."""
    allowed = frozenset(roles)

    def check(who: Staff = Depends(staff)) -> Staff:
        if not who.may(allowed):
            names = ", ".join(sorted({ADMIN, *allowed}))
            raise HQProblem(403, "forbidden", f"your role ({who.role}) may not do this; it needs one of: {names}")
        return who
    return check


def require_store(who: Staff, store_id: str) -> None:
    """Store-scoped work: the admin, or the manager of that store."""
    if not who.manages(store_id):
        raise HQProblem(403, "forbidden", f"your role ({who.role}) may not manage store {store_id}")


SignedIn = Annotated[Staff, Depends(staff)]
