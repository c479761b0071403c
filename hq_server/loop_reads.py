"""A till's most frequent reads (its key, the handshake's one SELECT, a pull page), run from the event loop.

Every till syncs every 30 s or so: a chain of 10,000 stores makes hundreds of these reads a second, each
a single statement. Through SQLAlchemy on the thread pool one cost HQ 0.7-1.0 ms of CPU (the hand-off to a
worker thread and back, the pool checkout and SQLAlchemy's execution layer); the same statement sent by
psycopg's async connection from the event loop costs 0.2-0.3 ms (bench.fleet and an in-process loop of
the handshake's statement, PostgreSQL on loopback). So on PostgreSQL these reads go that way: the
statement is still written with SQLAlchemy (one definition for both databases), compiled once for the
engine's dialect, and run on a psycopg_pool connection in autocommit (one round trip, a snapshot of its
own; see Database.statement). On SQLite they run on the thread pool as before (a SQLite read is a call,
not a round trip, and has no async driver here).

The pool belongs to the event loop of the process that opened it (one per uvicorn worker): opened on the
first read, closed by the app's lifespan.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from psycopg.rows import namedtuple_row
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import Engine, Select
from starlette.concurrency import run_in_threadpool

# Connections per worker for these reads: each is one short statement, so a few serve many requests in
# flight; the pool grows to MAX_SIZE only while reads queue.
MIN_SIZE, MAX_SIZE = 1, 8


class _Compiled:
    """A statement compiled once for psycopg: its SQL and the values of the parameters it binds itself."""

    def __init__(self, stmt: Select[Any], engine: Engine):
        compiled = stmt.compile(dialect=engine.dialect)
        self.sql = str(compiled)
        if "POSTCOMPILE" in self.sql:  # an IN list, expanded per call: not what these reads are for
            raise ValueError("LoopReads takes statements with plain bind parameters only")
        self.fixed = {k: v for k, v in compiled.construct_params(_check=False).items() if v is not None}


class LoopReads:
    """Single-statement reads for one database (the primary or the read replica), from the event loop."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"
        self._conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._pool: AsyncConnectionPool | None = None
        self._opening: asyncio.Lock | None = None
        self._compiled: dict[Select[Any], _Compiled] = {}  # the callers build each statement once and keep it

    async def first(self, stmt: Select[Any], params: Mapping[str, Any]) -> Any:
        """The statement's first row (attributes by column name), or None."""
        if not self.postgres:
            return await run_in_threadpool(self._sync_first, stmt, params)
        c = self._compile(stmt)
        pool = self._pool or await self._open()
        async with pool.connection() as conn:
            cur = await conn.execute(c.sql, {**c.fixed, **params})
            return await cur.fetchone()

    async def all(self, stmt: Select[Any], params: Mapping[str, Any]) -> list[Any]:
        """The statement's rows (attributes by column name)."""
        if not self.postgres:
            return await run_in_threadpool(self._sync_all, stmt, params)
        c = self._compile(stmt)
        pool = self._pool or await self._open()
        async with pool.connection() as conn:
            cur = await conn.execute(c.sql, {**c.fixed, **params})
            return await cur.fetchall()

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()

    def _compile(self, stmt: Select[Any]) -> _Compiled:
        c = self._compiled.get(stmt)
        if c is None:
            c = self._compiled[stmt] = _Compiled(stmt, self.engine)
        return c

    async def _open(self) -> AsyncConnectionPool:
        if self._opening is None:
            self._opening = asyncio.Lock()
        async with self._opening:
            if self._pool is None:
                pool = AsyncConnectionPool(self._conninfo, min_size=MIN_SIZE, max_size=MAX_SIZE, open=False,
                                           kwargs={"autocommit": True, "row_factory": namedtuple_row},
                                           name="hq-loop-reads")
                await pool.open()
                self._pool = pool
            return self._pool

    def _sync_first(self, stmt: Select[Any], params: Mapping[str, Any]) -> Any:
        with self.engine.connect() as conn, conn.begin():
            return conn.execute(stmt, dict(params)).first()

    def _sync_all(self, stmt: Select[Any], params: Mapping[str, Any]) -> list[Any]:
        with self.engine.connect() as conn, conn.begin():
            return list(conn.execute(stmt, dict(params)).all())
