"""The handshake: protocol version, clock skew, the acknowledged-events sanity check, offline limits.

Skew = HQ's time minus the device's, measured at the midpoint of the round trip and
kept in meta (sync.clock_skew_s) so validity windows can use corrected time
(pos_app.services.context.StoreContext.corrected_now). A skew over SKEW_FLAG_S is flagged in the status, never a reason
not to sync: HQ flags those events too (DESIGN.md section 6, rule 4).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection

from pos_app.store.db import Database
from pos_app.sync import outbox, state
from pos_app.sync.client import HQClient
from pos_app.sync.errors import HQRefused
from pos_app.sync.wire import PROTOCOL_MAX, PROTOCOL_MIN, HandshakeRequest, HandshakeResponse

SKEW_FLAG_S = 300


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class HandshakeResult:
    protocol: int
    skew_s: int
    full_resync: bool  # HQ asked for one (requeued says whether it was started)
    requeued: int  # events put back to pending for the full re-push
    answer: HandshakeResponse


def handshake(db: Database, client: HQClient, clock: Callable[[], datetime] = utcnow) -> HandshakeResult:
    with db.read() as conn:
        count, digest, _ = state.acked(conn)
        # Protocol 2 (an HQ that answered it before): the cursor goes along, and HQ says whether to pull.
        cursor = state.cursor(conn) if state.get_int(conn, "protocol") >= 2 else None
    t0 = clock()
    request = HandshakeRequest(protocol_min=PROTOCOL_MIN, protocol_max=PROTOCOL_MAX, device_time=t0,
                               acked_count=count, acked_hash=digest, pull_cursor=cursor)
    try:
        answer = client.handshake(request)
    except HQRefused as exc:
        if cursor is None or exc.status != 422 or "pull_cursor" not in exc.message:
            raise
        # An HQ of protocol 1 behind the same address (a rolling upgrade): ask it as protocol 1 does.
        t0 = clock()
        answer = client.handshake(request.model_copy(update={"pull_cursor": None}))
    t1 = clock()
    hq_time = answer.hq_time.astimezone(UTC).replace(tzinfo=None) if answer.hq_time.tzinfo else answer.hq_time
    skew = round((hq_time - (t0 + (t1 - t0) / 2)) / timedelta(seconds=1))

    def record(conn: Connection) -> int:
        requeued = 0
        state.put(conn, "clock_skew_s", skew)
        state.put(conn, "protocol", answer.protocol)
        state.put(conn, "handshake_at", t1)
        state.set_offline_limits(conn, answer.offline_limits, "effective")
        state.put(conn, "store_tills", answer.store_tills)
        if answer.feed_news is False and answer.feed_head is not None:
            # Nothing up to feed_head is for this till (its own events, fanned out to the store's other
            # tills): the cursor moves there without a pull, so the next check starts from it.
            state.put(conn, "pull_cursor", max(state.cursor(conn), answer.feed_head))
        if answer.proof_key:
            state.put(conn, "proof_key", answer.proof_key)  # members' PINs are sealed to it (services.members)
        if not answer.full_resync_required:
            state.put(conn, "resync_done", 0)
            state.put(conn, "disagrees", 0)
        elif state.get_int(conn, "resync_done") and not outbox.pending_count(conn):
            # A full re-push already went through and the sides still disagree (HQ holds a
            # different copy of some event, or events this database lost): pushing everything
            # again would loop forever. Flag it for a person instead (status.hq_disagrees).
            state.put(conn, "disagrees", 1)
        else:
            requeued = outbox.restart_full_push(conn)
            state.put(conn, "resync_done", 1)
            state.put(conn, "full_resyncs", state.get_int(conn, "full_resyncs") + 1)
        return requeued

    requeued = db.apply(record)
    return HandshakeResult(answer.protocol, skew, answer.full_resync_required, requeued, answer)

