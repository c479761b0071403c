"""Bad input at every HQ boundary: a 4xx with a clear Problem, nothing stored, never a 500."""

from __future__ import annotations

import gzip
import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pos_app.domain.ids import new_id
from pos_app.sync.wire import MAX_BATCH, MAX_BODY_BYTES
from tests.hq.ledger_check import HQLedger
from tests.hq.wire_events import FakeDevice


@pytest.fixture
def dev(hq, store_id):
    d = FakeDevice(hq, store_id)
    yield d
    d.close()


@pytest.fixture
def ledger(hq):
    book = HQLedger(hq.db_url)
    yield book
    book.close()


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
