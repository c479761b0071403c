"""The store-facing API: enrolment, handshake, push, pull, member lookup (DESIGN.md section 6)."""

from __future__ import annotations

import json
import re
import zlib
from contextlib import nullcontext
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import AfterValidator, ValidationError
from sqlalchemy import Connection, or_, select, update

from hq_server import device_keys, feed
from hq_server.ledger import ingest
from hq_server import handshake as handshakes
from hq_server import models as M
from hq_server.auth import DEVICE_SECURITY, Device, device, device_on_loop, get_db, now
from hq_server.ledger.checks import MAX_DEPTH, too_deep
from hq_server.db import Database
from hq_server.loop_reads import LoopReads
from hq_server.errors import HQProblem, validation_message
from hq_server.throttle import Throttle
from hq_server.ledger.member_records import member_doc
from hq_server.security import new_secret, secret_hash
from pos_app.domain import ledger as L
from pos_app.domain.ids import new_id
from pos_app.sync.gc_pause import gc_paused
from pos_app.domain.members import check_phone, normalize_phone
from pos_app.domain.ids import ID_PATTERN
from pos_app.sync import wire as W

router = APIRouter(prefix="/api/v1", tags=["sync"])
PUSH_PULL_LIMIT = 500  # the page a push answers with (protocol 2), as a till's own pull asks
GC_PAUSE_BYTES = 16 * 1024  # a body this big holds dozens of events (gzip: hundreds)
PROBLEMS: dict[int | str, dict[str, Any]] = {code: {"model": W.Problem} for code in (400, 401, 403, 404, 409, 410, 413, 422)}


@router.post("/enrol", response_model=W.EnrolResponse, responses=PROBLEMS)
def enrol(body: W.EnrolRequest, db: Database = Depends(get_db)) -> W.EnrolResponse:
    """Trade a one-time enrolment token (from an admin) for a device id and key."""
    t = M.enrol_tokens.c
    with db.write() as (conn, _seq):
        row = conn.execute(select(M.enrol_tokens).where(t.token_hash == secret_hash(body.token))).first()
        if row is None:
            raise HQProblem(401, "bad_token", "unknown enrolment token")
        if row.used_at is not None:
            raise HQProblem(409, "token_used", "this enrolment token has already been used")
        if row.expires_at <= now():
            raise HQProblem(410, "token_expired", "this enrolment token has expired; ask HQ for a new one")
        device_id, key = new_id(), new_secret()
        conn.execute(M.devices.insert().values(device_id=device_id, store_id=row.store_id, name=body.device_name,
                                               key_hash=secret_hash(key), created_at=now()))
        conn.execute(update(M.enrol_tokens).where(t.token_hash == row.token_hash)
                     .values(used_at=now(), device_id=device_id))
        return W.EnrolResponse(store_id=row.store_id, device_id=device_id, device_key=key)


@router.post("/sync/handshake", response_model=W.HandshakeResponse, response_model_exclude_none=True,
             responses=PROBLEMS, openapi_extra=DEVICE_SECURITY)
async def handshake(body: W.HandshakeRequest, request: Request) -> Response:
    """Protocol, HQ's time, the acknowledged-events check and the offline limits; with the till's pull
    cursor (protocol 2), whether it has anything to pull. Never waits for HQ's writer lock, nor for a
    worker thread (hq_server.handshake)."""
    if body.protocol_min > body.protocol_max:
        raise HQProblem(422, "invalid_body", "protocol_min is above protocol_max")
    if body.protocol_max < W.PROTOCOL_MIN or body.protocol_min > W.PROTOCOL_MAX:
        raise HQProblem(409, "protocol", f"HQ speaks protocol {W.PROTOCOL_MIN}..{W.PROTOCOL_MAX}, "
                                         f"the store {body.protocol_min}..{body.protocol_max}")
    hq_time = now()
    answer = await handshakes.handshake(request.app.state.db, request.headers.get("authorization"), body, hq_time,
                                  _skew(hq_time, body.device_time))
    # Encoded here, once: None fields left out (a till of protocol 1 refuses fields it does not know).
    return Response(answer.model_dump_json(exclude_none=True), media_type="application/json")


