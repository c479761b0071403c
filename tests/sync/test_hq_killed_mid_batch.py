"""HQ killed (kill -9) in the middle of applying a push batch, before it commits.

A proxy forwards the store's push to HQ and kills HQ while it applies the batch, sending
the store nothing. On PostgreSQL the test holds the device's row lock, so HQ stops at its
last statement with every other row of the batch written, and is killed there; on SQLite
the proxy watches HQ's write lock once HQ has the whole body and kills it the moment HQ
holds it. HQ must come back with none of the batch (one transaction per batch),
the store must keep every event pending, and the retried push must apply each event
exactly once: balances equal on both sides, HQ's ledger invariants hold.
"""

from __future__ import annotations

import socket
import sqlite3
import threading
import time

import psycopg
import pytest
from sqlalchemy.engine import make_url

from pos_app.sync import outbox, state
from pos_app.sync.client import HQClient
from pos_app.sync.cycle import sync_once
from pos_app.sync.errors import HQUnreachable
from tests.hq.ledger_check import HQLedger
from tests.sync.conftest import hq_balances, local_balances, local_ledger_ok, member_ids
from tests.sync.test_enrol_push import sell

SALES = 240  # one push batch (MAX_BATCH 500) of some 300 events: HQ needs a while to apply it


class WriterLockProbe:
    """Tells, without waiting, whether another connection holds HQ's writer lock."""

    def __init__(self, db_url: str):
        url = make_url(db_url)
        self.sqlite = url.get_backend_name() == "sqlite"
        if self.sqlite:
            self.conn = sqlite3.connect(url.database, isolation_level=None, timeout=0)
        else:
            self.conn = psycopg.connect(host=url.host, port=url.port, user=url.username, dbname=url.database,
                                        autocommit=False)

    def held(self) -> bool:
        try:
            if self.sqlite:
                self.conn.execute("BEGIN IMMEDIATE")
                self.conn.execute("ROLLBACK")
            else:
                self.conn.execute("SELECT value FROM hq_counter WHERE name = 'seq' FOR UPDATE NOWAIT")
                self.conn.rollback()
            return False
        except (sqlite3.OperationalError, psycopg.errors.LockNotAvailable):
            if not self.sqlite:
                self.conn.rollback()
            return True

    def close(self) -> None:
        self.conn.close()


