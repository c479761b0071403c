"""HQ's OpenAPI document against what HQ does, by a schema-driven fuzzer (schemathesis), on SQLite and
PostgreSQL: for inputs drawn from the document, and for inputs that break it, never a 5xx, never an
answer (status, content type, body) the document does not describe, and nothing stored by a request
answered 4xx.

Each backend gets an HQ of its own: the fuzzer publishes rules, creates users and stores, and the
session's shared HQ must not see that.
"""

from __future__ import annotations

import hashlib
import json

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import given as h_given
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.checks import (content_type_conformance, not_a_server_error, response_schema_conformance,
                                 status_code_conformance)
from sqlalchemy import create_engine, select, text

from hq_server import models as M
from tests.hq.server import HQServer, need_postgres, postgres_database, sqlite_url

# long property runs: CI runs them in a pytest of their own beside the rest (scripts/test.sh), sharing the CPUs
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# What a refused request may still write: the throttle's memory of a wrong login is its point.
NOT_STATE = {"login_failures", "login_locks"}
# Operations the fuzzer would use to end the session it tests with (covered by test_login_security).
SKIP = {("POST", "/api/v1/admin/logout"), ("POST", "/api/v1/admin/password")}
EXAMPLES = 25


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fuzz_hq(request, tmp_path_factory):
    if request.param == "sqlite":
        with HQServer(sqlite_url(tmp_path_factory.mktemp("fuzz"))) as hq:
            yield hq
    else:
        need_postgres()
        with postgres_database() as url, HQServer(url) as hq:
            yield hq


def state(engine) -> str:
    """A digest of every row HQ holds (bar the throttle's), in a stable order."""
    h = hashlib.sha256()
    with engine.connect() as conn:
        for table in sorted(M.metadata.sorted_tables, key=lambda t: t.name):
            if table.name in NOT_STATE:
                continue
            cols = [c for c in table.columns]
            for row in conn.execute(select(*cols).order_by(*cols)):
                h.update(repr(tuple(row)).encode())
    return h.hexdigest()


def _engine(url: str):
    return create_engine(url.replace("postgresql+psycopg://", "postgresql+psycopg://"), pool_size=1)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_answer_is_in_the_document_and_a_refusal_stores_nothing(fuzz_hq, store_id, mode):
    hq = fuzz_hq
    device = hq.enrol(store_id)
    auth = {"/api/v1/admin": hq.admin_headers()["Authorization"], "/api/v1/sync": HQServer.auth(device)[
        "Authorization"], "/api/v1/members": HQServer.auth(device)["Authorization"]}
    schema = schemathesis.openapi.from_url(hq.url + "/openapi.json")
    engine = _engine(hq.db_url)
    failures: list[str] = []
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        for op in schema.get_all_operations():
            op = op.ok()
            if (op.method.upper(), op.path) in SKIP:
                continue
            header = next((v for prefix, v in auth.items() if op.path.startswith(prefix)), None)

            @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))
            @h_given(case=op.as_strategy(generation_mode=mode))
            def run(case):
                if header:
                    case.headers = {**(case.headers or {}), "Authorization": header}
                before = state(engine)
                try:
                    response = case.call_and_validate(base_url=hq.url, checks=CHECKS, timeout=60)
                except (AssertionError, FailureGroup) as exc:  # a check failed: go on, report them all
                    failures.append(f"{op.method.upper()} {op.path}: {str(exc)[:600]}")
                    return
                if 400 <= response.status_code < 500 and state(engine) != before:
                    failures.append(f"{op.method.upper()} {op.path} answered {response.status_code} "
                                    f"but changed HQ's data: {case.body!r:.300}")
            try:
                run()
            except Unsatisfiable:  # nothing in this operation can be broken (no parameters, no body)
                assert mode == GenerationMode.NEGATIVE, op.path
    finally:
        engine.dispose()
    assert httpx.get(hq.url + "/api/v1/health").status_code == 200
    assert not failures, "\n".join(failures[:20]) + f"\n({len(failures)} in all)"


def test_the_document_declares_how_each_route_is_called(fuzz_hq):
    doc = httpx.get(fuzz_hq.url + "/openapi.json").json()
    schemes = doc["components"]["securitySchemes"]
    assert schemes["DeviceKey"]["in"] == "header" and schemes["StaffSession"]["scheme"] == "bearer"
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            open_ = path in ("/api/v1/enrol", "/api/v1/health", "/api/v1/admin/login")
            assert bool(op.get("security")) != open_, (method, path)
            if op.get("security"):
                assert {"401", "403"} <= set(op["responses"]), (method, path)
            if op.get("requestBody"):
                assert {"400", "413", "422"} <= set(op["responses"]), (method, path)
    assert "415" in doc["paths"]["/api/v1/sync/push"]["post"]["responses"]
    assert {"423", "429"} <= set(doc["paths"]["/api/v1/admin/login"]["post"]["responses"])
    json.dumps(doc)
