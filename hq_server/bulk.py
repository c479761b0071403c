"""Multi-row reads and writes for a push's transaction, by each database's fastest path.

A push of 500 events writes a few thousand rows (events, postings, lots, balances,
feed). Through SQLAlchemy's executemany each row costs a parameter conversion in
Python and, on PostgreSQL, a statement of its own on the server; that was most of
ingest's time. Here:

- inserts: COPY on PostgreSQL, in its binary format when every value is of its column's type (one
  INSERT ... VALUES for a few rows); the DB-API cursor's executemany on SQLite (sqlite3
  loops in C), with SQLAlchemy's own bind processors so values are stored exactly as
  through the Core (datetimes as SQLAlchemy formats them);
- balance upserts and lot updates: one statement over arrays (unnest) on PostgreSQL,
  the cursor's executemany on SQLite;
- "column IN (many values)": `IN (SELECT unnest(array))` on PostgreSQL (one statement
  text, so the driver prepares it once, and a plan that probes the index per value),
  chunks of 900 on SQLite (its bound-parameter limit).

They run on the connection's current transaction (the same DB-API connection), so
they commit or roll back with everything else the push did.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache
from typing import Any

import psycopg
from psycopg.pq import ExecStatus
from psycopg.rows import namedtuple_row
from sqlalchemy import (BigInteger, Column, Connection, DateTime, Integer, SmallInteger, String, Table, bindparam,
                        cast, func, select)
from sqlalchemy.dialects.postgresql import ARRAY

TUPLES_OK = ExecStatus.TUPLES_OK
SQLITE_CHUNK = 900
PG_VALUES_UP_TO = 32  # rows: up to this many go in as one INSERT ... VALUES, more by COPY


def pg_array(values: Iterable[Any]) -> str:
    """A PostgreSQL array literal ('{"a","b"}') for text or integer values.

    psycopg dumps a Python list element by element with a regular expression each
    (a tenth of ingest's time); this is one join. Elements are double-quoted with
    backslash and double quote escaped, as the array input syntax wants; ids and
    account names never hold either, so the usual case is a single join.
    """
    values = list(values)
    if not values:
        return "{}"
    if isinstance(values[0], int):
        return "{" + ",".join(map(str, values)) + "}"
    flat = "\x00".join(values)  # NUL: never in a PostgreSQL text value, so only the separators count
    if '"' not in flat and "\\" not in flat and flat.count("\x00") == len(values) - 1:
        return '{"' + flat.replace("\x00", '","') + '"}'
    return "{" + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "}"


def _quoted(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def _raw(conn: Connection) -> Any:
    """The driver's own connection under SQLAlchemy's (psycopg's, for COPY, pipelines and executemany)."""
    return conn.connection.driver_connection


def where_in(conn: Connection, col: Column[Any], values: Iterable[Any]) -> Iterator[Any]:
    """WHERE clauses that together select col IN values (one on PostgreSQL, chunks on SQLite)."""
    values = list(values)
    if not values:
        return
    if conn.dialect.name == "postgresql":
        # IN (SELECT unnest(array)), not = ANY(array): once psycopg prepares the statement, PostgreSQL's
        # generic plan cannot see the array's size and compares every row with every element.
        yield col.in_(select(func.unnest(cast(bindparam(None, pg_array(values), type_=String), ARRAY(col.type)))))
        return
    for i in range(0, len(values), SQLITE_CHUNK):
        yield col.in_(values[i:i + SQLITE_CHUNK])


def at_once(raw: Any, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[list[Any]]:
    """Driver statements (%s parameters) sent to PostgreSQL as one query string on psycopg's connection
    `raw`: one message and one round trip, the server running them in order; the rows of each (named
    tuples; [] for a statement without rows). The values are bound by psycopg's ClientCursor (quoted
    by libpq), so no statement is prepared: for a push's few small statements this costs HQ about half
    the CPU of psycopg's pipeline mode, which sends and waits per statement (bench.fleet: ~20 a push).
    An error raises here, as the transaction's (the statements after it do not run)."""
    cur = psycopg.ClientCursor(raw, row_factory=namedtuple_row)
    try:
        cur.execute("; ".join(cur.mogrify(sql, params) for sql, params in statements))
        out = []
        while True:
            res = cur.pgresult
            out.append(cur.fetchall() if res is not None and res.status == TUPLES_OK else [])
            if not cur.nextset():
                return out
    finally:
        cur.close()


class Trip:
    """The statements one_trip holds, and after the block the rows of each (at_once)."""

    def __init__(self) -> None:
        self.held: list[tuple[str, Sequence[Any]]] = []
        self.rows: list[list[Any]] = []


_TRIPS: dict[int, Trip] = {}  # id(psycopg connection) -> its one_trip block's statements


@contextmanager
def one_trip(conn: Connection, sizes: Iterable[int]) -> Iterator[Trip | None]:
    """The block's writes through this module (and execute) held and sent to PostgreSQL at its end in one
    round trip (at_once), when each table's rows are few enough for INSERT ... VALUES (COPY is a protocol
    of its own); yields the Trip (None when its statements are sent as they come). Only this module's
    statements may run in the block: one sent by SQLAlchemy would run before those held. An error
    surfaces at the block's end, as the transaction's: it rolls back whole."""
    if conn.dialect.name != "postgresql" or max(sizes, default=0) > PG_VALUES_UP_TO:
        yield None
        return
    raw = _raw(conn)
    trip = _TRIPS[id(raw)] = Trip()
    try:
        yield trip
    finally:
        _TRIPS.pop(id(raw), None)
    if trip.held:
        trip.rows = at_once(raw, trip.held)


def execute(conn: Connection, sql: str, params: Sequence[Any]) -> None:
    """A driver statement (PostgreSQL, %s parameters) without rows: held by one_trip when in one, else sent."""
    raw = _raw(conn)
    trip = _TRIPS.get(id(raw))
    if trip is not None:
        trip.held.append((sql, params))
        return
    with raw.cursor() as cur:
        cur.execute(sql, params)


def insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """INSERT rows (all with the same keys) into table."""
    if not rows:
        return
    names = list(rows[0])
    insert_tuples(conn, table, names, [[r[n] for n in names] for r in rows])


def insert_tuples(conn: Connection, table: Table, names: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """INSERT rows given as value sequences in the order of names."""
    if not rows:
        return
    dialect = conn.dialect.name
    if dialect == "postgresql" and len(rows) <= PG_VALUES_UP_TO:
        # A few rows (a till's everyday push): one INSERT ... VALUES is one round trip; COPY takes two
        # and more work on both sides, which only pays for itself over many rows.
        one = f"({', '.join(['%s'] * len(names))})"
        sql = (f"INSERT INTO {_quoted(conn, table.name)} ({', '.join(_quoted(conn, n) for n in names)}) "
               f"VALUES {', '.join([one] * len(rows))}")
        execute(conn, sql, [v for r in rows for v in r])
    elif dialect == "postgresql":
        copy_rows(_raw(conn), _quoted(conn, table.name), [_quoted(conn, n) for n in names], rows,
                  binary_types(table, tuple(names)))
    elif dialect == "sqlite":
        sql = (f"INSERT INTO {_quoted(conn, table.name)} ({', '.join(_quoted(conn, n) for n in names)}) "
               f"VALUES ({', '.join('?' * len(names))})")
        _executemany(conn, sql, rows, [table.c[n] for n in names])
    else:
        conn.execute(table.insert(), [dict(zip(names, r)) for r in rows])


# SQLAlchemy column types COPY's binary format takes here, by PostgreSQL type, and the Python values each
# takes as they are (checked before a COPY: text format would convert anything, binary would fail on it).
_BINARY_TYPES: tuple[tuple[type[Any], str], ...] = (
    (BigInteger, "int8"), (SmallInteger, "int2"), (Integer, "int4"), (String, "text"), (DateTime, "timestamp"))


@lru_cache(maxsize=256)
def binary_types(table: Table, names: tuple[str, ...]) -> tuple[str, ...] | None:
    """The PostgreSQL types COPY's binary format sends the columns as; None if one is of another type."""
    out = []
    for n in names:
        col_type = table.c[n].type
        pg = next((pg for sa, pg in _BINARY_TYPES if isinstance(col_type, sa)), None)
        if pg is None or (pg == "timestamp" and getattr(col_type, "timezone", False)):
            return None
        out.append(pg)
    return tuple(out)


def _fit_binary(types: Sequence[str], rows: Sequence[Sequence[Any]]) -> bool:
    """Every value of the rows is None or of its column's type (naive datetimes for timestamp columns)."""
    for pg, values in zip(types, zip(*rows)):
        kinds = set(map(type, values)) - {type(None)}
        if pg == "text":
            fits = all(issubclass(k, str) for k in kinds)
        elif pg == "timestamp":
            fits = kinds <= {datetime} and all(v is None or v.tzinfo is None for v in values)
        else:
            fits = kinds <= {int}
        if not fits:
            return False
    return True


def copy_rows(raw: Any, table: str, names: Sequence[str], rows: Sequence[Sequence[Any]],
              types: Sequence[str] | None) -> None:
    """COPY the rows into `table` (quoted names) on psycopg's connection `raw`: in COPY's binary format when
    `types` are given and every value fits them, else in its text format. Binary halves the client's CPU
    for a push's rows (no text to format) and spares the server parsing it (bench.sync's raw inserts)."""
    binary = types is not None and _fit_binary(types, rows)
    sql = f"COPY {table} ({', '.join(names)}) FROM STDIN" + (" (FORMAT BINARY)" if binary else "")
    with raw.cursor() as cur, cur.copy(sql) as copy:
        if binary:
            assert types is not None
            copy.set_types(list(types))
        for r in rows:
            copy.write_row(r)


def add_to_balances(conn: Connection, table: Table, deltas: list[tuple[str, int]]) -> None:
    """balance += delta for each (account, delta), creating the rows that do not exist yet."""
    if not deltas:
        return
    t = _quoted(conn, table.name)
    if conn.dialect.name == "postgresql":
        execute(conn, f"INSERT INTO {t} (account, balance) SELECT * FROM unnest(%s::text[], %s::bigint[]) "
                      f"ON CONFLICT (account) DO UPDATE SET balance = {t}.balance + excluded.balance",
                (pg_array(a for a, _ in deltas), pg_array(d for _, d in deltas)))
    else:
        _executemany(conn, f"INSERT INTO {t} (account, balance) VALUES (?, ?) "
                           f"ON CONFLICT (account) DO UPDATE SET balance = balance + excluded.balance", deltas)


def set_remaining(conn: Connection, table: Table, values: list[tuple[str, int]]) -> None:
    """UPDATE lots SET remaining = r WHERE lot_id = id, for each (id, r)."""
    if not values:
        return
    t = _quoted(conn, table.name)
    if conn.dialect.name == "postgresql":
        execute(conn, f"UPDATE {t} SET remaining = u.remaining "
                      f"FROM unnest(%s::text[], %s::bigint[]) AS u(lot_id, remaining) WHERE {t}.lot_id = u.lot_id",
                (pg_array(i for i, _ in values), pg_array(r for _, r in values)))
    else:
        _executemany(conn, f"UPDATE {t} SET remaining = ? WHERE lot_id = ?", [(r, i) for i, r in values])


def _executemany(conn: Connection, sql: str, data: Sequence[Any], columns: list[Column[Any]] | None = None) -> None:
    if columns:
        dialect = conn.dialect
        procs = [(k, p) for k, p in enumerate(c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns)
                 if p]
        if procs:
            data = [list(row) for row in data]
            for row in data:
                for k, p in procs:
                    if row[k] is not None:
                        row[k] = p(row[k])
    cur = _raw(conn).cursor()
    try:
        cur.executemany(sql, data)
    finally:
        cur.close()

