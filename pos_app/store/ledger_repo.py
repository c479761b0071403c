"""Applying ledger entries: event, postings, balances, lots and outbox in one go.

Called inside the caller's transaction; it never commits. The device sequence is
max+1 read under BEGIN IMMEDIATE, so it is gapless: a rolled-back sale rolls its
number back too.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Connection, func, select, text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from pos_app.domain.ids import new_id
from pos_app.domain.ledger import Entry, Event, Posting, canonical_json, check_postings, payload_hash
from pos_app.domain.lots import Lot
from pos_app.domain.problems import Refused
from pos_app.store import tables as T


class Identity:
    """Who is writing: the store and device stamped on every event."""

    def __init__(self, store_id: str, device_id: str):
        self.store_id = store_id
        self.device_id = device_id


def next_seq(conn: Connection) -> int:
    return (conn.execute(select(func.max(T.events.c.device_seq))).scalar() or 0) + 1


def stamp(entry: Entry, *, who: Identity, seq: int, staff_id: str | None, rule_version: int,
          now: datetime) -> Event:
    """The event an entry becomes: id, sequence, the payload as stored and its hash (writes nothing).

    Shared by `record` and by bulk loaders (bench.ledger), so both store the same rows.
    """
    problems = check_postings(entry.postings)
    if problems:  # a bug above us, never user input: refuse loudly, write nothing
        raise Refused(problems)
    payload = json.loads(canonical_json(entry.payload))
    # Lot changes travel in the payload too, so HQ can rebuild the same lots.
    if entry.grants:
        payload["grants"] = [[g.lot_id, g.account, g.amount, g.available_at.isoformat(), g.expires_at.isoformat()]
                             for g in entry.grants]
    payload["postings"] = [[p.account, p.amount] for p in entry.postings]
    return Event(new_id(), entry.kind, who.store_id, who.device_id, seq, now, staff_id, rule_version,
                 entry.member_id, payload, payload_hash(payload), entry.postings)


def record(conn: Connection, entry: Entry, *, who: Identity, staff_id: str | None, rule_version: int,
           now: datetime) -> Event:
    event = stamp(entry, who=who, seq=next_seq(conn), staff_id=staff_id, rule_version=rule_version, now=now)
    payload = event.payload
    conn.execute(T.events.insert().values(
        event_id=event.event_id, device_seq=event.device_seq, kind=str(event.kind), store_id=event.store_id,
        device_id=event.device_id, device_time=now, staff_id=staff_id, rule_version=rule_version,
        member_id=entry.member_id, payload=canonical_json(payload), payload_hash=event.payload_hash))
    if entry.postings:
        conn.execute(T.postings.insert(), [{"event_id": event.event_id, "account": p.account, "amount": p.amount}
                                           for p in entry.postings])
        _bump_balances(conn, entry.postings)
    if entry.grants:
        conn.execute(T.lots.insert(), [{"lot_id": g.lot_id, "event_id": event.event_id, "account": g.account,
                                        "amount": g.amount, "remaining": g.amount, "available_at": g.available_at,
                                        "expires_at": g.expires_at} for g in entry.grants])
    for take in entry.takes:
        # The CHECK constraint on lots refuses remaining < 0 or > amount.
        conn.execute(update(T.lots).where(T.lots.c.lot_id == take.lot_id)
                     .values(remaining=T.lots.c.remaining - take.amount))
    conn.execute(T.outbox.insert().values(device_seq=event.device_seq, event_id=event.event_id))
    return event


def _bump_balances(conn: Connection, postings: tuple[Posting, ...]) -> None:
    stmt = sqlite_insert(T.balances)
    stmt = stmt.on_conflict_do_update(index_elements=["account"],
                                      set_={"balance": T.balances.c.balance + stmt.excluded.balance})
    conn.execute(stmt, [{"account": p.account, "balance": p.amount} for p in postings])


def balance(conn: Connection, account: str) -> int:
    return conn.execute(select(T.balances.c.balance).where(T.balances.c.account == account)).scalar() or 0


def lots_of(conn: Connection, account: str) -> list[Lot]:
    rows = conn.execute(select(T.lots.c.lot_id, T.lots.c.account, T.lots.c.remaining, T.lots.c.available_at,
                               T.lots.c.expires_at)
                        .where(T.lots.c.account == account, T.lots.c.remaining > 0)).all()
    return [Lot(*r) for r in rows]


def event_payload(conn: Connection, event_id: str) -> dict:
    raw = conn.execute(select(T.events.c.payload).where(T.events.c.event_id == event_id)).scalar()
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
