"""Applying ledger entries: event, postings, balances, lots and outbox in one go.

Called inside the caller's transaction; it never commits. The device sequence is
max+1 read under BEGIN IMMEDIATE, so it is gapless: a rolled-back sale rolls its
number back too.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Connection, bindparam, select, text

from pos_app.domain.ids import new_id
from pos_app.domain.ledger import Entry, Event, canonical_json, check_postings, payload_hash, wire_payload
from pos_app.domain.give_back import LotRoom
from pos_app.domain.lots import Lot
from pos_app.domain.problems import Refused
from pos_app.store import driver
from pos_app.store import tables as T


class Identity:
    """Who is writing: the store and device stamped on every event."""

    def __init__(self, store_id: str, device_id: str):
        self.store_id = store_id
        self.device_id = device_id


# Statements built once: a checkout runs a dozen of these, and building a fresh
# statement costs SQLAlchemy a cache-key walk each time (~0.2 ms apiece on the bench).
_PAYLOAD = select(T.events.c.payload).where(T.events.c.event_id == bindparam("event_id"))


def next_seq(conn: Connection) -> int:
    return (driver.scalar(conn, "SELECT MAX(device_seq) FROM events") or 0) + 1


def stamp(entry: Entry, *, who: Identity, seq: int, staff_id: str | None, rule_version: int,
          now: datetime) -> Event:
    """The event an entry becomes: id, sequence, the payload as stored and its hash (writes nothing).

    Shared by `record` and by bulk loaders (bench.ledger), so both store the same rows.
    """
    problems = check_postings(entry.postings)
    if problems:  # a bug above us, never user input: refuse loudly, write nothing
        raise Refused(problems)
    payload = wire_payload(entry)
    return Event(entry.event_id or new_id(), entry.kind, who.store_id, who.device_id, seq, now, staff_id, rule_version,
                 entry.member_id, payload, payload_hash(payload), entry.postings)


def record(conn: Connection, entry: Entry, *, who: Identity, staff_id: str | None, rule_version: int,
           now: datetime) -> Event:
    event = stamp(entry, who=who, seq=next_seq(conn), staff_id=staff_id, rule_version=rule_version, now=now)
    # The rows go straight to the driver, inside the caller's transaction (driver.py): a
    # sale writes ~12 of them. Times are stored as the DateTime columns store them.
    stamp_time = driver.time_param(conn)
    driver.run(conn, _SQL_EVENT, (event.event_id, event.device_seq, str(event.kind), event.store_id, event.device_id,
                                  stamp_time(now), staff_id, rule_version, entry.member_id,
                                  canonical_json(event.payload), event.payload_hash))
    if entry.postings:
        driver.run_many(conn, _SQL_POSTING, [(event.event_id, p.account, p.amount) for p in entry.postings])
        driver.run_many(conn, _SQL_BUMP, [(p.account, p.amount) for p in entry.postings])
    if entry.grants:
        driver.run_many(conn, _SQL_LOT, [(g.lot_id, event.event_id, g.account, g.amount, g.amount,
                                          stamp_time(g.available_at), stamp_time(g.expires_at))
                                         for g in entry.grants])
    if entry.takes:
        # The CHECK constraint on lots refuses remaining < 0 or > amount.
        driver.run_many(conn, _SQL_TAKE, [(t.amount, t.lot_id) for t in entry.takes])
    driver.run(conn, _SQL_OUTBOX, (event.device_seq, event.event_id))
    return event


_SQL_EVENT = ("INSERT INTO events (event_id, device_seq, kind, store_id, device_id, device_time, staff_id, "
              "rule_version, member_id, payload, payload_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_SQL_POSTING = "INSERT INTO postings (event_id, account, amount) VALUES (?, ?, ?)"
_SQL_BUMP = ("INSERT INTO balances (account, balance) VALUES (?, ?) "
             "ON CONFLICT (account) DO UPDATE SET balance = balances.balance + excluded.balance")
_SQL_LOT = ("INSERT INTO lots (lot_id, event_id, account, amount, remaining, available_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)")
_SQL_TAKE = "UPDATE lots SET remaining = remaining - ? WHERE lot_id = ?"
_SQL_OUTBOX = "INSERT INTO outbox (device_seq, event_id) VALUES (?, ?)"


def balance(conn: Connection, account: str) -> int:
    return driver.scalar(conn, "SELECT balance FROM balances WHERE account = ?", (account,)) or 0


def lots_of(conn: Connection, account: str) -> list[Lot]:
    """The account's lots still holding points (a member with a year of purchases has dozens)."""
    parse = datetime.fromisoformat  # reads DateTime columns' text as SQLAlchemy does, in C
    return [Lot(lot_id, acct, remaining, parse(available_at), parse(expires_at))
            for lot_id, acct, remaining, available_at, expires_at in driver.fetch(conn, _SQL_LOTS_OF, (account,))]


_SQL_LOTS_OF = ("SELECT lot_id, account, remaining, available_at, expires_at FROM lots "
                "WHERE account = ? AND remaining > 0")


def lot_rooms(conn: Connection, account: str) -> list[LotRoom]:
    """The account's lots that are not full, and the room each has (where give-backs go)."""
    parse = datetime.fromisoformat
    return [LotRoom(lot_id, room, parse(expires_at)) for lot_id, room, expires_at in driver.fetch(
        conn, "SELECT lot_id, amount - remaining, expires_at FROM lots WHERE account = ? AND remaining < amount",
        (account,))]


def lot_expiry(conn: Connection, lot_id: str) -> datetime | None:
    raw = driver.scalar(conn, "SELECT expires_at FROM lots WHERE lot_id = ?", (lot_id,))
    return datetime.fromisoformat(raw) if raw else None


def event_payload(conn: Connection, event_id: str) -> dict:
    raw = conn.execute(_PAYLOAD, {"event_id": event_id}).scalar()
    return json.loads(raw) if raw else {}


def unbalanced_events(conn: Connection) -> list[str]:
    """Events whose postings do not sum to zero (should always be empty)."""
    rows = conn.execute(text("SELECT event_id FROM postings GROUP BY event_id HAVING SUM(amount) <> 0")).all()
    return [r[0] for r in rows]


def balance_mismatches(conn: Connection) -> list[tuple[str, int, int]]:
    """Accounts whose stored balance differs from the sum of their postings."""
    rows = conn.execute(text("""
        SELECT COALESCE(b.account, p.account), COALESCE(b.balance, 0), COALESCE(p.total, 0)
        FROM balances b FULL OUTER JOIN (SELECT account, SUM(amount) AS total FROM postings GROUP BY account) p
          ON p.account = b.account
        WHERE COALESCE(b.balance, 0) <> COALESCE(p.total, 0)""")).all()
    return [tuple(r) for r in rows]


def lot_mismatches(conn: Connection) -> list[tuple[str, int, int]]:
    """Holder accounts whose balance differs from the sum of their lots' remaining."""
    rows = conn.execute(text("""
        SELECT b.account, b.balance, COALESCE(l.total, 0) FROM balances b
        LEFT JOIN (SELECT account, SUM(remaining) AS total FROM lots GROUP BY account) l ON l.account = b.account
        WHERE (b.account LIKE 'member:%' OR b.account LIKE 'staff:%') AND b.balance <> COALESCE(l.total, 0)""")).all()
    return [tuple(r) for r in rows]
