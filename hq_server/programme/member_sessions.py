"""Members' sessions in the mall: a random token in an HttpOnly cookie, its SHA-256 in member_sessions.

Server-side, so logging out (or HQ) ends a session at once on every worker. A session records when
the member last proved their phone with an SMS code (signed_in_at): a credential change (the PIN the
tills ask for, the phone key they trust) needs that to be recent (MallSettings.fresh_minutes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import anyio.to_thread
from sqlalchemy import Connection, bindparam, delete, select

from hq_server import models as M
from hq_server.db import Database
from hq_server.errors import HQProblem
from hq_server.programme.mall_tables import member_sessions
from hq_server.security import new_secret, secret_hash

_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # new_secret(): token_urlsafe(32)


@dataclass(frozen=True)
class MemberSession:
    member_id: str
    signed_in_at: datetime
    expires_at: datetime
    token_hash: str

    def fresh(self, now: datetime, minutes: int) -> bool:
        return now - self.signed_in_at <= timedelta(minutes=minutes)


def open_session(conn: Connection, member_id: str, address: str | None, now: datetime, days: int) -> str:
    """A new session for the member (inside the sign-in's transaction); the token for the cookie."""
    token = new_secret()
    s = member_sessions.c
    conn.execute(member_sessions.insert().values(token_hash=secret_hash(token), member_id=member_id, created_at=now,
                                                 signed_in_at=now, expires_at=now + timedelta(days=days),
                                                 address=(address or "")[:64] or None))
    conn.execute(delete(member_sessions).where(s.member_id == member_id, s.expires_at <= now))
    return token


def current_member(conn: Connection, member_id: str) -> str:
    """The member a record now stands for: a member merged into another is that one (up to a few hops)."""
    m = M.members.c
    for _ in range(8):
        into = conn.execute(select(m.merged_into).where(m.member_id == member_id)).scalar()
        if not into:
            return member_id
        member_id = into
    return member_id


def session_of(db: Database, token: str | None, now: datetime) -> MemberSession | None:
    """The live session a cookie's token names, or None (no such token, expired, or not a token)."""
    if not token or not _TOKEN.fullmatch(token):
        return None
    s = member_sessions.c
    digest = secret_hash(token)
    m = M.members.c
    with db.read() as conn:
        # the member's merged_into comes with the session (one trip to the database on every mall page)
        row = conn.execute(select(s.member_id, s.signed_in_at, s.expires_at, m.merged_into)
                           .select_from(member_sessions.outerjoin(M.members, m.member_id == s.member_id))
                           .where(s.token_hash == digest)).first()
        if row is None or row.expires_at <= now:
            return None
        member_id = row.member_id if not row.merged_into else current_member(conn, row.merged_into)
        return MemberSession(member_id, row.signed_in_at, row.expires_at, digest)


# The lookup every mall page makes, as one statement for the event loop (Database.loop_reads: on PostgreSQL an
# async connection, no hand-off to a worker thread and none of SQLAlchemy's execution layer; SQLite: the
# thread pool). The member's merged_into comes with it; a merged member (rare) is followed by session_of.
_s, _m = member_sessions.c, M.members.c
_BY_TOKEN = (select(_s.member_id, _s.signed_in_at, _s.expires_at, _m.merged_into)
             .select_from(member_sessions.outerjoin(M.members, _m.member_id == _s.member_id))
             .where(_s.token_hash == bindparam("digest")))


async def session_from_loop(db: Database, token: str | None, now: datetime) -> MemberSession | None:
    """session_of, from the event loop."""
    if not token or not _TOKEN.fullmatch(token):
        return None
    digest = secret_hash(token)
    row = await db.loop_reads.first(_BY_TOKEN, {"digest": digest})
    if row is None or row.expires_at <= now:
        return None
    if row.merged_into:
        return await anyio.to_thread.run_sync(session_of, db, token, now)
    return MemberSession(row.member_id, row.signed_in_at, row.expires_at, digest)


def require_session(db: Database, token: str | None, now: datetime) -> MemberSession:
    who = session_of(db, token, now)
    if who is None:
        raise HQProblem(401, "signed_out", "sign in with your phone number first", challenge="MemberSession")
    return who


def log_out(db: Database, session: MemberSession) -> None:
    with db.side_write() as conn:
        conn.execute(delete(member_sessions).where(member_sessions.c.token_hash == session.token_hash))


def log_out_everywhere(conn: Connection, member_id: str, keep: str | None = None) -> None:
    """Every session of the member but `keep` (a token hash) ends: after a PIN change, say."""
    s = member_sessions.c
    q = delete(member_sessions).where(s.member_id == member_id)
    conn.execute(q.where(s.token_hash != keep) if keep else q)
