"""Enrolment with a one-time token, device-key auth, and the handshake's sanity check."""

from __future__ import annotations

from datetime import timedelta

import httpx

from pos_app.domain.ids import new_id
from pos_app.sync.wire import EMPTY_HASH, HandshakeResponse
from tests.hq.wire_events import FakeDevice, now


def test_a_token_enrols_one_device_once(hq, store_id):
    token = hq.enrolment_token(store_id)
    r = httpx.post(hq.url + "/api/v1/enrol", json={"token": token, "device_name": "till-1"})
    assert r.status_code == 200
    creds = r.json()
    assert creds["store_id"] == store_id and len(creds["device_key"]) >= 40
    again = httpx.post(hq.url + "/api/v1/enrol", json={"token": token, "device_name": "till-2"})
    assert again.status_code == 409 and again.json()["code"] == "token_used"
    bogus = httpx.post(hq.url + "/api/v1/enrol", json={"token": "x" * 43, "device_name": "till-3"})
    assert bogus.status_code == 401 and bogus.json()["code"] == "bad_token"


def test_a_fresh_device_agrees_with_hq_and_gets_time_and_limits(hq, store_id):
    dev = FakeDevice(hq, store_id)
    r = dev.handshake()
    assert r.status_code == 200
    hs = HandshakeResponse.model_validate(r.json())
    assert hs.protocol == 1 and not hs.full_resync_required
    assert (hs.hq_acked_count, hs.hq_acked_hash) == (0, EMPTY_HASH)
    assert abs((hs.hq_time.replace(tzinfo=None) - now()).total_seconds()) < 60
    assert hs.offline_limits.max_offline_hours == 72


def test_handshake_asks_for_a_full_repush_when_the_sides_disagree(hq, store_id):
    dev = FakeDevice(hq, store_id)
    member = new_id()
    events = [dev.earn(member, 10) for _ in range(3)]
    assert dev.push(events).status_code == 200
    assert dev.handshake().json()["full_resync_required"] is False
    # the store lost two answers: what it holds is a prefix of HQ's, so no full re-push
    first = dev.acked[1]
    h = __import__("pos_app.sync.wire", fromlist=["roll_hash"]).roll_hash(EMPTY_HASH, 1, *first)
    assert dev.handshake(acked=(1, h)).json()["full_resync_required"] is False
    # the store claims something HQ does not hold
    r = dev.handshake(acked=(3, "f" * 64)).json()
    assert r["full_resync_required"] is True and r["hq_acked_count"] == 3
    assert dev.handshake(acked=(4, dev.acked_state()[1])).json()["full_resync_required"] is True


def test_handshake_refuses_protocols_hq_does_not_speak(hq, store_id):
    dev = FakeDevice(hq, store_id)
    r = dev.client.post("/api/v1/sync/handshake", json={"protocol_min": 7, "protocol_max": 9,
                                                        "device_time": now().isoformat(), "acked_count": 0,
                                                        "acked_hash": EMPTY_HASH})
    assert r.status_code == 409 and r.json()["code"] == "protocol"


def test_sync_calls_need_the_device_key(hq, store_id):
    dev = FakeDevice(hq, store_id)
    body = {"protocol_min": 1, "protocol_max": 1, "device_time": now().isoformat(), "acked_count": 0,
            "acked_hash": EMPTY_HASH}
    none = httpx.post(hq.url + "/api/v1/sync/handshake", json=body)
    assert none.status_code == 401 and none.json()["code"] == "unauthenticated"
    wrong = httpx.post(hq.url + "/api/v1/sync/handshake", json=body,
                       headers={"Authorization": f"Device {dev.device_id}:{'A' * 43}"})
    assert wrong.status_code == 401 and wrong.json()["code"] == "bad_device_key"
    assert hq.admin("POST", f"/devices/{dev.device_id}/revoke").status_code == 204
    assert dev.handshake().status_code == 403


def test_clock_skew_is_measured_at_handshake(hq, store_id):
    dev = FakeDevice(hq, store_id)
    assert dev.handshake(device_time=now() - timedelta(days=3)).status_code == 200
    # events from that device are flagged, never dropped
    ev = dev.earn(new_id(), 5, at=now() - timedelta(days=3))
    r = dev.push([ev]).json()
    assert r["answers"][0]["status"] == "ok"
    flagged = hq.admin("GET", "/conflicts", params={"rule": 4}).json()
    assert any(c["event_id"] == ev["event_id"] and c["kind"] == "clock_skew"
               and c["detail"]["skew_s"] > 2 * 86400 for c in flagged)
