"""HQ test fixtures: a real `hq-server serve` process per backend, SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest

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
