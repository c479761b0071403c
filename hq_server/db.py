"""HQ's database: engine, the writer lock and hq_seq allocation, migrations.

SQLite (the embedded default) runs in WAL mode and takes its write lock up front
(BEGIN IMMEDIATE), so several uvicorn workers queue on the busy timeout. PostgreSQL
writers queue on the hq_counter row lock (see models.py for why that keeps pulls
from ever skipping a row).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, select, update

from hq_server import models as M
from hq_server.loop_reads import LoopReads
from hq_server.bulk import at_once

MIGRATIONS = Path(__file__).with_name("migrations")
# The writer lock (PostgreSQL), as driver SQL: write_reading sends it with a push's reads, in one query.
LOCK_SQL = "SELECT value FROM hq_counter WHERE name = 'seq' FOR UPDATE"
STORE_SEQ_SQL = "UPDATE hq_counter SET value = %s WHERE name = 'seq'"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, pool_size=4, max_overflow=4)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            conn.exec_driver_sql(f"BEGIN {conn.get_execution_options().get('sqlite_begin', 'DEFERRED')}")

        return engine
    # No pre-ping: it cost a round trip on every checkout, i.e. on every till's request (bench.fleet: an idle
    # cycle is one request). After a database restart the first request of each worker that meets a dead
    # connection fails (a 500; a till retries at its next sync) and SQLAlchemy then replaces the whole pool.
    return create_engine(url, pool_size=5, max_overflow=5, pool_recycle=3600)


class Seq:
    """hq_seq numbers for one write transaction, handed out under the writer lock."""

    def __init__(self, last: int):
        self.last = last
        self.stored = last  # the counter's value in the database (a use case may store it itself: ingest)

    def next(self) -> int:
        self.last += 1
        return self.last


class Database:
    def __init__(self, url: str, replica_url: str | None = None):
        self.url = url
        self.engine = make_engine(url)
        # A read replica (PostgreSQL streaming replication) serves pulls and lookups when configured
        # (Settings.replica_url): see replica_read.
        self.replica = make_engine(replica_url) if replica_url else None
        snapshots = self.replica or self.engine
        # (SQLite: a deferred transaction reads one snapshot already, from its first read to its end.)
        self._snapshots = (snapshots.execution_options(isolation_level="REPEATABLE READ")
                           if snapshots.dialect.name == "postgresql" else snapshots)
        # One statement outside a transaction (see statement); the pool is the engine's own.
        self._statements = _autocommit(self.engine)
        # A till's most frequent reads, from the event loop (hq_server.loop_reads): the primary's and the replica's.
        self.loop_reads = LoopReads(self.engine)
        self.replica_loop_reads = LoopReads(self.replica) if self.replica is not None else self.loop_reads
        # Reads run without BEGIN and COMMIT on PostgreSQL too: at READ COMMITTED (HQ's level) every statement
        # takes its own snapshot whether in a transaction or not, so the two round trips bought nothing
        # and cost a third of a mall page's trips to a busy database (bench.mall). SQLite keeps its
        # deferred transaction, which does hold one snapshot for the read.
        self._reads = _autocommit(self.engine) or self.engine
        self.helpers: dict[str, Any] = {}  # per-process helpers made on first use (turns' listener); dispose closes them

    @contextmanager
    def write(self) -> Iterator[tuple[Connection, Seq]]:
        """One use case's transaction, holding HQ's writer lock from its first statement."""
        with self.engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn:
            with conn.begin():
                last = conn.execute(select(M.hq_counter.c.value).where(M.hq_counter.c.name == "seq")
                                    .with_for_update()).scalar_one()
                seq = Seq(last)
                yield conn, seq
                if seq.last != seq.stored:
                    conn.execute(update(M.hq_counter).where(M.hq_counter.c.name == "seq").values(value=seq.last))

    @contextmanager
    def write_reading(self, reads: Sequence[tuple[str, Sequence[Any]]]
                      ) -> Iterator[tuple[Connection, Seq, list[list[Any]]]]:
        """write() on PostgreSQL, with the writer lock's SELECT and these reads (driver SQL, %s parameters)
        sent in one query (bulk.at_once): the server runs each read once the lock is granted,
        in a snapshot of its own (READ COMMITTED), so they see every commit before the lock as write()'s
        reads do. Yields the reads' rows (named tuples) too. A till's push takes this path (ingest.push)."""
        with self.engine.connect() as conn:
            with conn.begin():
                rows = at_once(conn.connection.driver_connection, [(LOCK_SQL, ()), *reads])
                seq = Seq(rows[0][0].value)
                yield conn, seq, rows[1:]
                if seq.last != seq.stored:
                    conn.execute(update(M.hq_counter).where(M.hq_counter.c.name == "seq").values(value=seq.last))

    @contextmanager
    def side_write(self) -> Iterator[Connection]:
        """A write outside the ledger's order (sessions, the login throttle): no hq_seq, so it does not
        queue behind pushes for HQ's writer lock. SQLite still takes its one write lock up front."""
        with self.engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn:
            with conn.begin():
                yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read: statements that each see HQ's latest commits (use replica_read for one snapshot)."""
        with self._reads.connect() as conn:
            with conn.begin():
                yield conn

    @contextmanager
    def replica_read(self) -> Iterator[Connection]:
        """A read that a replica may serve: one REPEATABLE READ snapshot on the replica when one is
        configured (every statement sees the same replayed prefix of HQ's commits).

        A replica never skips a row of the feed: it replays the primary's commits in commit order, and
        hq_seq numbers are handed out in commit order (the writer lock), so what it shows is a prefix
        of the feed; a till pulling there is only behind by the replica's lag, and its cursor never
        passes a row it has not seen. What must see HQ's latest state (a handshake's acknowledged count,
        a push) reads the primary. Without a replica the primary serves it, still one snapshot."""
        with self._snapshots.connect() as conn:
            with conn.begin():
                yield conn

    @contextmanager
    def statement(self) -> Iterator[Connection]:
        """A connection for reads that are each one statement, outside any transaction: on PostgreSQL
        (autocommit) a statement is its own snapshot and one round trip (read() too now: it cost three, BEGIN,
        the SELECT, COMMIT). A till's sync calls read this way (the handshake's one SELECT, a device's
        key); two statements on it may see two snapshots. SQLite: read() (its round trips are calls)."""
        if self._statements is None:
            with self.read() as conn:
                yield conn
            return
        with self._statements.connect() as conn:
            yield conn

    async def close_loop_reads(self) -> None:
        """Closes the event loop's pools (the app's lifespan, in the loop that opened them)."""
        await self.loop_reads.close()
        await self.replica_loop_reads.close()

    def dispose(self) -> None:
        for helper in self.helpers.values():
            helper.close()
        self.helpers.clear()
        self.engine.dispose()
        if self.replica is not None:
            self.replica.dispose()


def _autocommit(engine: Engine) -> Engine | None:
    """The engine's pool handing out autocommit connections (PostgreSQL: psycopg's autocommit is a flag
    on the connection, set and reset without a round trip); None for SQLite."""
    return engine.execution_options(isolation_level="AUTOCOMMIT") if engine.dialect.name == "postgresql" else None


def migrate(url: str) -> None:
    """Bring the schema to head (idempotent); run once before the workers start."""
    engine = make_engine(url)
    try:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.attributes["engine"] = engine
        command.upgrade(cfg, "head")
    finally:
        engine.dispose()
