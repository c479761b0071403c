"""What HQ's use cases read of the ledger and the programme inside their transaction: the rules in
force, a member, a holder's lots and balances. Writes go through hq_server.ledger.hq_events only."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Unpack

from sqlalchemy import Connection, Row, select

from hq_server import models as M
from hq_server.errors import HQProblem
from hq_server.programme.rules_now import parsed as rules_parsed
from pos_app.domain import ledger as L
from pos_app.domain.lots import Lot
from pos_app.domain.rules import Rules


def current_rules(conn: Connection, now: datetime) -> Rules:
    """The rules in force at `now` (the latest version whose effective_at has come; else the first), as a
    till reads them (pos_app.store.repos.current_rules); the defaults before HQ published any."""
    r = M.rules.c
    row = (conn.execute(select(r.version, r.doc).where(r.effective_at <= now).order_by(r.version.desc()).limit(1))
           .first() or conn.execute(select(r.version, r.doc).order_by(r.version).limit(1)).first())
    if row is None:
        return Rules(version=1)
    parsed = rules_parsed(row.version, row.doc)  # parsed once per document in a process
    if isinstance(parsed, tuple):  # published through parse_rules: cannot happen but by hand
        raise HQProblem(500, "bad_rules", f"HQ's rules version {row.version} is invalid")
    return parsed


def require_member(conn: Connection, member_id: str) -> Row[Unpack[tuple[Any, ...]]]:
    """HQ's record of the member (404 unknown, 409 merged into another)."""
    row = conn.execute(select(M.members).where(M.members.c.member_id == member_id)).first()
    if row is None:
        raise HQProblem(404, "member_unknown", f"no member {member_id}")
    if row.merged_into:
        raise HQProblem(409, "member_merged", f"member {member_id} was merged into {row.merged_into}")
    return row


def balance(conn: Connection, account: str) -> int:
    return conn.execute(select(M.balances.c.balance).where(M.balances.c.account == account)).scalar() or 0


def owed(conn: Connection, member_id: str) -> int:
    """What the member owes (their debt account's magnitude): later earnings repay it first."""
    return -balance(conn, L.debt_account(member_id))


def lots_of(conn: Connection, account: str) -> list[Lot]:
    lt = M.lots.c
    rows = conn.execute(select(lt.lot_id, lt.account, lt.remaining, lt.available_at, lt.expires_at)
                        .where(lt.account == account, lt.remaining > 0)).all()
    return [Lot(r.lot_id, r.account, r.remaining, r.available_at, r.expires_at) for r in rows]


def staff_id(username: str) -> str:
    """An HQ user as an event's staff_id (at most 36 characters; the payload keeps the whole name)."""
    return f"hq:{username}"[:36]
