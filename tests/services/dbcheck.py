"""Reading a store database in tests: whole-database snapshots, rows, balances, lots.

Imported by conftest.py and the test files (pytest puts this folder on sys.path).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select, text

from pos_app.domain import ledger as L
from pos_app.services.demo import CASHIER_ID, DEMO_PINS, GUIDE_ID, MANAGER_ID
from pos_app.store import ledger_repo, repos
from pos_app.store import tables as T

# 10:00 in Shanghai: the demo's double-points week on tea runs from a day before to six after.
START = datetime(2026, 11, 25, 2, 0, 0)
MEMBER_PIN = "123456"


class Clock:
    """The store's "now", moved only by the test."""

    def __init__(self, start: datetime = START):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


class Ticker:
    """A monotonic clock for the PIN lockout, moved only by the test."""

    def __init__(self):
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@dataclass(frozen=True)
class Staff:
    cashier: str = CASHIER_ID
    manager: str = MANAGER_ID
    guide: str = GUIDE_ID
    manager_pin: str = DEMO_PINS["manager"]
    cashier_pin: str = DEMO_PINS["cashier"]


def dump_db(ctx) -> dict[str, list[tuple]]:
    """Every table's rows, sorted: two dumps are equal only if nothing at all changed."""
    out: dict[str, list[tuple]] = {}
    with ctx.db.read() as conn:
        names = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table' "
                                  "AND name NOT LIKE 'sqlite_%' ORDER BY name")).scalars().all()
        for name in names:
            rows = conn.execute(text(f'SELECT * FROM "{name}"')).all()
            out[name] = sorted((tuple(r) for r in rows), key=repr)
    return out


def rows(ctx, sql: str, **params) -> list[tuple]:
    with ctx.db.read() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params).all()]


def balance(ctx, account: str) -> int:
    with ctx.db.read() as conn:
        return ledger_repo.balance(conn, account)


def member_balance(ctx, member_id: str) -> int:
    return balance(ctx, L.member_account(member_id))


def lots(ctx, member_id: str) -> list[tuple]:
    """(amount, remaining, available_at, expires_at) of a member's consumer lots, oldest first."""
    c = T.lots.c
    with ctx.db.read() as conn:
        return [tuple(r) for r in conn.execute(select(c.amount, c.remaining, c.available_at, c.expires_at)
                                               .where(c.account == L.member_account(member_id))
                                               .order_by(text("rowid"))).all()]


def events_since(ctx, seq: int) -> list[tuple]:
    """(kind, member_id, staff_id) of the events after device_seq `seq`, in order."""
    return rows(ctx, "SELECT kind, member_id, staff_id FROM events WHERE device_seq > :s ORDER BY device_seq", s=seq)


def postings_of_kind(ctx, kind: str, after_seq: int = 0) -> list[list[tuple]]:
    """Each matching event's postings as sorted (account, amount) pairs."""
    out = []
    for (event_id,) in rows(ctx, "SELECT event_id FROM events WHERE kind = :k AND device_seq > :s "
                                 "ORDER BY device_seq", k=kind, s=after_seq):
        out.append(sorted(rows(ctx, "SELECT account, amount FROM postings WHERE event_id = :e", e=event_id)))
    return out


def last_seq(ctx) -> int:
    return rows(ctx, "SELECT COALESCE(MAX(device_seq), 0) FROM events")[0][0]


def audit_since(ctx, after_id: int = 0) -> list[tuple]:
    """(action, staff_id, approver_id, subject) of audit rows after id `after_id`."""
    return rows(ctx, "SELECT action, staff_id, approver_id, subject FROM audit_log WHERE id > :i ORDER BY id",
                i=after_id)


def last_audit_id(ctx) -> int:
    return rows(ctx, "SELECT COALESCE(MAX(id), 0) FROM audit_log")[0][0]


def set_rules(ctx, **changes) -> None:
    """HQ publishes a new rules version (what a sync pull will do)."""
    with ctx.db.write() as conn:
        current = repos.current_rules(conn)
        repos.save_rules(conn, replace(current, version=current.version + 1, **changes), ctx.now())
