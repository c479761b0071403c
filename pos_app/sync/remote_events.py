"""Ledger effects that did not happen on this device: events of other stores and HQ's
corrections (pull items of type "event"), and member snapshots fetched from HQ.

They go into the store's own tables (events, postings, balances, lots) so balances
stay one table and every check (postings sum to zero, balances = postings, lots =
balances) keeps holding. Their device_seq is 0 or negative (allocated downwards), so the
device's own sequence, max + 1, stays gapless from 1; remote_events keeps their hq_seq.
Applying the same event twice changes nothing (event_id is the primary key).
"""

from __future__ import annotations

from typing import Any

import uuid
from datetime import datetime, timedelta

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from pos_app.domain.fields import parse_time
from pos_app.domain.ledger import Posting, canonical_json, check_postings, member_of, payload_hash
from pos_app.store import tables as T
from pos_app.sync import state
from pos_app.sync.catalogue import ItemProblem, when
from pos_app.sync.wire import EventDocument, LotsDifferDocument, MemberLookup, SnapshotLot

SNAPSHOT_ACCOUNT = "hq:snapshot"  # the other side of a snapshot's postings (HQ's history before it)
# Stands in for the accounts of members this store keeps no copy of (never registered,
# served nor looked up here), when a remote event also touches them (e.g. a member merge).
REMOTE_ACCOUNT = "hq:remote"
NS = uuid.UUID("0b5e7c43-6a1f-5a2e-8d0c-3c7a1f9e2b61")


def _next_remote_seq(conn: Connection) -> int:
    """0, -1, -2, ...: the first remote event takes 0, so that while this device has recorded
    nothing of its own, max(device_seq) + 1 (the store's next own number) is still 1."""
    lowest = conn.execute(select(func.min(T.events.c.device_seq))).scalar()
    return min(1 if lowest is None else lowest, 1) - 1


def drifted(conn: Connection, member_id: str) -> bool:
    """The member's balances and lots here disagree (remote events applied in another order
    than HQ's, e.g. a remote reversal of a lot this store had spent from meanwhile)."""
    b, lt = T.balances.c, T.lots.c
    bal = conn.execute(select(func.coalesce(func.sum(b.balance), 0))
                       .where(b.account.like(f"member:{member_id}:%"))).scalar()
    lots = conn.execute(select(func.coalesce(func.sum(lt.remaining), 0))
                        .where(lt.account.like(f"member:{member_id}:%"))).scalar()
    return bal != lots


def _bump(conn: Connection, postings: list[tuple[str, int]]) -> None:
    stmt = sqlite_insert(T.balances)
    stmt = stmt.on_conflict_do_update(index_elements=["account"],
                                      set_={"balance": T.balances.c.balance + stmt.excluded.balance})
    conn.execute(stmt, [{"account": a, "balance": n} for a, n in postings])


def _insert_event(conn: Connection, *, event_id: str, kind: str, store_id: str, device_id: str, device_time: datetime,
                  staff_id: str | None, rule_version: int, member_id: str | None, payload: dict[str, Any], hq_seq: int,
                  origin: str, postings: list[tuple[str, int]]) -> None:
    text = canonical_json(payload)
    conn.execute(insert(T.events).values(
        event_id=event_id, device_seq=_next_remote_seq(conn), kind=kind[:20], store_id=store_id[:36],
        device_id=device_id[:36], device_time=device_time, staff_id=staff_id, rule_version=rule_version,
        member_id=member_id, payload=text, payload_hash=payload_hash(payload)))
    conn.execute(insert(T.remote_events).values(event_id=event_id, hq_seq=hq_seq, origin=origin))
    if postings:
        conn.execute(insert(T.postings), [{"event_id": event_id, "account": a, "amount": n} for a, n in postings])
        _bump(conn, postings)


