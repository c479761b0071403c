"""HQ's connections to PostgreSQL die (a database restart, a failover): the request that meets a dead
connection is a 503 with Retry-After, never a 500, and HQ goes on on fresh connections.

Its own HQ on its own database: the session's shared HQ would keep dead connections in its pools for
the tests after this one."""

from __future__ import annotations

import psycopg

from tests.hq.server import HQServer, need_postgres, postgres_database


def test_a_dropped_database_connection_is_a_503_then_hq_goes_on(tmp_path):
    need_postgres()
    with postgres_database() as url, HQServer(url, workers=1, log=tmp_path / "hq.log") as hq:
        assert hq.admin("GET", "/stores").status_code == 200  # the pool now holds a live connection
        dbname = url.rsplit("/", 1)[1]
        with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", autocommit=True) as conn:
            killed = conn.execute("SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  "WHERE datname = %s AND pid <> pg_backend_pid() "
                                  "AND backend_type = 'client backend') t", (dbname,)).fetchone()[0]
        assert killed >= 1
        answers = [hq.admin("GET", "/stores") for _ in range(12)]
        codes = [a.status_code for a in answers]
        assert 500 not in codes, codes
        for a in answers:
            if a.status_code == 503:
                assert a.json()["code"] == "database_unavailable" and a.headers["retry-after"] == "1"
        assert codes[-3:] == [200, 200, 200], codes
