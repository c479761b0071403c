"""A member unknown locally, fetched from HQ while online (by phone, card number or id).

The member record, balances and lots land in the store in one transaction; from then
on HQ sends this store every event touching the member (pull items of type "event"),
and those already inside the snapshot are skipped (member_snapshots.as_of_hq_seq).
"""

from __future__ import annotations

from datetime import UTC, datetime

from pos_app.domain.members import normalize_phone
from pos_app.store import repos
from pos_app.store.db import Database
from pos_app.sync import catalogue, remote_events
from pos_app.sync.client import HQClient
from pos_app.sync.wire import MemberLookup


def fetch_member(db: Database, client: HQClient, query: str) -> str:
    """Fetch the member from HQ and keep a local copy; returns the member id.

    Raises MemberUnknownAtHQ when HQ has no such member, HQUnreachable when offline."""
    found: MemberLookup = client.lookup(query.strip())
    member_id = str(found.member["member_id"])
    now = datetime.now(UTC).replace(tzinfo=None)
    with db.write() as conn:
        catalogue.apply_member(conn, member_id, found.member)
        remote_events.apply_snapshot(conn, found, now)
    return member_id


def find_or_fetch(db: Database, client: HQClient | None, query: str) -> str | None:
    """The member's id from the local database, else from HQ when a client is given; None if unknown."""
    q = query.strip()
    with db.read() as conn:
        for field, value in (("phone", normalize_phone(q)), ("card_no", q), ("member_id", q)):
            m = repos.member_where(conn, **{field: value})
            if m is not None:
                return m.member_id
    if client is None:
        return None
    from pos_app.sync.errors import MemberUnknownAtHQ
    try:
        return fetch_member(db, client, q)
    except MemberUnknownAtHQ:
        return None
