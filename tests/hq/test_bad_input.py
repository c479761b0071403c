"""Bad input at every HQ boundary: a 4xx with a clear Problem, nothing stored, never a 500."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
import gzip
import json
from datetime import datetime

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hq_server import models as M
from hq_server.app import create_app
from pos_app.domain.ids import new_id
from pos_app.domain.ledger import payload_hash
from pos_app.sync.wire import MAX_BATCH, MAX_BODY_BYTES
from tests.hq.ledger_check import HQLedger
from tests.hq.wire_events import FakeDevice


@pytest.fixture
def dev(hq, store_id):
    d = FakeDevice(hq, store_id)
    yield d
    d.close()


def stored(ledger: HQLedger, store_id: str) -> tuple:
    return (ledger.scalar("SELECT COUNT(*) FROM events WHERE store_id = :s", s=store_id),
            ledger.scalar("SELECT COUNT(*) FROM feed WHERE store_id = :s", s=store_id),
            ledger.scalar("SELECT COUNT(*) FROM conflicts WHERE store_id = :s", s=store_id))


def problem(r: httpx.Response, status: int, code: str) -> str:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["code"] == code and len(body["message"]) > 10
    return body["message"]


def raw_push(dev: FakeDevice, body: bytes, **headers) -> httpx.Response:
    return dev.client.post("/api/v1/sync/push", content=body, headers={"Content-Type": "application/json", **headers})


def test_malformed_push_bodies(dev, ledger):
    before = stored(ledger, dev.store_id)
    problem(raw_push(dev, b"{not json"), 400, "bad_json")
    problem(raw_push(dev, b"[1, 2]"), 422, "invalid_body")
    problem(raw_push(dev, b"\x1f\x8bnot really gzip", **{"Content-Encoding": "gzip"}), 400, "bad_gzip")
    problem(raw_push(dev, b"{}", **{"Content-Encoding": "br"}), 415, "bad_encoding")
    ev = dev.earn(new_id(), 10)
    msg = problem(raw_push(dev, json.dumps({"events": [dict(ev, event_id="not-a-uuid")]}).encode()),
                  422, "invalid_body")
    assert "event_id" in msg
    msg = problem(raw_push(dev, json.dumps({"events": [dict(ev, surprise=1)]}).encode()), 422, "invalid_body")
    assert "surprise" in msg
    bad = {k: v for k, v in ev.items() if k != "payload_hash"}
    assert "payload_hash" in problem(raw_push(dev, json.dumps({"events": [bad]}).encode()), 422, "invalid_body")
    assert stored(ledger, dev.store_id) == before


def test_oversized_pushes(dev, ledger):
    before = stored(ledger, dev.store_id)
    m = new_id()
    events = [dev.earn(m, 1) for _ in range(MAX_BATCH + 1)]
    assert str(MAX_BATCH) in problem(dev.push(events), 413, "batch_too_large")
    problem(raw_push(dev, b" " * (MAX_BODY_BYTES + 1)), 413, "body_too_large")
    bomb = gzip.compress(b'{"events": [' + b" " * (MAX_BODY_BYTES + 10) + b"]}")
    problem(raw_push(dev, bomb, **{"Content-Encoding": "gzip"}), 413, "body_too_large")
    assert stored(ledger, dev.store_id) == before


def test_events_claiming_another_store_or_device_are_refused_whole(hq, dev, ledger):
    other = FakeDevice(hq, dev.store_id + "-x")
    m = new_id()
    mine = dev.earn(m, 5)
    theirs = dict(dev.earn(m, 5), store_id=other.store_id)
    before = stored(ledger, dev.store_id), stored(ledger, other.store_id)
    msg = problem(dev.push([mine, theirs]), 403, "wrong_store")
    assert other.store_id in msg and dev.store_id in msg
    sibling = FakeDevice(hq, dev.store_id, "till-2")
    problem(dev.push([dict(dev.earn(m, 5), device_id=sibling.device_id)]), 403, "wrong_store")
    # another store's key pushing this store's events
    problem(other.push([dev.earn(m, 5)]), 403, "wrong_store")
    assert (stored(ledger, dev.store_id), stored(ledger, other.store_id)) == before


def test_wrong_keys(hq, dev):
    for header in ("", "Device nobody", f"Device {dev.device_id}:wrong", f"Bearer {dev.creds['device_key']}",
                   f"Device {'x' * 500}:{'y' * 500}"):
        r = httpx.post(hq.url + "/api/v1/sync/push", json={"events": []}, headers={"Authorization": header})
        assert r.status_code == 401 and r.json()["code"] in ("unauthenticated", "bad_device_key")
    r = httpx.get(hq.url + "/api/v1/admin/stores", headers={"Authorization": f"Device {dev.device_id}:x"})
    assert r.status_code == 401
    r = httpx.get(hq.url + "/api/v1/admin/stores", headers={"Authorization": "Bearer not-a-token"})
    problem(r, 401, "bad_admin_token")
    problem(httpx.post(hq.url + "/api/v1/admin/login", json={"username": "admin", "password": "guess"}),
            401, "bad_login")


def test_bad_query_and_enrol_bodies(hq, dev):
    for params in ({"after": -1}, {"limit": 0}, {"limit": "lots"}, {"limit": 10**6}):
        problem(dev.client.get("/api/v1/sync/pull", params=params), 422, "invalid_body")
    problem(dev.client.get("/api/v1/members/lookup", params={"q": ""}), 422, "invalid_body")
    problem(httpx.post(hq.url + "/api/v1/enrol", json={"token": "short"}), 422, "invalid_body")
    problem(dev.client.post("/api/v1/sync/handshake", json={"protocol_min": 1}), 422, "invalid_body")


def device_row(ledger: HQLedger, dev: FakeDevice) -> tuple:
    return tuple(ledger.rows("SELECT acked_count, acked_hash, acked_max_seq, clock_skew_s FROM devices "
                             "WHERE device_id = :d", d=dev.device_id)[0])


def test_huge_pull_cursor_is_refused(dev):
    for after in (10**20, 2**63):
        assert "after" in problem(dev.client.get("/api/v1/sync/pull", params={"after": after}), 422, "invalid_body")
    # the largest cursor a database can hold is still a cursor: nothing after it
    r = dev.client.get("/api/v1/sync/pull", params={"after": 2**63 - 1})
    assert r.status_code == 200 and r.json()["items"] == []


@pytest.mark.parametrize("field, value", [("device_seq", 2**70), ("device_seq", 2**63), ("rule_version", 2**70),
                                          ("rule_version", 2**40)])
def test_wire_integers_too_large_for_the_database_are_refused(dev, ledger, field, value):
    m = new_id()
    assert dev.push([dev.earn(m, 5)]).status_code == 200
    before, row = stored(ledger, dev.store_id), device_row(ledger, dev)
    msg = problem(dev.push([dev.earn(m, 5, **{field: value})]), 422, "invalid_body")
    assert field in msg and "less than or equal" in msg
    assert (stored(ledger, dev.store_id), device_row(ledger, dev)) == (before, row)


def test_handshake_integers_too_large_are_refused(dev, ledger):
    row = device_row(ledger, dev)
    msg = problem(dev.handshake(acked=(2**70, "0" * 64)), 422, "invalid_body")
    assert "acked_count" in msg
    assert device_row(ledger, dev) == row


def test_a_huge_posting_amount_never_gets_a_500(dev, ledger):
    """Amounts inside the payload are the checks' (a rejected event); a value the database cannot hold
    that gets past them is still a 422, never a 500, and nothing is stored."""
    m = new_id()
    ev = dev.earn(m, 5)
    payload = dict(ev["payload"], postings=[[acct, 2**70 if amount > 0 else -2**70]
                                            for acct, amount in ev["payload"]["postings"]])
    before, row = stored(ledger, dev.store_id), device_row(ledger, dev)
    r = dev.push([dict(ev, payload=payload, payload_hash=payload_hash(payload))])
    if r.status_code == 200:
        assert r.json()["answers"][0]["status"] == "rejected"
    else:
        problem(r, 422, "invalid_input")
    assert stored(ledger, dev.store_id)[0] == before[0] and device_row(ledger, dev)[:2] == row[:2]


@pytest.mark.parametrize("field", ["staff_id", "member_id", "kind", "store_id"])
def test_nul_in_an_event_field_is_refused(dev, ledger, field):
    m = new_id()
    ev = dev.earn(m, 5)
    before, row = stored(ledger, dev.store_id), device_row(ledger, dev)
    msg = problem(dev.push([dict(ev, **{field: ev[field][:-1] + "\x00"})]), 422, "invalid_body")
    assert field in msg and "NUL" in msg
    assert (stored(ledger, dev.store_id), device_row(ledger, dev)) == (before, row)


def test_nul_in_lookup_and_enrol_is_refused(hq, dev, ledger):
    msg = problem(dev.client.get("/api/v1/members/lookup", params={"q": "1380013\x008000"}), 422, "invalid_body")
    assert "q" in msg and "NUL" in msg
    assert ledger.scalar("SELECT COUNT(*) FROM follows WHERE store_id = :s", s=dev.store_id) == 0
    token = hq.enrolment_token(dev.store_id)
    devices = ledger.scalar("SELECT COUNT(*) FROM devices WHERE store_id = :s", s=dev.store_id)
    msg = problem(httpx.post(hq.url + "/api/v1/enrol", json={"token": token, "device_name": "till\x002"}),
                  422, "invalid_body")
    assert "device_name" in msg and "NUL" in msg
    assert ledger.scalar("SELECT COUNT(*) FROM devices WHERE store_id = :s", s=dev.store_id) == devices
    # nothing stored: the token is still unused
    assert httpx.post(hq.url + "/api/v1/enrol", json={"token": token, "device_name": "till-2"}).status_code == 200


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00", "0001-01-01T00:30:00+01:00", "9999-12-31T23:59:59",
                                  "9999-12-31T23:30:00-01:00", "1900-01-01T00:00:00", "2200-06-01T12:00:00Z"])
def test_handshake_with_an_impossible_clock_is_refused(dev, ledger, when):
    row = device_row(ledger, dev)
    r = dev.client.post("/api/v1/sync/handshake", json={"protocol_min": 1, "protocol_max": 1, "device_time": when,
                                                         "acked_count": 0, "acked_hash": "0" * 64})
    msg = problem(r, 422, "device_clock")
    assert "clock" in msg and when[:4] in msg
    assert device_row(ledger, dev) == row
    # a clock off by years but one HQ can still record syncs (its events are flagged, DESIGN.md rule 4)
    r = dev.handshake(device_time=datetime(1970, 1, 1))
    assert r.status_code == 200, r.text
    assert device_row(ledger, dev)[3] > 50 * 365 * 86400


@pytest.mark.parametrize("bad", ["overflow", "nul"])
def test_a_database_refusal_is_a_422_and_rolls_the_request_back(hq, bad):
    """The safety net: a value the database refuses (DataError) or the driver cannot bind (OverflowError)
    that no check caught is a 422 invalid_input, and what the request wrote before it is not stored."""
    if bad == "nul" and not hq.db_url.startswith("postgresql"):
        pytest.skip("SQLite text holds a NUL")
    app = create_app(hq.db_url)
    key = f"t-{new_id()[:8]}"

    @app.post("/test/bad-value")
    def bad_value() -> dict:
        with app.state.db.write() as (conn, _seq):
            conn.execute(M.settings.insert().values(key=key, value="written before the bad value"))
            if bad == "overflow":
                conn.execute(M.hq_counter.insert().values(name=key, value=2**70))
            else:
                conn.execute(M.settings.insert().values(key=key + "-2", value="a\x00b"))
        return {}

    async def call() -> httpx.Response:
        # in-process: an exception no handler maps is raised here instead of becoming a 500
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://hq") as client:
            return await client.post("/test/bad-value")

    try:
        # its own thread: a Playwright started earlier in this process (the web faces' browser tests)
        # keeps an event loop running in the main thread, where asyncio.run refuses to start
        with ThreadPoolExecutor(1) as pool:
            msg = problem(pool.submit(asyncio.run, call()).result(), 422, "invalid_input")
        assert "cannot store" in msg and ("too large" in msg or "out of range" in msg or "NUL" in msg)
        with app.state.db.read() as conn:
            assert conn.execute(M.settings.select().where(M.settings.c.key.like(key + "%"))).first() is None
    finally:
        app.state.db.dispose()


def test_bad_admin_bodies(hq, store_id):
    problem(hq.admin("PUT", f"/catalog/product/P-{store_id}", json={"name": "Tea", "price_fen": -1,
                                                                    "category": "tea"}), 422, "invalid_body")
    problem(hq.admin("PUT", f"/catalog/gift/G-{store_id}", json={"name": "Cup"}), 422, "invalid_body")
    problem(hq.admin("PUT", "/catalog/spaceship/x", json={}), 422, "invalid_body")
    problem(hq.admin("POST", "/rules", json={"doc": {"base_per_fen": 0}}), 422, "invalid_rules")
    problem(hq.admin("POST", "/stores", json={"store_id": "hq", "name": "x"}), 422, "invalid_body")
    problem(hq.admin("POST", "/stores/nowhere-at-all/enrolment-tokens", json={}), 404, "store_unknown")
    hq.create_store(store_id)
    problem(hq.admin("PUT", f"/stores/{store_id}/staff/s1", json={"name": "A", "role": "cashier", "pin": "1"}),
            422, "invalid_pin")
    assert not [i for i in hq.admin("GET", "/catalog/product").json() if i["key"] == f"P-{store_id}"]


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                                       max_size=4), max_leaves=20)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(json_values, st.fixed_dictionaries({"events": st.lists(
    st.dictionaries(st.sampled_from(["event_id", "kind", "store_id", "device_seq", "payload", "payload_hash",
                                     "device_time", "rule_version", "device_id"]), json_values), max_size=3)})),
    garbage=st.binary(max_size=64))
def test_random_bodies_never_get_a_500(dev, body, garbage):
    for content in (json.dumps(body).encode(), garbage):
        r = raw_push(dev, content)
        assert r.status_code < 500, r.text
        if r.status_code >= 400:
            assert set(r.json()) == {"code", "message"}
