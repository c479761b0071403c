"""Who is calling: a store device (`Authorization: Device <id>:<key>`) or an admin (`Bearer <token>`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select

from hq_server import models as M
from hq_server.db import Database
from hq_server.errors import HQProblem
from hq_server.security import same_hash, secret_hash

ADMIN_TOKEN_HOURS = 12


def now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def get_db(request: Request) -> Database:
    return request.app.state.db


@dataclass(frozen=True)
class Device:
    device_id: str
    store_id: str


def device(request: Request, db: Database = Depends(get_db)) -> Device:
    header = request.headers.get("authorization", "")
    scheme, _, cred = header.partition(" ")
    if scheme != "Device" or ":" not in cred:
        raise HQProblem(401, "unauthenticated", "send Authorization: Device <device_id>:<device_key>")
    device_id, _, key = cred.strip().partition(":")
    if "\x00" in device_id:  # no such id (and PostgreSQL text cannot hold a NUL to look it up)
        raise HQProblem(401, "bad_device_key", "unknown device or wrong device key")
    with db.read() as conn:
        row = conn.execute(select(M.devices.c.store_id, M.devices.c.key_hash, M.devices.c.revoked)
                           .where(M.devices.c.device_id == device_id[:36])).first()
    if row is None or not same_hash(row.key_hash, key):
        raise HQProblem(401, "bad_device_key", "unknown device or wrong device key")
    if row.revoked:
        raise HQProblem(403, "device_revoked", "this device's key has been revoked; enrol again")
    return Device(device_id, row.store_id)


_bearer = HTTPBearer(auto_error=False, description="an admin token from POST /api/v1/admin/login")


def admin(cred: HTTPAuthorizationCredentials | None = Depends(_bearer), db: Database = Depends(get_db)) -> str:
    if cred is None:
        raise HQProblem(401, "unauthenticated", "send Authorization: Bearer <admin token> (POST /api/v1/admin/login)")
    with db.read() as conn:
        row = conn.execute(select(M.admin_tokens.c.username, M.admin_tokens.c.expires_at)
                           .where(M.admin_tokens.c.token_hash == secret_hash(cred.credentials))).first()
    if row is None or row.expires_at <= now():
        raise HQProblem(401, "bad_admin_token", "unknown or expired admin token; log in again")
    return row.username


def token_expiry() -> datetime:
    return now() + timedelta(hours=ADMIN_TOKEN_HOURS)
