"""HQ with a real streaming replica (issue 17): a PostgreSQL cluster of its own under /tmp, and a second
made from it by pg_basebackup that streams its WAL, each on its own port (the shared PostgreSQL holds
gigabytes of other tests' databases: a base backup of it would take minutes). HQ_REPLICA_URL points at
the replica, which serves pulls, the page a push's answer holds and member lookups.

With the replica's replay paused (it lags as far as it can), a till's pull must not move its cursor past
a row it has not seen, a till enrolled meanwhile must still be let in (its key is checked on the primary),
and once replay resumes the till gets every row it missed, each once."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import pytest

from pos_app.domain.ids import new_id
from tests.hq.server import HQServer, free_port
from tests.hq.wire_events import FakeDevice, now

pytestmark = pytest.mark.slow


def _bindir() -> Path | None:
    try:
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True).stdout.strip()
        candidates = [Path(out)]
    except (OSError, subprocess.CalledProcessError):
        candidates = []
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    return next((b for b in candidates if (b / "pg_basebackup").exists() and (b / "initdb").exists()), None)


def _as_postgres(*cmd: str | Path) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *map(str, cmd)], check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def clusters():
    """(primary URL, replica URL) of a primary and its streaming replica, both on loopback ports."""
    bindir = _bindir()
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        bindir = None
    if bindir is None or os.geteuid() != 0:
        pytest.skip("needs PostgreSQL's server programs, the postgres user and root (runuser) to make clusters")
    folder = Path(tempfile.mkdtemp(prefix="hq-replica-", dir="/tmp"))
    shutil.chown(folder, "postgres")
    primary, replica = folder / "primary", folder / "replica"
    p_port, r_port = free_port(), free_port()
    started = []
    try:
        _as_postgres(bindir / "initdb", "-D", primary, "-U", "postgres", "--auth=trust", "-N", "-E", "UTF8")
        with (primary / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {p_port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{folder}'\n"
                       "fsync = off\nwal_level = replica\nmax_wal_senders = 4\n")
        _as_postgres(bindir / "pg_ctl", "-D", primary, "-l", folder / "primary.log", "-w", "start")
        started.append(primary)
        _as_postgres(bindir / "pg_basebackup", "-h", "127.0.0.1", "-p", p_port, "-U", "postgres", "-D", replica,
                     "-R", "-X", "stream", "-c", "fast")
        conf = (replica / "postgresql.conf").read_text().replace(f"port = {p_port}", f"port = {r_port}")
        (replica / "postgresql.conf").write_text(conf)
        _as_postgres(bindir / "pg_ctl", "-D", replica, "-l", folder / "replica.log", "-w", "start")
        started.append(replica)
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{p_port}/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE hq")
        # The standby replays the CREATE DATABASE a moment later: wait until it can be connected to.
        deadline = time.monotonic() + 30
        while True:
            try:
                psycopg.connect(f"postgresql://postgres@127.0.0.1:{r_port}/hq", connect_timeout=5).close()
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield (f"postgresql+psycopg://postgres@127.0.0.1:{p_port}/hq",
               f"postgresql+psycopg://postgres@127.0.0.1:{r_port}/hq")
    finally:
        for data in reversed(started):
            subprocess.run(["runuser", "-u", "postgres", "--", str(bindir / "pg_ctl"), "-D", str(data), "-m",
                            "immediate", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


def _sql(url: str, q: str):
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
        return conn.execute(q).fetchone()


def _caught_up(primary: str, replica: str) -> None:
    target = _sql(primary, "SELECT pg_current_wal_lsn()::text")[0]
    deadline = time.monotonic() + 30
    while not _sql(replica, f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn")[0]:
        assert time.monotonic() < deadline, "the replica did not catch up in 30 s"
        time.sleep(0.05)


def _handshake(dev: FakeDevice, cursor: int) -> dict:
    count, h = dev.acked_state()
    r = dev.client.post("/api/v1/sync/handshake", json={
        "protocol_min": 1, "protocol_max": 2, "device_time": now().isoformat(), "acked_count": count,
        "acked_hash": h, "pull_cursor": cursor})
    assert r.status_code == 200, r.text
    return r.json()


def _pull(dev: FakeDevice, after: int) -> dict:
    r = dev.client.get("/api/v1/sync/pull", params={"after": after})
    assert r.status_code == 200, r.text
    return r.json()


def test_a_lagging_streaming_replica_never_makes_a_till_skip_a_row(clusters, tmp_path):
    primary, replica = clusters
    assert _sql(replica, "SELECT pg_is_in_recovery()")[0] is True  # a real standby, streaming
    with HQServer(primary, workers=1, log=tmp_path / "hq.log", env={"HQ_REPLICA_URL": replica}) as hq:
        a, b = FakeDevice(hq, "s-replica", "till-a"), FakeDevice(hq, "s-replica", "till-b")
        late = None
        try:
            _caught_up(primary, replica)
            _, cursor_b = b.pull_all()
            _sql(replica, "SELECT pg_wal_replay_pause()")
            try:
                assert a.push([a.earn(new_id(), 10) for _ in range(3)]).status_code == 200
                # The handshake reads the primary: B has something to pull...
                assert _handshake(b, cursor_b)["feed_news"] is True
                # ...but the replica has not replayed it: B's pull gets nothing, and its cursor stays put.
                assert _pull(b, cursor_b) == {"items": [], "cursor": cursor_b, "more": False}
                # A push's answer holds the replica's page too: nothing yet, the cursor unmoved.
                r = b.client.post("/api/v1/sync/push", json={"events": [], "pull_cursor": cursor_b})
                assert r.status_code == 200 and r.json()["pull"] == {"items": [], "cursor": cursor_b, "more": False}
                # A till enrolled while the replica lags is not on the replica yet: its key is checked on the
                # primary, and it is let in.
                late = FakeDevice(hq, "s-replica", "till-late")
                assert _pull(late, 0)["more"] is False
            finally:
                _sql(replica, "SELECT pg_wal_replay_resume()")
            _caught_up(primary, replica)
            doc = _pull(b, cursor_b)
            assert [i["data"]["device_id"] for i in doc["items"]] == [a.device_id] * 3
            assert doc["cursor"] > cursor_b and doc["more"] is False
            assert _pull(b, doc["cursor"])["items"] == []  # each row once
            assert _handshake(b, doc["cursor"])["feed_news"] is False
        finally:
            for dev in (a, b, late):
                if dev is not None:
                    dev.close()
