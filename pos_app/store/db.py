"""The store's SQLite database: engine, pragmas, transactions, migrations.

WAL + synchronous=FULL: a committed sale survives power loss and kill -9. Writes
take the lock up front (BEGIN IMMEDIATE) so two writers queue on the busy timeout
instead of failing halfway through with SQLITE_BUSY on lock upgrade.

Checkpoints run off the commit path. SQLite's automatic checkpoint runs inside the
commit that pushes the WAL past 1,000 pages: that one sale then waits for ~4 MB of
random page writes and an fsync of the database file, every fiftieth sale or so,
which is the checkout's p99 (bench/ledger.py). Here a background thread runs a
PASSIVE checkpoint (it never blocks the writer nor readers) every few write
transactions or when writes pause; the connections' own autocheckpoint stays on at a
larger size, as a backstop should the thread fall behind or another process write.
A kill -9 in the middle of a checkpoint is safe: the WAL still holds every committed
frame. The thread ends once writes have paused and it has checkpointed.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.pool import QueuePool

MIGRATIONS = Path(__file__).with_name("migrations")
# The newest migration (tests/store/test_migrations.py checks it is Alembic's head). A till
# already there starts without importing Alembic at all (a quarter of a cold start).
HEAD = "0007s"
CHECKPOINT_EVERY = 25  # write transactions between background checkpoints
IDLE_SECONDS = 1.0  # ... or this long after the last write
BACKSTOP_PAGES = 10_000  # the connections' own automatic checkpoint, should the thread fall behind
T = TypeVar("T")


def make_engine(path: Path | str) -> Engine:
    url = "sqlite://" if str(path) == ":memory:" else f"sqlite:///{path}"
    engine = create_engine(url, poolclass=QueuePool, pool_size=2, max_overflow=2)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record) -> None:
        # Take transaction control from the sqlite3 module; we BEGIN ourselves.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


class Checkpointer:
    """Moves the WAL into the database file on its own thread, off every commit's path.

    It checkpoints after CHECKPOINT_EVERY write transactions (a checkout writes some
    25 pages, so about every 600 pages), or once writes pause for IDLE_SECONDS, which
    at a real counter means after nearly every sale, while the cashier talks.
    """

    def __init__(self, path: Path, every: int = CHECKPOINT_EVERY, idle: float = IDLE_SECONDS):
        self.path = path
        self.every, self.idle = every, idle
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._pending = 0
        self._stop = False
        self._thread: threading.Thread | None = None
        self.runs = 0

    def poke(self) -> None:
        """A write transaction committed."""
        with self._lock:
            if self._stop:
                return
            self._pending += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=f"checkpoint {self.path.name}", daemon=True)
                self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        con = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            con.execute("PRAGMA busy_timeout=10000")
            while True:
                woke = self._wake.wait(timeout=self.idle)
                self._wake.clear()
                with self._lock:
                    if self._stop:
                        return
                    if not woke and self._pending == 0:  # idle and done: end (the next write starts one)
                        self._thread = None
                        return
                    due = self._pending >= self.every or (not woke and self._pending > 0)
                    if due:
                        self._pending = 0
                if due:
                    try:
                        con.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                        self.runs += 1
                    except sqlite3.Error:  # busy, or the file is going away: the next write tries again
                        pass
        finally:
            con.close()

    def close(self) -> None:
        with self._lock:
            self._stop = True
            thread = self._thread
        self._wake.set()
        if thread is not None:
            thread.join(timeout=5)


class Database:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.engine = make_engine(path)
        self.checkpointer = None if str(path) == ":memory:" else Checkpointer(self.path)
        self._writer: Callable[[Callable[[], Any]], Any] | None = None

    def set_writer(self, writer: Callable[[Callable[[], Any]], Any] | None) -> None:
        """Route apply() to the store's one writer: `writer(job)` runs job() on the writer's thread
        and returns its result (the UI's DB worker: TaskRunner.call). None: apply() writes on the
        calling thread (the command line, tests, a till without a UI)."""
        self._writer = writer

    def apply(self, fn: Callable[[Connection], T]) -> T:
        """fn(conn) in one write transaction, on the writer's thread when one is set.

        For writes made off the UI's own path (background sync): DESIGN.md section 5 has all
        writes go through one DB worker, so a sync's answers and pull pages queue behind the
        cashier's work in the order asked instead of racing it for SQLite's lock."""
        def job() -> T:
            with self.write() as conn:
                return fn(conn)
        return job() if self._writer is None else self._writer(job)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One use case's transaction: all of it commits, or none of it."""
        with self.engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn:
            with conn.begin():
                yield conn
        if self.checkpointer is not None:
            self.checkpointer.poke()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            with conn.begin():
                yield conn

    def migrate(self) -> None:
        if revision(self.engine) != HEAD:
            upgrade(self.engine)

    def close(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.close()
        self.engine.dispose()


def revision(engine: Engine) -> str | None:
    """The database's Alembic revision, read without Alembic (None: a new database)."""
    with engine.connect() as conn:
        if conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
                                ).first() is None:
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def alembic_config(engine: Engine):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine) -> None:
    from alembic import command

    command.upgrade(alembic_config(engine), "head")


def open_database(path: Path | str) -> Database:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = Database(path)
    db.migrate()
    return db
