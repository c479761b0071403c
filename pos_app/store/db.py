"""The store's SQLite database: engine, pragmas, transactions, migrations.

WAL + synchronous=FULL: a committed sale survives power loss and kill -9. Writes
take the lock up front (BEGIN IMMEDIATE) so two writers queue on the busy timeout
instead of failing halfway through with SQLITE_BUSY on lock upgrade.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.pool import QueuePool

MIGRATIONS = Path(__file__).with_name("migrations")


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
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


class Database:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.engine = make_engine(path)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One use case's transaction: all of it commits, or none of it."""
        with self.engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn:
            with conn.begin():
                yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            with conn.begin():
                yield conn

    def migrate(self) -> None:
        upgrade(self.engine)

    def close(self) -> None:
        self.engine.dispose()


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine) -> None:
    command.upgrade(alembic_config(engine), "head")


def open_database(path: Path | str) -> Database:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = Database(path)
    db.migrate()
    return db
