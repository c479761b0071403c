"""HQ test fixtures: a real `hq-server serve` process per backend, SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest

from hq_server.db import Database
from tests.hq.ledger_check import HQLedger
from tests.hq.server import HQServer, need_postgres, postgres_database, sqlite_url

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session", params=BACKENDS)
def hq_db_url(request, tmp_path_factory):
    if request.param == "sqlite":
        yield sqlite_url(tmp_path_factory.mktemp("hq-sqlite"))
    else:
        need_postgres()
        with postgres_database() as url:
            yield url


@pytest.fixture(scope="session")
def hq(hq_db_url, tmp_path_factory) -> HQServer:
    """One server per backend for the session; tests keep apart by using their own stores."""
    with HQServer(hq_db_url, workers=2, log=tmp_path_factory.mktemp("hq-log") / "hq.log") as server:
        yield server


@pytest.fixture
def store_id() -> str:
    return f"s-{uuid.uuid4().hex[:10]}"


def own_hq(backend: str, tmp_path_factory, name: str, env: dict[str, str] | None = None):
    """An HQ server a test module keeps to itself (for chain-wide settings it changes), on `backend`."""
    def serve(url: str) -> HQServer:
        return HQServer(url, log=tmp_path_factory.mktemp(f"{name}-log") / "hq.log", env=env)

    if backend == "sqlite":
        with serve(sqlite_url(tmp_path_factory.mktemp(f"{name}-hq"))) as server:
            yield server
    else:
        need_postgres()
        with postgres_database() as url, serve(url) as server:
            yield server


@pytest.fixture
def db(hq):
    """HQ's database as its use cases open it (whichever `hq` the test module sees)."""
    database = Database(hq.db_url)
    yield database
    database.dispose()


@pytest.fixture
def ledger(hq):
    """HQ's ledger as the tests read it (whichever `hq` the test module sees)."""
    book = HQLedger(hq.db_url)
    yield book
    book.close()
