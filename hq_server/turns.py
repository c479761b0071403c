"""A device's push batches take the writer lock in device_seq order (see ingest.push).

A store catching up keeps several batches in flight, and HQ's workers receive them in
any order. A batch whose predecessors HQ does not hold yet waits here, outside the
writer lock, until they are in or TURN_WAIT_S has passed. Waiting before the lock, not
only after finding the gap under it, matters: batches queued on the lock are granted it
in arrival order, and a later batch granted it first held it for its reads (about 10 ms
a time, seen on most batches of bench.sync) only to let it go again.

On PostgreSQL the wait is woken by the push that commits the predecessor (LISTEN /
NOTIFY, delivered at its commit); SQLite polls every TURN_POLL_S.
"""

from __future__ import annotations

import re
import time

from sqlalchemy import Connection, select, text

from hq_server import models as M
from hq_server.db import Database

# How long a push whose events follow a gap waits for the device's earlier events. The wait is
# bounded: an event HQ will never hold (the store recorded it as refused) leaves a gap nothing
# fills, and then the batch goes in out of order, still correct (ingest.push).
TURN_WAIT_S = 0.5
TURN_POLL_S = 0.002


class NotYourTurn(Exception):
    """Raised under the writer lock (rolling the transaction back) when the device's earlier events are missing."""


def channel(device_id: str) -> str:
    """The device's LISTEN/NOTIFY channel (an identifier: only the id's hex digits)."""
    return "hq_turn_" + re.sub(r"[^0-9a-f]", "", device_id.lower())[:48]


def announce(conn: Connection, device_id: str) -> None:
    """Wake the device's waiting batches when this transaction commits (PostgreSQL; SQLite's poll)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_notify(:c, '')"), {"c": channel(device_id)})


def in_turn(first: int, acked_max_seq: int | None) -> bool:
    """HQ has answered every device_seq before `first` (acked_max_seq: the highest answered)."""
    return first <= (acked_max_seq or 0) + 1


def await_turn(db: Database, device_id: str, first: int, until: float) -> None:
    """Return once HQ holds the device's events before `first`, or at `until` (time.monotonic)."""
    if db.engine.dialect.name == "postgresql":
        _await_notified(db, device_id, first, until)
        return
    q = select(M.devices.c.acked_max_seq).where(M.devices.c.device_id == device_id)
    while True:
        with db.read() as conn:
            if in_turn(first, conn.execute(q).scalar()):
                return
        if time.monotonic() >= until:
            return
        time.sleep(TURN_POLL_S)


def _await_notified(db: Database, device_id: str, first: int, until: float) -> None:
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")  # LISTEN takes effect at once
        raw = conn.connection.driver_connection
        raw.execute(f'LISTEN "{channel(device_id)}"')
        try:
            # Listening first, then reading: a commit between the two still wakes us.
            while True:
                row = raw.execute("SELECT acked_max_seq FROM devices WHERE device_id = %s", (device_id,)).fetchone()
                left = until - time.monotonic()
                if in_turn(first, row[0] if row else None) or left <= 0:
                    return
                for _ in raw.notifies(timeout=left, stop_after=1):
                    pass
        finally:
            raw.execute("UNLISTEN *")
