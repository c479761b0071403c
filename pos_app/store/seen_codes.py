"""The store's memory of used one-time codes: a ReplayGuard on the seen_codes table.

A dynamic member code may be used once in its window (pos_app.domain.codes): the key
of every accepted code goes into seen_codes in the same transaction as the use, so a
screenshot shown again is refused, across app restarts too, and a use case that is
refused (rolled back) leaves no trace. Rows are pruned once no code they could stop
is still accepted anywhere: RETENTION is longer than any code lives.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection

from pos_app.domain import codes as C
from pos_app.store import driver

# A dynamic code is accepted at most (2 * STEP_TOLERANCE + 1) steps (90 s); a scanned code
# proves the member's presence for a spend within PRESENCE (services) after it was seen.
# Both must be well inside RETENTION, or a pruned key could be used again.
RETENTION = timedelta(minutes=30)


class SeenCodes:
    """ReplayGuard bound to one write transaction; `now` is the store's time.

    Plain SQL on the driver (store/driver.py): paying with points at the checkout runs
    these on every such sale."""

    def __init__(self, conn: Connection, now: datetime):
        self.conn, self.now = conn, now

    def claim(self, key: str, expires_at: datetime) -> bool:
        if expires_at > self.now + RETENTION:
            # Not a code of ours: nothing we accept lives this long. Refuse rather than forget it early.
            return False
        when = driver.time_param(self.conn)
        claimed = driver.run(self.conn, "INSERT INTO seen_codes (code_key, seen_at) VALUES (?, ?) "
                             "ON CONFLICT DO NOTHING", (key, when(self.now))) == 1  # 0: seen before
        if claimed:
            prune(self.conn, self.now)
        return claimed

    def seen_at(self, key: str) -> datetime | None:
        return seen_at(self.conn, key)


def seen_at(conn: Connection, key: str) -> datetime | None:
    raw = driver.scalar(conn, "SELECT seen_at FROM seen_codes WHERE code_key = ?", (key,))
    return datetime.fromisoformat(raw) if raw else None


def prune(conn: Connection, now: datetime, retention: timedelta = RETENTION) -> None:
    """Forget keys older than `retention`: the codes they stood for are long expired."""
    driver.run(conn, "DELETE FROM seen_codes WHERE seen_at < ?", (driver.time_param(conn)(now - retention),))


def guard(conn: Connection, now: datetime) -> C.ReplayGuard:
    return SeenCodes(conn, now)
