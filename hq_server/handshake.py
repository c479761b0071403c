"""A till's handshake at HQ (DESIGN.md section 6): protocol, HQ's time, the acknowledged-events check,
the offline limits, and (protocol 2) whether the till has anything to pull.

Every till syncs every 30 s or so, so this is HQ's most frequent call. It never takes HQ's writer
lock: the device's key, its acknowledged count, the limits, the store's tills, the proof key and the
feed check are one SELECT outside any transaction, sent from the event loop (hq_server.loop_reads: one
round trip to PostgreSQL, where BEGIN, a key check, the SELECT and COMMIT made four, and no hand-off to
a worker thread). The device's clock skew and last_seen (which no ledger order depends on) are one
UPDATE outside the ledger's order, from the event loop too (LoopReads.write), and only when the skew
moved or last_seen is LAST_SEEN_EVERY old, so a steady till's handshake writes nothing.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BindParameter, Select, bindparam, exists, func, or_, select, update
from starlette.concurrency import run_in_threadpool

from hq_server.ledger import authority, ingest
from hq_server import models as M
from hq_server.auth import device_credential, device_of
from hq_server.db import Database
from hq_server.limits import CHAIN_KEY
from hq_server.wire_time import as_utc
from pos_app.sync import wire as W

# How stale devices.last_seen may get (HQ's console shows it per store) before a handshake writes it.
LAST_SEEN_EVERY = timedelta(seconds=60)
# How far the measured skew may move before a handshake records it: the skew is read in whole seconds
# from a request that took a while to arrive, so a clock near a second's edge reads one second either side
# from one handshake to the next (a second is nothing to the merge rules: SKEW_FLAG_S is 300).
SKEW_JITTER_S = 1


def _statement(dialect: str, with_cursor: bool) -> Select[Any]:
    """The handshake's one SELECT, built once per dialect (bind parameters: device_id, cursor): building a
    statement of subqueries and its cache key each call cost more than running it. The device's row comes
    with it (its key is checked on it, auth.device_of); the store is the row's own (correlated)."""
    key = (dialect, with_cursor)
    if key in _STATEMENTS:
        return _STATEMENTS[key]
    me, other, s, st, f = M.devices.c, M.devices.alias("other").c, M.stores.c, M.settings.c, M.feed.c
    store = me.store_id
    device: BindParameter[str] = bindparam("device_id")
    cols = [me.store_id, me.key_hash, me.revoked, me.acked_count, me.acked_hash, me.clock_skew_s, me.last_seen,
            select(s.offline_limits).where(s.store_id == store).scalar_subquery().label("own_limits"),
            select(st.value).where(st.key == CHAIN_KEY).scalar_subquery().label("chain_limits"),
            select(func.count()).where(other.store_id == store, other.revoked == 0).scalar_subquery().label("tills"),
            select(st.value).where(st.key.startswith(authority.PROOF_KEY, autoescape=True)).order_by(st.key)
            .limit(1).scalar_subquery().label("proof")]
    if with_cursor:
        cursor: BindParameter[int] = bindparam("cursor")
        # Two index range scans on (store_id, seq): the store's rows for this till, then the chain's.
        mine = exists().where(f.store_id == store, f.seq > cursor, or_(f.skip_device.is_(None), f.skip_device != device))
        chain = exists().where(f.store_id == M.CHAIN, f.seq > cursor)
        head = func.greatest if dialect == "postgresql" else func.max
        cols += [or_(mine, chain).label("news"),
                 head(func.coalesce(select(func.max(f.seq)).where(f.store_id == store).scalar_subquery(), 0),
                      func.coalesce(select(func.max(f.seq)).where(f.store_id == M.CHAIN).scalar_subquery(), 0))
                 .label("head")]
    _STATEMENTS[key] = select(*cols).where(me.device_id == device)
    return _STATEMENTS[key]


_STATEMENTS: dict[tuple[str, bool], Select[Any]] = {}


async def handshake(db: Database, header: str | None, body: W.HandshakeRequest, hq_time: datetime,
                    skew: int) -> W.HandshakeResponse:
    """The answer to one till's handshake; `skew` is HQ's time minus the device's (api_sync._skew). Its one
    SELECT is sent from the event loop (hq_server.loop_reads); the rare writes go to the thread pool."""
    device_id, key = device_credential(header)
    params: dict[str, object] = {"device_id": device_id}
    if body.pull_cursor is not None:
        params["cursor"] = body.pull_cursor
    row = await db.loop_reads.first(_statement(db.engine.dialect.name, body.pull_cursor is not None), params)
    dev = device_of(row, device_id, key)
    agree = (body.acked_count, body.acked_hash) == (row.acked_count, row.acked_hash)
    if not agree and body.acked_count < row.acked_count:
        # The store may only have lost answers: fine if what it holds is a prefix of HQ's (read on its own:
        # a device's events only grow, so a later snapshot holds the same prefix).
        agree = await run_in_threadpool(_prefix_agrees, db, dev.device_id, body.acked_count, body.acked_hash)
    limits = W.OfflineLimits.model_validate(json.loads(row.own_limits or row.chain_limits or "{}"))
    proof_key = json.loads(row.proof)["public_key"] if row.proof else await run_in_threadpool(
        _make_proof_key, db, hq_time)
    stale = row.last_seen is None or hq_time - row.last_seen >= LAST_SEEN_EVERY
    if stale or abs(row.clock_skew_s - skew) > SKEW_JITTER_S:
        await db.loop_reads.write(_SEEN, {"device": dev.device_id, "skew": skew, "seen": hq_time},
                                  lambda: _record_seen(db, dev.device_id, skew, hq_time))
    news = head = None
    if body.pull_cursor is not None:
        news = bool(row.news)
        head = None if news else max(body.pull_cursor, int(row.head))
    return W.HandshakeResponse(protocol=min(body.protocol_max, W.PROTOCOL_MAX), hq_time=as_utc(hq_time),
                               full_resync_required=not agree, hq_acked_count=row.acked_count,
                               hq_acked_hash=row.acked_hash, offline_limits=limits, store_tills=max(1, row.tills),
                               proof_key=proof_key, feed_news=news, feed_head=head)


def _prefix_agrees(db: Database, device_id: str, count: int, digest: str) -> bool:
    with db.statement() as conn:
        return ingest.device_ack(conn, device_id, upto=count) == (count, digest)


# The device's clock skew and last_seen, outside the ledger's order (no writer lock); a crash may lose it.
_SEEN = update(M.devices).where(M.devices.c.device_id == bindparam("device")).values(
    clock_skew_s=bindparam("skew"), last_seen=bindparam("seen"))


def _record_seen(db: Database, device_id: str, skew: int, hq_time: datetime) -> None:
    with db.side_write() as conn:
        conn.execute(_SEEN, {"device": device_id, "skew": skew, "seen": hq_time})


def _make_proof_key(db: Database, hq_time: datetime) -> str:
    """HQ's proof key is made once, by the first handshake: under the writer lock, so two workers make one."""
    with db.write() as (conn, _seq):
        return authority.proof_public_key(conn, db.url, hq_time)