def _skew(hq_time: datetime, device_time: datetime) -> int:
    """HQ's time minus the device's, in seconds; a clock too far off for HQ to record the skew
    (devices.clock_skew_s, about 68 years either way) is a broken clock, refused with its reading.
    A clock off by less is never a reason not to sync: HQ flags the device's events (merges, rule 4)."""
    try:
        skew = ingest.skew_seconds(hq_time, device_time)
    except OverflowError:  # a time next to year 1 or 9999 in a zone that takes it past them in UTC
        skew = None
    if skew is None or abs(skew) > W.INT32_MAX:
        raise HQProblem(422, "device_clock",
                        f"the device's clock reads {device_time.isoformat()}, HQ's {hq_time.isoformat()}Z: "
                        f"more than {W.INT32_MAX // (365 * 86400)} years apart; set the device's clock and retry")
    return skew


def _read_body(raw: bytes, encoding: str) -> dict[str, Any]:
    if encoding == "gzip":
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            raw = d.decompress(raw, W.MAX_BODY_BYTES + 1)
        except zlib.error:
            raise HQProblem(400, "bad_gzip", "the body says Content-Encoding: gzip but is not valid gzip") from None
        if len(raw) > W.MAX_BODY_BYTES or d.unconsumed_tail:
            raise HQProblem(413, "body_too_large", f"the body is over {W.MAX_BODY_BYTES} bytes once unzipped")
    elif encoding not in ("", "identity"):
        raise HQProblem(415, "bad_encoding", f"Content-Encoding {encoding!r} is not supported (use gzip)")
    if len(raw) > W.MAX_BODY_BYTES:
        raise HQProblem(413, "body_too_large", f"the body is over {W.MAX_BODY_BYTES} bytes")
    try:
        doc = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HQProblem(400, "bad_json", f"the body is not JSON: {exc}") from None
    except RecursionError:
        doc = None
    # An event nests 3 deep around its payload, whose own limit checks.parse keeps.
    if doc is None or too_deep(doc, MAX_DEPTH + 3):
        raise HQProblem(422, "too_deep", f"the body nests deeper than {MAX_DEPTH + 3} levels")
    if not isinstance(doc, dict):
        raise HQProblem(422, "invalid_body", "the body must be a JSON object")
    return doc


@router.post("/sync/push", response_model=W.PushResponse,
             responses={**PROBLEMS, 415: {"model": W.Problem}},
             openapi_extra={**DEVICE_SECURITY, "requestBody": {"required": True, "content": {"application/json": {
                 "schema": {"$ref": "#/components/schemas/PushRequest"}}}}})
async def push(request: Request) -> Response:
    """A batch of the device's events (body may be gzip); one answer per event, in the request's order."""
    raw = await request.body()  # at most W.MAX_BODY_BYTES: hq_server.guards.BodyLimit
    db: Database = request.app.state.db
    dev = await device_on_loop(db.loop_reads, request.headers.get("authorization"))
    pull_cursor, answer, read = await run_in_threadpool(_push, db, dev, raw,
                                                        request.headers.get("content-encoding", "").strip().lower())
    if pull_cursor is None:  # a till of protocol 1 refuses a field it does not know
        return Response(answer.model_dump_json(exclude={"pull"}), media_type="application/json")
    # After the push's commit: the page holds HQ's answers to it too (statuses, corrections), as a pull would.
    # A few events' push read it in the round trip of its commit (no replica configured); else it is read here.
    page = (feed.page_json(read.rows, pull_cursor, PUSH_PULL_LIMIT) if read is not None and read.rows is not None
            else await _page(db.replica_loop_reads, dev, pull_cursor, PUSH_PULL_LIMIT))
    return Response(answer.model_dump_json(exclude={"pull"})[:-1].encode() + b',"pull":' + page + b"}",
                    media_type="application/json")


def _push(db: Database, dev: Device, raw: bytes, encoding: str
          ) -> tuple[int | None, W.PushResponse, feed.PageRead | None]:
    """The body read and the batch applied, on one trip to the thread pool (the key is checked before, from
    the event loop: hq_server.loop_reads), with the pull's page when the push could read it (PostgreSQL)."""
    # see pos_app.sync.gc_pause: validating 500 events is allocation-heavy too (a few events are not: ingest)
    with gc_paused() if len(raw) > GC_PAUSE_BYTES else nullcontext():
        body = _push_request(raw, encoding)
    # Without a read replica (which serves the page when configured: it takes reads off the primary),
    # the page is read in the round trip of the push's commit.
    read = (feed.page_read(dev.store_id, body.pull_cursor, PUSH_PULL_LIMIT, dev.device_id)
            if body.pull_cursor is not None and db.engine.dialect.name == "postgresql" and db.replica is None
            else None)
    return body.pull_cursor, ingest.push(db, dev.device_id, dev.store_id, list(body.events), now(), read), read


