"""An idle till's sync is one request (issue 17, protocol 2): the handshake carries the till's pull cursor
and HQ answers whether anything waits for it. A till with something to pull, or that pushed, still pulls."""

from __future__ import annotations

import requests

from pos_app.services import checkout
from pos_app.services.demo import CASHIER_ID
from pos_app.sync import state
from pos_app.sync.client import HQClient
from pos_app.sync.cycle import sync_once
from tests.sync.conftest import member_ids



class CountingSession(requests.Session):
    def __init__(self):
        super().__init__()
        self.calls: list[str] = []

    def request(self, method, url, *args, **kw):
        self.calls.append(url.rsplit("/api/v1/", 1)[-1])
        return super().request(method, url, *args, **kw)


def _sync(ctx) -> tuple[list[str], object]:
    with ctx.db.read() as conn:
        creds = state.credentials(conn)
    session = CountingSession()
    client = HQClient(creds.hq_url, creds.device_id, creds.device_key, session=session)
    try:
        return session.calls, sync_once(ctx.db, client=client)
    finally:
        client.close()


def test_an_idle_tills_sync_is_the_handshake_alone(make_store):
    a = make_store("a")
    b = make_store("b", store_id=a.who.store_id)  # a second till of the same store
    for ctx in (a, b, a, b):  # the first handshake learns HQ's protocol; then both tills are level
        _sync(ctx)
    calls, report = _sync(a)
    assert calls == ["sync/handshake"] and report.pulled.applied == 0
    # A sells: its sync pushes, and HQ's answer brings the pull's first page (protocol 2); B then has news
    member = member_ids(a)[0]
    checkout.checkout(a, staff_id=CASHIER_ID, items=[("TEA-PUER", 1)], member_id=member)
    calls, report = _sync(a)
    assert calls == ["sync/handshake", "sync/push"] and report.pushed >= 1 and report.pulled is not None
    calls, report = _sync(b)
    assert calls == ["sync/handshake", "sync/pull"] and report.pulled.applied == 1  # the sale's earn
    # A's own events went to B only: A's next sync is the handshake alone, its cursor moved past them
    with a.db.read() as conn:
        before = state.cursor(conn)
    calls, _ = _sync(a)
    with a.db.read() as conn:
        assert calls == ["sync/handshake"] and state.cursor(conn) > before
    calls, _ = _sync(b)
    assert calls == ["sync/handshake"]
