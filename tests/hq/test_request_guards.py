"""What every request meets (issue 11): one body limit, a JSON depth limit, exact credentials, no
pattern built from an id, no PIN hash in a staff answer. Each was a finding of an audit; a real
`hq-server serve` on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import httpx
import pytest

from pos_app.domain.ids import new_id
from pos_app.domain.staff import hash_pin
from tests.hq.wire_events import FakeDevice


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def alive(hq) -> bool:
    return httpx.get(hq.url + "/api/v1/health", timeout=10).status_code == 200


@pytest.mark.parametrize("levels", [40, 500, 100_000])
def test_a_deeply_nested_push_is_a_4xx_and_stores_nothing(hq, store_id, levels):
    dev = FakeDevice(hq, store_id)
    ev = dev.earn(new_id(), 10)
    body = json.dumps({"events": [ev]}).replace('"payload": {', f'"payload": {{"x": {deep(levels)}, ', 1)
    r = dev.client.post("/api/v1/sync/push", content=body, headers={"Content-Type": "application/json"})
    if r.status_code == 200:  # pydantic took it: the event itself is refused for its depth
        answer = r.json()["answers"][0]
        assert answer["status"] == "rejected" and "deeper" in answer["reason"], answer
    else:
        assert 400 <= r.status_code < 500 and r.json()["code"] in ("too_deep", "bad_json", "invalid_body"), r.text
    assert alive(hq)
    assert dev.handshake().json()["hq_acked_count"] == 0  # nothing stored


def test_a_deeply_nested_body_anywhere_else_is_a_4xx(hq, store_id):
    for levels in (64, 100_000):
        r = hq.admin("PUT", f"/catalog/gift/G-{store_id}", content=f'{{"name": "x", "points_cost": 1, "y": '
                                                                  f'{deep(levels)}}}',
                     headers={"Content-Type": "application/json"})
        assert 400 <= r.status_code < 500, (levels, r.status_code, r.text)
    assert hq.admin("GET", "/catalog/gift").status_code == 200
    assert f"G-{store_id}" not in [i["key"] for i in hq.admin("GET", "/catalog/gift").json()]
    assert alive(hq)


@pytest.mark.parametrize("path,method", [("/api/v1/admin/login", "POST"), ("/api/v1/enrol", "POST"),
                                         ("/api/v1/admin/catalog/gift/G-big", "PUT"),
                                         ("/api/v1/admin/rules", "POST")])
def test_every_route_refuses_a_large_body_before_reading_it(hq, path, method):
    big = b'{"x": "' + b"a" * (1 << 20) + b'"}'
    r = httpx.request(method, hq.url + path, content=big, headers={**hq.admin_headers(),
                                                                  "Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["code"] == "body_too_large", r.text

    def chunks():  # no Content-Length: counted as it streams
        for _ in range(64):
            yield b"a" * 32768
    r = httpx.request(method, hq.url + path, content=chunks(), headers={**hq.admin_headers(),
                                                                       "Content-Type": "application/json"})
    assert r.status_code == 413, r.text


def test_a_push_may_be_larger_but_not_without_bound(hq, store_id):
    dev = FakeDevice(hq, store_id)
    r = dev.client.post("/api/v1/sync/push", content=b"{" + b" " * (9 << 20) + b"}",
                        headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert dev.push([dev.register(new_id(), "13900000001")]).status_code == 200  # 300 kB-ish pushes are fine


def test_a_content_length_that_is_not_a_number_is_a_400(hq):
    with httpx.Client() as c:
        req = c.build_request("POST", hq.url + "/api/v1/enrol", content=b"{}",
                              headers={"Content-Type": "application/json"})
        req.headers["Content-Length"] = "12abc"
        try:
            r = c.send(req)
        except httpx.HTTPError:
            return  # the HTTP layer itself refused it: also not a 500
        assert r.status_code == 400


@pytest.mark.parametrize("mangle", [lambda i, k: f"Device {i}X:{k}", lambda i, k: f"Device {i}:{k}X",
                                    lambda i, k: f"Device {i.upper()}:{k}", lambda i, k: f"Device {i}:",
                                    lambda i, k: f"Device :{k}", lambda i, k: f"device {i}:{k}",
                                    lambda i, k: f"Device  {i}:{k}", lambda i, k: f"Device {i}:{k}:{k}",
                                    lambda i, k: f"Bearer {k}", lambda i, k: "Device", lambda i, k: ""])
def test_any_malformed_device_credential_is_a_401_on_every_sync_route(hq, store_id, mangle):
    dev = FakeDevice(hq, store_id)
    header = {"Authorization": mangle(dev.creds["device_id"], dev.creds["device_key"])}
    calls = [("POST", "/api/v1/sync/handshake", {"json": {"protocol_min": 1, "protocol_max": 1,
                                                          "device_time": "2026-12-07T00:00:00", "acked_count": 0,
                                                          "acked_hash": "0" * 64}}),
             ("GET", "/api/v1/sync/pull", {}), ("GET", "/api/v1/members/lookup", {"params": {"q": "13800000000"}}),
             ("POST", "/api/v1/sync/push", {"json": {"events": []}})]
    for method, path, kw in calls:
        r = httpx.request(method, hq.url + path, headers=header, timeout=30, **kw)
        assert r.status_code == 401 and r.headers["WWW-Authenticate"] == "Device", (path, r.status_code, r.text)
    assert dev.handshake().status_code == 200  # the right one still works


def test_an_id_is_never_a_pattern(hq, store_id):
    dev = FakeDevice(hq, store_id)
    m = new_id()
    assert dev.push([dev.register(m, "13912340000"), dev.earn(m, 30)]).status_code == 200
    for path in ("/members/%25", "/members/%25%25", "/members/_", f"/members/{m[:-1]}%25"):
        r = hq.admin("GET", path)
        assert r.status_code == 422, (path, r.text)
    assert hq.admin("GET", "/members", params={"q": "%"}).json() == []
    assert hq.admin("GET", f"/members/{m}").json()["balances"] == {f"member:{m}:consumer": 30}


def test_no_staff_answer_carries_a_members_pin_hash(hq, store_id):
    dev = FakeDevice(hq, store_id)
    m, phone = new_id(), "13912340001"
    reg = dev.register(m, phone)
    reg_doc = reg["payload"]
    reg_doc["pin_hash"] = hash_pin("123456")
    from pos_app.domain.ledger import payload_hash
    reg["payload_hash"] = payload_hash(reg_doc)
    assert dev.push([reg]).json()["answers"][0]["status"] == "ok"
    found = hq.admin("GET", "/members", params={"q": phone}).json()
    one = hq.admin("GET", f"/members/{m}").json()
    assert [f["member_id"] for f in found] == [m]
    assert "pin_hash" not in found[0] and "pin_hash" not in one
    assert "$argon2" not in json.dumps(found) + json.dumps(one)
    # the tills that check it offline still get it
    looked = dev.client.get("/api/v1/members/lookup", params={"q": phone}).json()
    assert looked["member"]["pin_hash"].startswith("$argon2")


def test_a_till_cannot_walk_the_phone_numbers(hq, store_id):
    """Lookups that find nobody are limited per till: a compromised till collecting the chain's members
    (with their PIN hashes) by trying numbers is stopped after 30 misses in 10 minutes."""
    dev, other = FakeDevice(hq, store_id), FakeDevice(hq, f"{store_id}-b")
    m, phone = new_id(), "13912349999"
    assert dev.push([dev.register(m, phone)]).status_code == 200
    codes = [dev.client.get("/api/v1/members/lookup", params={"q": f"1470000{i:04d}"}).status_code
             for i in range(31)]
    assert codes == [404] * 30 + [429]
    r = dev.client.get("/api/v1/members/lookup", params={"q": phone})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0  # even a hit waits now
    assert other.client.get("/api/v1/members/lookup", params={"q": phone}).status_code == 200  # another till
    for q in ("abc", "%", "1380013800_", "' or 1=1 --"):
        r = other.client.get("/api/v1/members/lookup", params={"q": q})
        assert r.status_code == 422 and r.json()["code"] == "invalid_query", (q, r.text)
