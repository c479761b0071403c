"""The mall's points in and out, built by the tills' own points engine (pos_app.domain.entries) against
the balance and lots HQ knows (DESIGN.md 10), inside the caller's write transaction: earning from HQ's
online channel (store HQ_ORIGIN), repaying a debt first; spending the soonest-expiring points, refused
beyond what the member can spend now (points still locked after earning are not spendable yet)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Connection

from hq_server import models as M
from hq_server.ledger.book import Book
from hq_server.errors import HQProblem
from hq_server.programme.statement import CHAIN_TZ
from pos_app.domain import entries as E
from pos_app.domain import ledger as L
from pos_app.domain.ids import new_id
from pos_app.domain.ledger import Entry, Kind
from pos_app.domain.problems import Problem
from pos_app.domain.rules import Rules


def earn_entry(conn: Connection, kind: Kind, member_id: str, points: int, *, payload: dict[str, Any], now: datetime,
               rules: Rules) -> Entry:
    return E.earn(kind, member_id=member_id, points=points, store_id=M.HQ_ORIGIN,
                  owed=-Book(conn).balance(L.debt_account(member_id)), lot_id=new_id(), now=now, rules=rules,
                  payload=payload)


def spend_entry(conn: Connection, kind: Kind, member_id: str, points: int, *, to_account: str,
                payload: dict[str, Any], now: datetime) -> Entry:
    account = L.member_account(member_id)
    entry = E.spend(kind, member_id=member_id, lots=[lot.as_lot() for lot in Book(conn).lots_of(account)],
                    points=points, to_account=to_account, now=now, payload=payload)
    if isinstance(entry, Problem):
        raise HQProblem(409, "not_enough_points", f"the member cannot spend {points} points now ({entry.message})")
    return entry


def balance(conn: Connection, member_id: str) -> int:
    return Book(conn).balance(L.member_account(member_id))


def local_day(at: datetime) -> date:
    """The chain's local day (Asia/Shanghai) of a naive UTC time: daily limits turn over at its midnight."""
    return at.replace(tzinfo=UTC).astimezone(CHAIN_TZ).date()


def day_start(day: date) -> datetime:
    """Midnight starting the chain's local `day`, as naive UTC."""
    return datetime.combine(day, time(), CHAIN_TZ).astimezone(UTC).replace(tzinfo=None)