async def _page(reads: LoopReads, dev: Device, after: int, limit: int) -> bytes:
    """One page of the device's feed after the cursor, as PullResponse JSON (feed.page_json)."""
    return feed.page_json(await reads.all(*feed.page_query(dev.store_id, after, limit, dev.device_id)), after, limit)


def _push_request(raw: bytes, encoding: str) -> W.PushRequest:
    """The push body, or the reason it is refused (400, 413, 415, 422)."""
    if encoding == "gzip":
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            text = d.decompress(raw, W.MAX_BODY_BYTES + 1)
            ok = len(text) <= W.MAX_BODY_BYTES and not d.unconsumed_tail
        except zlib.error:
            ok = False
    else:
        text, ok = raw, encoding in ("", "identity") and len(raw) <= W.MAX_BODY_BYTES
    if ok:
        # The usual case: pydantic parses and validates the JSON in one pass (no json.loads first).
        try:
            return W.PushRequest.model_validate_json(text)
        except ValidationError:
            pass
    # Anything wrong: the slow path finds which refusal applies, in the documented order.
    doc = _read_body(raw, encoding)
    events = doc.get("events")
    if isinstance(events, list) and len(events) > W.MAX_BATCH:
        raise HQProblem(413, "batch_too_large", f"{len(events)} events in one push; at most {W.MAX_BATCH}")
    try:
        return W.PushRequest.model_validate(doc)
    except ValidationError as exc:
        raise HQProblem(422, "invalid_body", validation_message(exc.errors())) from None



@router.get("/sync/pull", response_model=W.PullResponse, responses=PROBLEMS, openapi_extra=DEVICE_SECURITY)
async def pull(request: Request, after: int = Query(0, ge=0, le=W.INT64_MAX),
               limit: int = Query(500, ge=1, le=5000)) -> Response:
    """Items after the cursor for this device's store (and the whole chain), in hq_seq order; never the
    device's own events (fanned out to the other tills of its store). Served by the read replica when
    one is configured (Database.replica_read: it never skips a row, it may only be behind). The key check
    and the page are a statement each, sent from the event loop (hq_server.loop_reads)."""
    db: Database = request.app.state.db
    header = request.headers.get("authorization")
    try:
        dev = await device_on_loop(db.replica_loop_reads, header)
    except HQProblem as exc:
        if db.replica is None or exc.status != 401:
            raise
        # a till enrolled a moment ago: the replica has not replayed it yet
        dev = await device_on_loop(db.loop_reads, header)
    return Response(await _page(db.replica_loop_reads, dev, after, limit), media_type="application/json")


@router.post("/sync/signing-key", response_model=W.SigningKeyAnswer, responses=PROBLEMS)
def signing_key(body: W.SigningKeyRequest, dev: Device = Depends(device),
                db: Database = Depends(get_db)) -> W.SigningKeyAnswer:
    """The public half of the key this device signs pickup codes and coupons with (DESIGN.md 11): every
    store pulls it (device_key) and verifies what the device signs offline. Sending it again changes
    nothing."""
    with db.write() as (conn, seq):
        key_id = device_keys.register(conn, seq, device_id=dev.device_id, store_id=dev.store_id,
                                      public_hex=body.public_key, now=now())
    return W.SigningKeyAnswer(key_id=key_id)


