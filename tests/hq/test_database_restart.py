"""HQ's connections to PostgreSQL die (a database restart, a failover): the request that meets a dead
connection is a 503 with Retry-After, never a 500, and HQ goes on on fresh connections.

Its own HQ on its own database: the session's shared HQ would keep dead connections in its pools for
the tests after this one."""

from __future__ import annotations

import psycopg
import pytest

from pos_app.domain.ids import new_id
from tests.console.client import Console
from tests.hq.server import HQServer, need_postgres, postgres_database
from tests.hq.wire_events import FakeDevice


def _kill_connections(url: str) -> int:
    dbname = url.rsplit("/", 1)[1]
    with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = %s AND pid <> pg_backend_pid() "
                            "AND backend_type = 'client backend') t", (dbname,)).fetchone()[0]


def test_a_dropped_database_connection_is_a_503_then_hq_goes_on(tmp_path):
    need_postgres()
    with postgres_database() as url, HQServer(url, workers=1, log=tmp_path / "hq.log") as hq:
        assert hq.admin("GET", "/stores").status_code == 200  # the pool now holds a live connection
        killed = _kill_connections(url)
        assert killed >= 1
        answers = [hq.admin("GET", "/stores") for _ in range(12)]
        codes = [a.status_code for a in answers]
        assert 500 not in codes, codes
        for a in answers:
            if a.status_code == 503:
                assert a.json()["code"] == "database_unavailable" and a.headers["retry-after"] == "1"
        assert codes[-3:] == [200, 200, 200], codes


def test_a_tills_sync_calls_meet_a_dropped_connection_as_a_503_then_go_on(tmp_path):
    """The handshake, the pull and the push's key check and page read from the event loop's own pool
    (hq_server.loop_reads): its dead connections are dropped as the thread pool's are."""
    need_postgres()
    with postgres_database() as url, HQServer(url, workers=1, log=tmp_path / "hq.log") as hq:
        dev = FakeDevice(hq, "s-restart")
        try:
            assert dev.handshake().status_code == 200 and dev.pull_all()[1] >= 0  # both pools hold live connections
            assert dev.push([dev.earn(new_id(), 5)]).status_code == 200
            assert _kill_connections(url) >= 2
            codes = []
            for _ in range(8):
                calls = [dev.handshake(), dev.client.get("/api/v1/sync/pull", params={"after": 0}),
                         dev.client.post("/api/v1/sync/push", json={"events": [], "pull_cursor": 0})]
                codes.append([r.status_code for r in calls])
                for r in calls:
                    if r.status_code == 503:
                        assert r.json()["code"] == "database_unavailable" and r.headers["retry-after"] == "1"
            assert all(c in (200, 503) for round_ in codes for c in round_), codes
            assert codes[0][0] == 503, codes  # the handshake met the killed connection the pool held
            assert codes[-3:] == [[200, 200, 200]] * 3, codes
        finally:
            dev.close()


@pytest.mark.parametrize("lang,hint", [("zh", "总部暂时连不上数据库"), ("en", "HQ lost its database for a moment")])
def test_a_console_page_that_meets_a_dropped_connection_is_the_consoles_503_page(tmp_path, lang, hint):
    """HQ's staff meet a database restart as the console's own page in their language, with Retry-After;
    reloading it a moment later works."""
    need_postgres()
    with postgres_database() as url, HQServer(url, workers=1, log=tmp_path / "hq.log") as hq, Console(hq) as c:
        c.http.cookies.set("lang", lang)
        assert c.get("/console/stores").status_code == 200  # the pools now hold live connections
        assert _kill_connections(url) >= 1
        r = c.get("/console/stores")
        assert r.status_code == 503 and r.headers["content-type"].startswith("text/html"), r.text[:300]
        assert hint in r.text and r.headers["retry-after"] == "1"
        assert [c.get("/console/stores").status_code for _ in range(3)][-1] == 200
