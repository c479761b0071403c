"""`hq-server backup FILE` while HQ runs and tills push: the copy holds what HQ held, opens on its own
(SQLite) or restores into an empty database (PostgreSQL), and a refusal writes nothing."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg

from pos_app.domain.ids import new_id
from tests.hq.server import HQServer, need_postgres, postgres_database, sqlite_url
from tests.hq.wire_events import FakeDevice

ROOT = Path(__file__).resolve().parents[2]


def hq_cli(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HQ_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "hq_server.cli", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def pushing(hq, store_id: str, stop: threading.Event, pushed: list[int]) -> threading.Thread:
    """A till pushing earns, one small batch after another, until told to stop (a refused push: -1)."""
    def run() -> None:
        dev = FakeDevice(hq, store_id)
        try:
            while not stop.is_set():
                r = dev.push([dev.earn(new_id(), 5) for _ in range(5)])
                pushed.append(5 if r.status_code == 200 else -1)
        finally:
            dev.close()
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def events_in_sqlite(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return conn.execute("SELECT count(*) FROM events").fetchone()[0]


def test_a_sqlite_backup_while_a_till_pushes_is_one_whole_moment(tmp_path):
    url = sqlite_url(tmp_path / "hq")
    with HQServer(url, log=tmp_path / "hq.log") as hq:
        stop, pushed = threading.Event(), []
        till = pushing(hq, "s-backup", stop, pushed)
        try:
            deadline = time.monotonic() + 60
            while pushed.count(5) < 10 and -1 not in pushed and time.monotonic() < deadline:
                stop.wait(0.05)
            done = hq_cli(url, "backup", str(tmp_path / "copy.db"))
            assert done.returncode == 0, done.stderr
            made = json.loads(done.stdout.strip().splitlines()[-1])
            assert made["database"] == "sqlite" and made["bytes"] > 0
            assert "secret" in done.stderr  # the operator is told the secret is not in it
        finally:
            stop.set()
            till.join(30)
        assert -1 not in pushed
        in_copy = events_in_sqlite(tmp_path / "copy.db")
        assert in_copy >= 50 and in_copy % 5 == 0  # whole batches only: one transaction's events or none
        assert not list(tmp_path.glob("copy.db-wal")) and not list(tmp_path.glob("*.partial"))
        assert events_in_sqlite(Path(url.removeprefix("sqlite:///"))) >= in_copy


def test_a_backup_never_overwrites_a_file_and_names_what_is_wrong(tmp_path):
    url = sqlite_url(tmp_path / "hq")
    with HQServer(url, log=tmp_path / "hq.log"):
        pass  # migrated
    there = tmp_path / "there.db"
    there.write_bytes(b"keep me")
    done = hq_cli(url, "backup", str(there))
    assert done.returncode == 2 and "exists already" in done.stderr and there.read_bytes() == b"keep me"
    done = hq_cli(url, "backup", str(tmp_path / "no-such-folder" / "copy.db"))
    assert done.returncode == 2 and "does not exist" in done.stderr
    done = hq_cli(sqlite_url(tmp_path / "empty"), "backup", str(tmp_path / "copy.db"))
    assert done.returncode == 2 and "no SQLite database" in done.stderr and not (tmp_path / "copy.db").exists()


def test_a_postgres_backup_restores_into_an_empty_database(tmp_path):
    need_postgres()
    with postgres_database() as url, HQServer(url, log=tmp_path / "hq.log") as hq:
        dev = FakeDevice(hq, "s-backup-pg")
        try:
            assert dev.push([dev.earn(new_id(), 7) for _ in range(12)]).status_code == 200
        finally:
            dev.close()
        done = hq_cli(url, "backup", str(tmp_path / "hq.dump"))
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout.strip().splitlines()[-1])["database"] == "postgresql"
        with postgres_database() as restored:
            libpq = restored.replace("postgresql+psycopg://", "postgresql://", 1)
            r = subprocess.run(["pg_restore", "--no-owner", "--dbname", libpq, str(tmp_path / "hq.dump")],
                               capture_output=True, text=True, timeout=120)
            assert r.returncode == 0, r.stderr
            with psycopg.connect(libpq) as conn:
                assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 12


def test_run_jobs_works_as_python_dash_m(tmp_path):
    """`python -m hq_server.cli run-jobs` ran main before its helpers were defined (a NameError)."""
    done = hq_cli(sqlite_url(tmp_path / "hq"), "run-jobs")
    assert done.returncode == 0, done.stderr
    assert isinstance(json.loads(done.stdout.strip().splitlines()[-1]), dict)
