"""What sync remembers between runs, kept in the store's `meta` table (key `sync.*`).

Written in the same transaction as what it describes: the pull cursor with the
applied items, the acknowledged count/hash with the outbox answers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection

from pos_app.store import repos

if TYPE_CHECKING:
    from pos_app.sync.wire import OfflineLimits

PREFIX = "sync."


def get(conn: Connection, key: str, default: str | None = None) -> str | None:
    return repos.get_meta(conn, PREFIX + key, default)


def put(conn: Connection, key: str, value: str | int | datetime) -> None:
    repos.set_meta(conn, PREFIX + key, value.isoformat() if isinstance(value, datetime) else str(value))


def get_int(conn: Connection, key: str, default: int = 0) -> int:
    raw = get(conn, key)
    return int(raw) if raw is not None else default


def get_time(conn: Connection, key: str) -> datetime | None:
    raw = get(conn, key)
    return datetime.fromisoformat(raw) if raw else None


@dataclass(frozen=True)
class Credentials:
    hq_url: str
    store_id: str
    device_id: str
    device_key: str


def credentials(conn: Connection) -> Credentials | None:
    url, key = get(conn, "hq_url"), get(conn, "device_key")
    if not url or not key:
        return None
    store_id, device_id = repos.get_meta(conn, "store_id"), repos.get_meta(conn, "device_id")
    if not store_id or not device_id:  # written with hq_url at enrolment: a database half enrolled is not
        return None
    return Credentials(url, store_id, device_id, key)


def cursor(conn: Connection) -> int:
    return get_int(conn, "pull_cursor")


def acked(conn: Connection) -> tuple[int, str, int]:
    """(count, rolling hash, highest device_seq) of the events HQ acknowledged."""
    from pos_app.sync.wire import EMPTY_HASH  # pydantic: not at the app's start (the demo check reads credentials)

    return get_int(conn, "acked_count"), get(conn, "acked_hash") or EMPTY_HASH, get_int(conn, "acked_max_seq")


def set_acked(conn: Connection, count: int, digest: str, max_seq: int) -> None:
    put(conn, "acked_count", count)
    put(conn, "acked_hash", digest)
    put(conn, "acked_max_seq", max_seq)


def offline_limits(conn: Connection) -> OfflineLimits:
    from pos_app.sync.wire import OfflineLimits

    raw = get(conn, "offline_limits")
    return OfflineLimits.model_validate(json.loads(raw)) if raw else OfflineLimits()


def set_offline_limits(conn: Connection, limits: OfflineLimits, scope: str) -> None:
    """HQ's limits: a store's own override the chain's; the handshake gives the effective ones."""
    if scope == "chain" and get(conn, "offline_limits_scope") == "store":
        return
    put(conn, "offline_limits", limits.model_dump_json())
    if scope != "effective":
        put(conn, "offline_limits_scope", scope)


# Members whose lots here may differ from HQ's although the balances agree: HQ told this store it took
# an event's points from other lots than the event named, or this store did so applying a remote event.
# They are fetched again (lookup.mend_drift) once nothing of theirs is unsent, and the mark goes with
# that fetch: kept here, it survives a sync that fails or ends before the fetch.
REFETCH = "refetch_lots"


def refetch_wanted(conn: Connection) -> set[str]:
    raw = get(conn, REFETCH)
    return set(json.loads(raw)) if raw else set()


def want_refetch(conn: Connection, member_id: str) -> None:
    wanted = refetch_wanted(conn)
    if member_id not in wanted:
        put(conn, REFETCH, json.dumps(sorted(wanted | {member_id})))


def refetched(conn: Connection, member_id: str) -> None:
    wanted = refetch_wanted(conn)
    if member_id in wanted:
        put(conn, REFETCH, json.dumps(sorted(wanted - {member_id})))
