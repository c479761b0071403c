"""A device's push batches take the writer lock in device_seq order (see ingest.push).

A store catching up keeps several batches in flight, and HQ's workers receive them in
any order. A batch whose predecessors HQ does not hold yet waits here, outside the
writer lock, until they are in or TURN_WAIT_S has passed. Waiting before the lock, not
only after finding the gap under it, matters: batches queued on the lock are granted it
in arrival order, and a later batch granted it first held it for its reads (about 10 ms
a time, seen on most batches of bench.sync) only to let it go again.

On PostgreSQL the push that commits a device's batch sends a NOTIFY with the device id and
its acked_max_seq (delivered at its commit): a batch it puts in turn goes on without
reading the device's row (its turn is checked once more under the lock). Each HQ process
LISTENs on one connection of its own, outside
the pool, and wakes the batches waiting for that device: a waiting batch holds no
database connection, so waiting batches cannot starve the one they wait for. A waiter
also reads again every LISTEN_SLICE_S in case a wake-up was missed (the listener
reconnecting), and polls every TURN_POLL_S while the listener is down, as on SQLite.
LISTEN needs a session of its own: behind a pooler in transaction mode (pgbouncer) the
wake-ups never come, and each waiting batch falls back to the slice re-reads.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any

import psycopg
from sqlalchemy import Connection, select, text

from hq_server import models as M
from hq_server.db import Database

# How long a push whose events follow a gap waits for the device's earlier events. The wait is
# bounded: an event HQ will never hold (the store recorded it as refused) leaves a gap nothing
# fills, and then the batch goes in out of order, still correct (ingest.push).
TURN_WAIT_S = 0.5
TURN_POLL_S = 0.002
LISTEN_SLICE_S = 0.05
CHANNEL = "hq_turn"
NOTIFY_SQL = "SELECT pg_notify(%s, %s)"  # announce's statement as driver SQL (a push sends it in its pipeline)


class NotYourTurn(Exception):
    """Raised under the writer lock (rolling the transaction back) when the device's earlier events are missing."""


def wake_payload(device_id: str, acked_max_seq: int | None = None) -> str:
    """The NOTIFY's payload: the device, and the highest device_seq HQ will have answered once it commits."""
    return device_id if acked_max_seq is None else f"{device_id} {acked_max_seq}"


def announce(conn: Connection, device_id: str, acked_max_seq: int | None = None) -> None:
    """Wake the device's waiting batches when this transaction commits (PostgreSQL; SQLite's waiters poll)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_notify(:c, :d)"), {"c": CHANNEL, "d": wake_payload(device_id, acked_max_seq)})


def in_turn(first: int, acked_max_seq: int | None) -> bool:
    """HQ has answered every device_seq before `first` (acked_max_seq: the highest answered)."""
    return first <= (acked_max_seq or 0) + 1


def await_turn(db: Database, device_id: str, first: int, until: float) -> None:
    """Return once HQ holds the device's events before `first`, or at `until` (time.monotonic)."""
    listener = _listener(db) if db.engine.dialect.name == "postgresql" else None
    q = select(M.devices.c.acked_max_seq).where(M.devices.c.device_id == device_id)
    while True:
        seen = listener.wakes(device_id) if listener else 0  # before the read: a commit after it wakes us
        if listener is not None and in_turn(first, listener.acked(device_id)):
            return  # a commit said so: no read
        with db.read() as conn:
            if in_turn(first, conn.execute(q).scalar()):
                return
        left = until - time.monotonic()
        if left <= 0:
            return
        if listener is not None and listener.up:
            listener.wait(device_id, seen, min(left, LISTEN_SLICE_S))
        else:
            time.sleep(min(left, TURN_POLL_S))


class Listener:
    """This process's LISTEN connection and the count of wake-ups seen per device."""

    def __init__(self, db: Database):
        self.pid = os.getpid()
        args, kwargs = db.engine.dialect.create_connect_args(db.engine.url)
        self._connect: Callable[[], psycopg.Connection[Any]] = lambda: psycopg.connect(*args, **kwargs, autocommit=True)
        self._cond = threading.Condition()
        self._wakes: dict[str, int] = {}
        self._acked: dict[str, int] = {}  # the highest acked_max_seq a commit announced, per device
        self._stop = threading.Event()
        self.up = False
        self._thread = threading.Thread(target=self._run, name="hq-turns", daemon=True)
        self._thread.start()

    def wakes(self, device_id: str) -> int:
        with self._cond:
            return self._wakes.get(device_id, 0)

    def acked(self, device_id: str) -> int | None:
        with self._cond:
            return self._acked.get(device_id)

    def wait(self, device_id: str, seen: int, timeout: float) -> None:
        with self._cond:
            self._cond.wait_for(lambda: self._wakes.get(device_id, 0) != seen, timeout)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with self._connect() as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.up = True
                    while not self._stop.is_set():
                        for n in conn.notifies(timeout=0.5):
                            device_id, _, acked = n.payload.partition(" ")
                            with self._cond:
                                self._wakes[device_id] = self._wakes.get(device_id, 0) + 1
                                if acked.isdigit():
                                    self._acked[device_id] = max(self._acked.get(device_id, 0), int(acked))
                                self._cond.notify_all()
            except psycopg.Error:
                pass  # the database is away: waiters poll meanwhile, and this listens again
            finally:
                self.up = False
            self._stop.wait(1.0)


_made = threading.Lock()


def _listener(db: Database) -> Listener:
    """The Database's listener in this process (made on first use: after uvicorn starts its workers)."""
    with _made:
        listener = db.helpers.get("turns")
        if listener is None or listener.pid != os.getpid():
            listener = db.helpers["turns"] = Listener(db)
        return listener