def _take(conn: Connection, lot_id: str, amount: int) -> bool:
    """Take (give back when < 0) from a lot; a lot already emptied takes from the account's other lots.
    Returns whether the points moved otherwise than the event says (another lot, or no lot here): then
    this store's lots may differ from HQ's, which took them in its own order of arrival."""
    lt = T.lots.c
    lot = conn.execute(select(lt.account, lt.amount, lt.remaining).where(lt.lot_id == lot_id)).first()
    if lot is None:
        return True
    got = min(lot.remaining, amount) if amount >= 0 else max(lot.remaining - lot.amount, amount)
    conn.execute(update(T.lots).where(lt.lot_id == lot_id).values(remaining=lot.remaining - got))
    short = amount - got
    if short < 0:  # given back, but its own lot has no room (HQ covered the take from other lots): mirror that
        for other_id, room, remaining in conn.execute(select(lt.lot_id, lt.amount - lt.remaining, lt.remaining).where(
                lt.account == lot.account, lt.remaining < lt.amount).order_by(lt.expires_at, lt.lot_id)).all():
            if short >= 0:
                break
            n = min(room, -short)
            conn.execute(update(T.lots).where(lt.lot_id == other_id).values(remaining=remaining + n))
            short += n
    if short > 0:
        for other_id, remaining in conn.execute(select(lt.lot_id, lt.remaining).where(
                lt.account == lot.account, lt.remaining > 0).order_by(lt.expires_at, lt.lot_id)).all():
            if short <= 0:
                break
            n = min(remaining, short)
            conn.execute(update(T.lots).where(lt.lot_id == other_id).values(remaining=remaining - n))
            short -= n
    return bool(amount != got)


def _member_of(account: str) -> str | None:
    return member_of(account)


def mirrored(conn: Connection, ids: set[str]) -> set[str]:
    """The members whose accounts this store holds in full: registered here (their
    member_register event is in the ledger) or fetched from HQ (a snapshot). A member
    record alone (a pull item) is not enough."""
    if not ids:
        return set()
    e = T.events.c
    registered = conn.execute(select(e.member_id).where(e.kind == "member_register", e.member_id.in_(ids))).scalars()
    snap = conn.execute(select(T.member_snapshots.c.member_id)
                        .where(T.member_snapshots.c.member_id.in_(ids))).scalars()
    return set(registered) | set(snap)


def _unknown_members(conn: Connection, accounts: set[str]) -> set[str]:
    ids = {m for m in map(_member_of, accounts) if m}
    return ids - mirrored(conn, ids)


def _merge(postings: list[tuple[str, int]]) -> list[tuple[str, int]]:
    sums: dict[str, int] = {}
    for a, n in postings:
        sums[a] = sums.get(a, 0) + n
    return [(a, n) for a, n in sums.items() if n]


def pending_own(conn: Connection, member_id: str) -> bool:
    e, o = T.events.c, T.outbox.c
    return conn.execute(select(o.event_id).join_from(T.outbox, T.events, o.event_id == e.event_id)
                        .where(o.status == "pending", e.member_id == member_id).limit(1)).first() is not None


def known(conn: Connection, event_id: str) -> bool:
    return conn.execute(select(T.events.c.event_id).where(T.events.c.event_id == event_id)).first() is not None


