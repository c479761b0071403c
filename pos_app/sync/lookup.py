"""A member unknown locally, fetched from HQ while online (by phone, card number or id).

The member record, balances and lots land in the store in one transaction; from then
on HQ sends this store every event touching the member (pull items of type "event"),
and those already inside the snapshot are skipped (member_snapshots.as_of_hq_seq).
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

from sqlalchemy import Connection

from pos_app.domain.members import normalize_phone
from pos_app.store import repos
from pos_app.store.db import Database
from pos_app.sync import catalogue, remote_events, state
from pos_app.sync.client import HQClient
from pos_app.sync.wire import MemberLookup


def fetch_member(db: Database, client: HQClient, query: str) -> str:
    """Fetch the member from HQ and keep a local copy; returns the member id.

    Raises MemberUnknownAtHQ when HQ has no such member, HQUnreachable when offline."""
    found: MemberLookup = client.lookup(query.strip())
    member_id = str(found.member["member_id"])
    now = datetime.now(UTC).replace(tzinfo=None)

    def store(conn: Connection) -> None:
        catalogue.apply_member(conn, member_id, found.member)
        remote_events.apply_snapshot(conn, found, now)  # not while this device has unsent events of the member
        if not remote_events.pending_own(conn, member_id):
            state.refetched(conn, member_id)  # the lots here are HQ's now
        else:
            # HQ's copy could not be taken (it lacks this device's unsent events of the member, e.g. a
            # pickup or a coupon taken offline): the sync after they are pushed fetches it (mend_drift)
            state.want_refetch(conn, member_id)

    db.apply(store)
    return member_id


def find_or_fetch(db: Database, client: HQClient | None, query: str) -> str | None:
    """The member's id from the local database, else from HQ when a client is given; None if unknown.

    A member merged into another (HQ's member_merge) is found by their old card or id as the
    member they were merged into. Raises HQUnreachable only when the member is not here and
    HQ cannot be reached."""
    q = query.strip()
    with db.read() as conn:
        local, ask_hq = _local(conn, q)
        if local is not None and (client is None or remote_events.mirrored(conn, {local})):
            return local  # a record without its balances (pulled, never fetched) is fetched below
    if client is None:
        return local
    from pos_app.sync.errors import HQUnreachable, MemberUnknownAtHQ
    try:
        return fetch_member(db, client, local or ask_hq)
    except MemberUnknownAtHQ:
        return local
    except HQUnreachable:
        if local is None:
            raise
        return local


def _local(conn: Connection, q: str) -> tuple[str | None, str]:
    """(a member here matching q, what to ask HQ for when none does)."""
    from sqlalchemy import or_, select

    from pos_app.store import tables as T
    for field, value in (("phone", normalize_phone(q)), ("card_no", q), ("member_id", q)):
        found = repos.member_where(conn, **{field: value})
        if found is not None:
            return found.member_id, q
    m = T.members.c
    target = conn.execute(select(m.merged_into).where(m.merged_into.is_not(None),
                                                      or_(m.card_no == q, m.member_id == q))).scalar()
    for _ in range(5):  # a merge of a merge
        if target is None:
            return None, q
        row = conn.execute(select(m.member_id, m.merged_into).where(m.member_id == target)).first()
        if row is None:
            return None, target  # known only by id: ask HQ for the kept member
        if row.merged_into is None:
            return row.member_id, target
        target = row.merged_into
    return None, q


def fetch_merge_targets(db: Database, client: HQClient) -> list[str]:
    """Members merged (at HQ) into a member this store has no copy of: fetch the kept member,
    so a cashier here finds the merged member with their points. Returns the ids fetched."""
    from sqlalchemy import select

    from pos_app.store import tables as T
    m = T.members.c
    with db.read() as conn:
        targets = set(conn.execute(select(m.merged_into).distinct().where(m.merged_into.is_not(None))).scalars())
        targets -= remote_events.mirrored(conn, targets)
    return [fetch_member(db, client, target) for target in sorted(targets)]


def mend_drift(db: Database, client: HQClient, member_ids: set[str]) -> list[str]:
    """Members whose lots may differ from HQ's are fetched again: HQ's snapshot sets them right, lot by
    lot. Those are the members whose lots no longer add up to their balance here (remote events applied
    in another order than HQ's) and those marked for it (state.refetch_wanted: HQ, or this store, took an
    event's points from other lots than it named). Only when this device has nothing unsent for the
    member (the snapshot could not include it); a mark waits for a later sync meanwhile."""
    from pos_app.sync.errors import MemberUnknownAtHQ
    with db.read() as conn:
        wanted = state.refetch_wanted(conn)
        ids = sorted(m for m in set(member_ids) | wanted
                     if (m in wanted or remote_events.drifted(conn, m)) and not remote_events.pending_own(conn, m))
    fetched = []
    for m in ids:
        try:
            got = fetch_member(db, client, m)
        except MemberUnknownAtHQ:
            got = None
        if got != m:  # merged into another member at HQ, or gone: nothing of this id to mend
            db.apply(partial(state.refetched, member_id=m))
        if got is not None:
            fetched.append(got)
    return fetched
