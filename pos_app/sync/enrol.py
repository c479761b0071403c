"""Enrolment: trade HQ's one-time token for this device's id and key.

The store id and device id HQ gives replace the provisional ones made at first
start (meta store_id/device_id); the key is kept in meta as is (sync.device_key),
HQ keeps only its hash. A database that already recorded events under its
provisional ids cannot be enrolled: HQ would refuse every one of them as another
store's, so enrol a fresh database (without demo data).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from pos_app.store import repos
from pos_app.store import tables as T
from pos_app.store.db import Database
from pos_app.store.ledger_repo import Identity
from pos_app.sync import state
from pos_app.sync.client import HQClient
from pos_app.sync.errors import EnrolmentRefused
from pos_app.sync.wire import EnrolResponse


def enrol(db: Database, hq_url: str, token: str, device_name: str = "till", *, who: Identity | None = None,
          clock: Callable[[], datetime] | None = None, **client_kw: Any) -> EnrolResponse:
    """Enrol this store database with HQ; updates `who` (the running app's identity) in place.
    `clock` is the store's (ctx.clock): the first offline period starts at enrolment."""
    with db.read() as conn:
        own = conn.execute(select(func.count()).select_from(T.events).where(T.events.c.device_seq > 0)).scalar()
        creds = state.credentials(conn)
    if creds is not None:
        raise EnrolmentRefused(f"this store is already enrolled as store {creds.store_id} device {creds.device_id} "
                               f"with {creds.hq_url}")
    if own:
        raise EnrolmentRefused(f"this database already holds {own} events recorded before enrolment; "
                               "enrol a new database (started with --no-demo)")
    answer = HQClient.enrol(hq_url, token, device_name, **client_kw)

    def record(conn: Connection) -> None:
        repos.set_meta(conn, "store_id", answer.store_id)
        repos.set_meta(conn, "device_id", answer.device_id)
        state.put(conn, "hq_url", hq_url.rstrip("/"))
        state.put(conn, "device_key", answer.device_key)
        state.put(conn, "enrolled_at", clock() if clock else datetime.now(UTC).replace(tzinfo=None))

    db.apply(record)
    if who is not None:
        who.store_id, who.device_id = answer.store_id, answer.device_id
    return answer