def apply_event(conn: Connection, data: dict[str, Any]) -> bool:
    """One event made elsewhere (another store, or HQ correcting one of ours). False if already here
    or already inside the member's snapshot. A document of the wrong shape is refused naming the field
    (wire.EventDocument: ValidationError)."""
    doc = EventDocument.model_validate(data)
    event_id, member_id, hq_seq, part = doc.event_id, doc.member_id, doc.hq_seq, doc.payload
    if known(conn, event_id):
        return False
    if member_id and hq_seq is not None:
        as_of = conn.execute(select(T.member_snapshots.c.as_of_hq_seq)
                             .where(T.member_snapshots.c.member_id == member_id)).scalar()
        if as_of is not None and hq_seq <= as_of:
            return False
    # The payload as sent: the model's dump is the same canonical JSON (tests/sync/test_pull_documents.py),
    # and the hash is taken of it here without encoding the model again.
    payload: dict[str, Any] = data["payload"]
    postings, grants, takes = list(part.postings), part.grant_times(), list(part.lots)
    if check_postings([Posting(a, n) for a, n in postings]):
        raise ItemProblem("postings do not sum to zero")
    unknown = _unknown_members(conn, {a for a, _ in postings} | {g[1] for g in grants})
    if unknown:  # e.g. a merge's other member: this store keeps no copy of their accounts
        postings = _merge([(REMOTE_ACCOUNT if _member_of(a) in unknown else a, n) for a, n in postings])
        grants = [g for g in grants if _member_of(g[1]) not in unknown]
    at = parse_time(doc.device_time)
    _insert_event(conn, event_id=event_id, kind=doc.kind, store_id=doc.store_id, device_id=doc.device_id,
                  device_time=at, staff_id=doc.staff_id, rule_version=doc.rule_version, member_id=member_id,
                  payload=payload, hq_seq=hq_seq or 0, origin="event", postings=postings)
    for lot_id, account, amount, available_at, expires_at in grants:
        if conn.execute(select(T.lots.c.lot_id).where(T.lots.c.lot_id == lot_id)).first() is None:
            conn.execute(insert(T.lots).values(lot_id=lot_id, event_id=event_id, account=account, amount=amount,
                                               remaining=amount, available_at=available_at, expires_at=expires_at))
    moved = [lot_id for lot_id, amount in takes if _take(conn, lot_id, amount)]
    if moved and member_id and mirrored(conn, {member_id}):
        state.want_refetch(conn, member_id)  # its lots here may now differ from HQ's: fetch it again
    if payload.get("purpose") == "coupon" and doc.kind == "redeem_post" and member_id:
        _keep_coupon(conn, event_id, member_id, payload, at)
    return True


def _keep_coupon(conn: Connection, event_id: str, member_id: str, payload: dict[str, Any], at: datetime | None) -> None:
    """A coupon issued elsewhere (HQ, another store) to a member this store knows: kept, so the member
    can use it here. Its expiry is the payload's, or (a till's older payload) the type's days from then.
    Never a problem of the event's: its points stand whether or not the coupon can be kept here."""
    code, type_id = payload.get("coupon"), payload.get("type_id")
    c, m = T.coupons.c, T.members.c
    if not isinstance(code, str) or not isinstance(type_id, str) or not 0 < len(code) <= 24:
        return
    if conn.execute(select(c.code).where(c.code == code)).first() is not None:
        return
    if conn.execute(select(m.member_id).where(m.member_id == member_id)).first() is None:
        return  # not a member this store keeps: nothing to use it against here
    days = conn.execute(select(T.coupon_types.c.valid_days).where(T.coupon_types.c.type_id == type_id)).scalar()
    if days is None:
        return  # a type this store has not pulled (retired types are kept): nothing to price it by
    try:
        expires = when(payload.get("expires_at")) or (at or datetime.now()) + timedelta(days=days)
    except ItemProblem:
        return
    conn.execute(insert(T.coupons).values(code=code, type_id=type_id, member_id=member_id, status="active",
                                          expires_at=expires, bought_event=event_id))


def lots_differ(conn: Connection, data: dict[str, Any]) -> None:
    """HQ took an event's points from other lots than the event named (a shortfall it covered in its
    order of arrival): the member's lots here may differ from HQ's, so the member is fetched again,
    unless a snapshot taken since already holds HQ's lots."""
    doc = LotsDifferDocument.model_validate(data)
    member_id, hq_seq = doc.member_id, doc.hq_seq
    as_of = conn.execute(select(T.member_snapshots.c.as_of_hq_seq)
                         .where(T.member_snapshots.c.member_id == member_id)).scalar()
    if (as_of is None or as_of < hq_seq) and mirrored(conn, {member_id}):
        state.want_refetch(conn, member_id)