class DeviceRowHold:
    """PostgreSQL: holds the device's row lock, so HQ applying a push stops at its last statement (the
    device's acknowledged count) with every other row written, until the lock goes or HQ is killed.
    Plain reads of the row (auth, the push's reads) are not blocked. A pause, not a race: under load
    a probe polling for HQ's writer lock can miss a push applied between two polls."""

    def __init__(self, db_url: str, device_id: str):
        url = make_url(db_url)
        self.device_id = device_id
        self.conn = psycopg.connect(host=url.host, port=url.port, user=url.username, dbname=url.database,
                                    autocommit=False)
        self.conn.execute("SELECT 1 FROM devices WHERE device_id = %s FOR UPDATE", (device_id,))

    def hq_waits(self) -> bool:
        """Whether a backend waits for this lock while holding HQ's writer lock: HQ is mid-push."""
        with psycopg.connect(self.conn.info.dsn, autocommit=True) as look:
            return look.execute("SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                "AND query LIKE 'UPDATE devices%%'").fetchone()[0] > 0

    def release(self) -> None:
        self.conn.rollback()
        self.conn.close()


class KillMidPushProxy:
    """Relays one store's traffic to HQ; on the first push, kills HQ while it applies it."""

    def __init__(self, hq, device_id: str):
        self.hq = hq
        self.device_id = device_id
        self.hold: DeviceRowHold | None = None
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.killed_mid_write = threading.Event()
        self.done = threading.Event()  # the proxy has finished with HQ (killed it, or gave up)
        self.armed = True
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self.sock.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            try:
                up = socket.create_connection(("127.0.0.1", self.hq.port), timeout=30)
            except OSError:  # HQ is down: the store sees a refused connection
                client.close()
                continue
            threading.Thread(target=self._pump_up, args=(client, up), daemon=True).start()
            threading.Thread(target=self._pump_down, args=(up, client), daemon=True).start()

    def _pump_up(self, client: socket.socket, up: socket.socket) -> None:
        seen, body_left = b"", None  # the stream so far (until the push's headers are in)
        try:
            while data := client.recv(65536):
                if (self.armed and self.hold is None and not self.hq.db_url.startswith("sqlite")
                        and b"POST /api/v1/sync/push " in seen[-64:] + data):
                    self.hold = DeviceRowHold(self.hq.db_url, self.device_id)  # before HQ gets the push
                up.sendall(data)
                if not self.armed:
                    continue
                if body_left is None:
                    seen += data
                    start = seen.find(b"POST /api/v1/sync/push ")
                    end = seen.find(b"\r\n\r\n", start) if start >= 0 else -1
                    if end < 0:
                        continue
                    length = next(int(line.split(b":", 1)[1]) for line in seen[start:end].split(b"\r\n")
                                  if line.lower().startswith(b"content-length:"))
                    body_left = length - len(seen[end + 4:])
                else:
                    body_left -= len(data)
                if body_left <= 0:  # HQ has the whole push
                    self.armed = False
                    self._kill_when_writing()
                    return
        except OSError:
            pass

    def _kill_when_writing(self) -> None:
        if self.hold is not None:  # PostgreSQL: HQ stops before its last statement; kill it there
            try:
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    if self.hold.hq_waits():
                        self.killed_mid_write.set()
                        self.hq.kill()
                        return
                    time.sleep(0.005)
            finally:
                self.hold.release()
                self.done.set()
        probe = WriterLockProbe(self.hq.db_url)  # SQLite: catch HQ holding its write lock
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if probe.held():
                    self.killed_mid_write.set()
                    self.hq.kill()
                    return
                time.sleep(0.0005)
        finally:
            probe.close()
            self.done.set()

    def _pump_down(self, up: socket.socket, client: socket.socket) -> None:
        try:
            while data := up.recv(65536):
                if not self.armed:
                    break  # the push is in flight: nothing more reaches the store
                client.sendall(data)
        except OSError:
            pass
        finally:
            client.close()


def hq_events_of(ledger: HQLedger, device_id: str) -> int:
    return ledger.scalar("SELECT COUNT(*) FROM events WHERE device_id = :d", d=device_id)


def test_hq_killed_while_applying_a_batch_keeps_none_of_it_and_the_retry_applies_each_once(hq, make_store):
    ctx = make_store("a")
    sync_once(ctx.db)
    sell(ctx, SALES)
    with ctx.db.read() as conn:
        pending = outbox.pending(conn, 1000)
        creds = state.credentials(conn)
    assert 0 < len(pending) <= 500
    ledger = HQLedger(hq.db_url)
    before = hq_events_of(ledger, creds.device_id)
    proxy = KillMidPushProxy(hq, creds.device_id)
    try:
        with pytest.raises(HQUnreachable):
            sync_once(ctx.db, HQClient(proxy.url, creds.device_id, creds.device_key))
        assert proxy.done.wait(30) and proxy.killed_mid_write.is_set(), "HQ was never seen applying the push"
    finally:
        proxy.close()
        hq.start()
    try:
        assert hq_events_of(ledger, creds.device_id) == before  # nothing of the killed batch was kept
        with ctx.db.read() as conn:
            assert len(outbox.pending(conn, 1000)) == len(pending)  # the store still has every event to send
        report = sync_once(ctx.db)
        assert report.answers == {"ok": len(pending)}
        assert hq_events_of(ledger, creds.device_id) == before + len(pending)
        assert ledger.problems() == []
        for m in member_ids(ctx):
            assert local_balances(ctx, m) == hq_balances(hq, m)
        local_ledger_ok(ctx)
    finally:
        ledger.close()