@router.get("/members/lookup", response_model=W.MemberLookup, responses=PROBLEMS)
def lookup(q: Annotated[str, Query(min_length=1, max_length=40), AfterValidator(W.no_nul)], request: Request,
           dev: Device = Depends(device), db: Database = Depends(get_db)) -> W.MemberLookup:
    """A member by phone, card number or id; the store follows the member from now on.

    A member merged into another (member_merge) is found, by their old phone, card or id,
    as the member they were merged into (following a merge of a merge too). Lookups that find
    nobody are limited per till (429): a till must not walk the phone numbers to collect members."""
    q = q.strip()
    phone = normalize_phone(q)
    if check_phone(phone) and not (q.isdigit() and len(q) <= 16) and not re.fullmatch(ID_PATTERN, q):
        raise HQProblem(422, "invalid_query", "look a member up by phone number, card number or member id")
    settings = request.app.state.settings
    throttle, key = Throttle(settings.lookup_window_s), f"lookup:{dev.device_id}"
    with db.read() as conn:
        throttle.refuse_if_over(conn, {key: (settings.lookup_misses, "this till")}, now())
    # A store that already follows the member: a snapshot read (the replica's when configured). Its
    # as_of is the hq_seq counter in the same snapshot; every event after it reaches the store by the
    # feed, since it was committed after the follow (a push reads follows under the writer lock).
    with db.replica_read() as conn:
        member_id = _found(conn, q, phone)
        if member_id is not None and _follows(conn, member_id, dev.store_id):
            counter = conn.execute(select(M.hq_counter.c.value).where(M.hq_counter.c.name == "seq")).scalar_one()
            return member_snapshot(conn, member_id, counter)
    # A new follow (or a member the replica has not replayed yet) is written under the writer lock, with the
    # snapshot: no push can then slip between the follow and the snapshot, in neither.
    with db.write() as (conn, seq):
        member_id = _found(conn, q, phone)
        if member_id is not None:
            if not _follows(conn, member_id, dev.store_id):
                conn.execute(M.follows.insert().values(member_id=member_id, store_id=dev.store_id))
            return member_snapshot(conn, member_id, seq.last)
    with db.side_write() as conn:
        throttle.record(conn, [key], now())
    raise HQProblem(404, "member_unknown", f"no member with phone or card {q}")


def _found(conn: Connection, q: str, phone: str) -> str | None:
    """The member a lookup finds (a merged member as the member they live on as), or None."""
    m = M.members.c
    found = conn.execute(select(m.member_id, m.merged_into).where(
        or_(m.phone == phone, m.card_no == q, m.member_id == q))
        .order_by(m.merged_into.is_not(None), m.created_at, m.member_id).limit(1)).first()
    return _kept_member(conn, found.member_id, found.merged_into) if found else None


def _follows(conn: Connection, member_id: str, store_id: str) -> bool:
    return conn.execute(select(M.follows.c.member_id).where(M.follows.c.member_id == member_id,
                                                            M.follows.c.store_id == store_id)).first() is not None


def _kept_member(conn: Connection, member_id: str, merged_into: str | None) -> str | None:
    """The member that member_id lives on as: itself, or where its merges lead (None if nowhere)."""
    seen = {member_id}
    while merged_into is not None:
        if merged_into in seen:  # a merge cycle: HQ never makes one, but a lookup must not loop
            return None
        seen.add(merged_into)
        row = conn.execute(select(M.members.c.member_id, M.members.c.merged_into)
                           .where(M.members.c.member_id == merged_into)).first()
        if row is None:
            return None  # merged into a member HQ does not hold
        member_id, merged_into = row.member_id, row.merged_into
    return member_id


def member_snapshot(conn: Connection, member_id: str, as_of: int) -> W.MemberLookup:
    b, lt = M.balances.c, M.lots.c
    accounts = [L.member_account(member_id, t) for t in L.PointType] + [L.debt_account(member_id)]
    balances = dict(conn.execute(select(b.account, b.balance).where(b.account.in_(accounts))).all())
    lots = conn.execute(select(lt.lot_id, lt.account, lt.remaining, lt.available_at, lt.expires_at, lt.amount)
                        .where(lt.account.in_(accounts), lt.remaining > 0).order_by(lt.expires_at)).all()
    # The sixth field, the lot's grant, is its room for give-backs at the store (remote_events._granted);
    # a store that reads five fields ignores it.
    doc = member_doc(conn, member_id)
    if doc is None:
        raise HQProblem(404, "member_unknown", f"HQ holds no record of member {member_id}")
    return W.MemberLookup(member=doc, balances=balances,
                          lots=[[r.lot_id, r.account, r.remaining, r.available_at.isoformat(),
                                 r.expires_at.isoformat(), r.amount] for r in lots], as_of_hq_seq=as_of)

