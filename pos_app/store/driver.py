"""Plain sqlite3 calls inside a SQLAlchemy transaction, for the checkout's hot path.

A sale runs some twenty statements. Through SQLAlchemy each one costs a statement
build, a cache-key walk and a result wrapper (a third of the checkout's CPU on
bench/ledger.py); the driver connection underneath runs the same SQL in the same
transaction for a fraction of that. Errors surface as SQLAlchemy's, as from
conn.execute, so callers' handling does not change.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from pos_app.store import tables as T


def fetch(conn: Connection, sql: str, params=()) -> list[tuple]:
    return _call(conn.connection.driver_connection.execute, sql, params).fetchall()


def scalar(conn: Connection, sql: str, params=()):
    """The first column of the first row, or None when there is no row."""
    row = _call(conn.connection.driver_connection.execute, sql, params).fetchone()
    return row[0] if row else None


def run(conn: Connection, sql: str, params=()) -> int:
    """Runs one statement; the number of rows it changed."""
    return _call(conn.connection.driver_connection.execute, sql, params).rowcount


def run_many(conn: Connection, sql: str, rows: list) -> None:
    _call(conn.connection.driver_connection.executemany, sql, rows)


def _call(method, sql: str, params) -> sqlite3.Cursor:
    try:
        return method(sql, params)
    except sqlite3.DatabaseError as exc:
        raise DBAPIError.instance(sql, params, exc, sqlite3.DatabaseError) from exc


def time_param(conn: Connection) -> Callable[[datetime | None], str | None]:
    """A datetime as the DateTime columns store it (the dialect's own bind processor:
    always with microseconds), so comparisons and rows match what SQLAlchemy writes.
    The generic type's processor is None on SQLite: sqlite3's default adapter would then
    drop a whole second's ".000000" and the text would no longer compare equal."""
    dialect = conn.dialect
    proc = _TIME_PARAMS.get(dialect)
    if proc is None:
        column_type = T.events.c.device_time.type
        proc = _TIME_PARAMS[dialect] = column_type.dialect_impl(dialect).bind_processor(dialect) or (lambda v: v)
    return proc


_TIME_PARAMS: dict = {}