def _granted(lot: SnapshotLot) -> int:
    """What a snapshot lot was granted: its sixth field, when HQ sends it ([lot_id, account, remaining,
    available_at, expires_at, amount]); else 0, and the copy's grant is what it holds now. A lot's grant
    is its room for give-backs (a cancelled gift puts points back into the lot it took them from), so a
    copy that knows less than HQ's grant cannot take a give-back HQ's lot takes (the store's lots fell
    short of its balance by the points given back)."""
    granted: int | None = lot[5] if len(lot) > 5 else None  # an integer or null (wire.SnapshotLot)
    return granted or 0


def apply_snapshot(conn: Connection, found: MemberLookup, now: datetime) -> str | None:
    """A member's balances and lots as HQ holds them at found.as_of_hq_seq: the local copy is set
    to exactly that (postings against hq:snapshot). Returns the snapshot event id, or None if
    this snapshot is not newer than one applied before."""
    member_id = str(found.member["member_id"])
    s = T.member_snapshots.c
    prior = conn.execute(select(s.as_of_hq_seq).where(s.member_id == member_id)).scalar()
    if prior is not None and prior >= found.as_of_hq_seq:
        return None
    if pending_own(conn, member_id):
        # HQ's snapshot cannot include this device's unsent events for the member, and setting
        # the balances to it would drop them: wait until they are pushed (the next run fetches again).
        return None
    lt, b = T.lots.c, T.balances.c
    accounts = set(found.balances) | {a for _, a, *_ in found.lots}
    local = dict(conn.execute(select(b.account, b.balance).where(
        b.account.like(f"member:{member_id}:%") | (b.account == f"debt:{member_id}"))).all())
    accounts |= set(local)
    postings = [(a, found.balances.get(a, 0) - local.get(a, 0)) for a in sorted(accounts)]
    postings = [(a, n) for a, n in postings if n]
    if postings:
        postings.append((SNAPSHOT_ACCOUNT, -sum(n for _, n in postings)))
    event_id = str(uuid.uuid5(NS, f"{member_id}:{found.as_of_hq_seq}"))
    _insert_event(conn, event_id=event_id, kind="hq_snapshot", store_id="hq", device_id="hq", device_time=now,
                  staff_id=None, rule_version=0, member_id=member_id,
                  payload={"member_id": member_id, "as_of_hq_seq": found.as_of_hq_seq, "postings": postings,
                           "lots": found.lots}, hq_seq=found.as_of_hq_seq, origin="snapshot",
                  postings=[p for p in postings if p[1]])
    wanted = {lot[0]: lot for lot in found.lots}
    holder = [a for a in accounts if a.startswith("member:")]
    for lot_id, amount, remaining in conn.execute(select(lt.lot_id, lt.amount, lt.remaining)
                                                  .where(lt.account.in_(holder))).all():
        want = wanted.pop(lot_id, None)
        target = want[2] if want else 0
        # A lot copied from an earlier snapshot may know less than its grant (see _granted): HQ holding
        # more in it now proves the grant was larger, so it grows rather than clipping HQ's figure.
        grown = max(amount, target, _granted(want) if want else 0)
        if (target, grown) != (remaining, amount):
            conn.execute(update(T.lots).where(lt.lot_id == lot_id).values(remaining=target, amount=grown))
    for lot in wanted.values():
        lot_id, account, remaining, available_at, expires_at = lot[:5]
        conn.execute(insert(T.lots).values(lot_id=lot_id, event_id=event_id, account=account,
                                           amount=max(remaining, _granted(lot)), remaining=remaining,
                                           available_at=parse_time(available_at), expires_at=parse_time(expires_at)))
    values = {"as_of_hq_seq": found.as_of_hq_seq, "event_id": event_id, "fetched_at": now}
    if prior is None:
        conn.execute(insert(T.member_snapshots).values(member_id=member_id, **values))
    else:
        conn.execute(update(T.member_snapshots).where(s.member_id == member_id).values(**values))
    return event_id
