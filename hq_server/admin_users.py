"""Admin users: argon2-hashed passwords (people choose them), short-lived login tokens."""

from __future__ import annotations

from sqlalchemy import select, update

from hq_server import models as M
from hq_server.auth import now
from hq_server.db import Database
from hq_server.security import hash_password

MIN_PASSWORD = 10


def set_admin(db: Database, username: str, password: str) -> str | None:
    if not (1 <= len(username) <= 40) or not username.isprintable():
        return "the username must be 1 to 40 printable characters"
    if len(password) < MIN_PASSWORD:
        return f"the password must have at least {MIN_PASSWORD} characters"
    with db.write() as (conn, _seq):
        h = hash_password(password)
        if conn.execute(select(M.admins.c.username).where(M.admins.c.username == username)).first():
            conn.execute(update(M.admins).where(M.admins.c.username == username).values(password_hash=h))
        else:
            conn.execute(M.admins.insert().values(username=username, password_hash=h, created_at=now()))
    return None
