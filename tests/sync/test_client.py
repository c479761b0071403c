"""The HQ client: every request has a timeout, refusals come back as typed errors and
show in the scheduler's status."""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime

import pytest

from pos_app.sync import state
from pos_app.sync.client import HQClient
from pos_app.sync.errors import DeviceRefused, HQUnreachable
from pos_app.sync.scheduler import SyncScheduler
from pos_app.sync.wire import EMPTY_HASH, HandshakeRequest


def test_a_silent_hq_times_out_instead_of_hanging():
    with socket.socket() as silent:  # accepts connections (backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        client = HQClient(f"http://127.0.0.1:{silent.getsockname()[1]}", "dev", "key", read_timeout=0.5)
        started = time.monotonic()
        with pytest.raises(HQUnreachable, match="Timeout"):
            client.handshake(HandshakeRequest(protocol_min=1, protocol_max=1, device_time=datetime.now(UTC),
                                              acked_count=0, acked_hash=EMPTY_HASH))
        assert time.monotonic() - started < 5
        with pytest.raises(HQUnreachable):
            client.pull(0)


def test_a_wrong_or_revoked_key_is_refused_and_shown(hq, make_store):
    ctx = make_store("a", demo=False)
    with ctx.db.write() as conn:
        key = state.get(conn, "device_key")
        state.put(conn, "device_key", "not-the-key")
    st = SyncScheduler(ctx.db).run_once()
    assert st.state == "refused" and not st.online and "bad_device_key" in st.last_error
    with ctx.db.write() as conn:
        state.put(conn, "device_key", key)
    assert SyncScheduler(ctx.db).run_once().online
    assert hq.admin("POST", f"/devices/{ctx.who.device_id}/revoke").status_code == 204
    with pytest.raises(DeviceRefused) as err:
        HQClient(hq.url, ctx.who.device_id, key).pull(0)
    assert err.value.code == "device_revoked"
    assert SyncScheduler(ctx.db).run_once().state == "refused"


def test_a_protocol_hq_does_not_speak_is_refused_and_shown(hq, make_store, monkeypatch):
    from pos_app.sync import handshake
    ctx = make_store("a", demo=False)
    monkeypatch.setattr(handshake, "PROTOCOL_MIN", 3)  # an app newer than HQ (which speaks 1..2)
    monkeypatch.setattr(handshake, "PROTOCOL_MAX", 4)
    st = SyncScheduler(ctx.db).run_once()
    assert st.state == "refused" and "protocol" in st.last_error
