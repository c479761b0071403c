"""One sync run: handshake, push every pending event in batches, pull every new item.

An idle till (nothing to push, and HQ's handshake says nothing new for it: protocol 2) skips the pull; a
busy one gets the pull's first page in the answer to its last push (protocol 2).

    report = sync_once(db)            # raises NotEnrolled, HQUnreachable, HQRefused, ...

A run that fails half-way leaves everything consistent: each push batch's answers and
each pull page (with its cursor) commit on their own; the next run carries on.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pos_app.store.db import Database
from pos_app.sync import chain_codes, lookup, outbox, pull, state
from pos_app.sync.client import HQClient
from pos_app.sync.errors import DeviceRefused, HQRefused, NotEnrolled
from pos_app.sync.gc_pause import heap_frozen
from pos_app.sync.handshake import HandshakeResult, handshake, utcnow
from pos_app.sync.wire import MAX_BATCH, PushResponse

_runs = threading.Lock()  # one run at a time in this process (HQ copes with two processes)


@dataclass
class SyncReport:
    handshake: HandshakeResult | None = None
    pushed: int = 0
    answers: dict[str, int] = field(default_factory=dict)  # ok / exists / rejected / exists_mismatch
    pulled: pull.PullResult | None = None
    fetched: list[str] = field(default_factory=list)  # members fetched again: merge targets, drifted lots
    finished_at: datetime | None = None


def client_for(db: Database, **kw: Any) -> HQClient:
    with db.read() as conn:
        creds = state.credentials(conn)
    if creds is None:
        raise NotEnrolled("this store is not enrolled with HQ yet (pos-app enrol --hq URL --token TOKEN)")
    return HQClient(creds.hq_url, creds.device_id, creds.device_key, **kw)


# Whole-batch refusals that one bad event can cause (schema, size, a foreign store id):
# the batch is halved until the culprit is alone, then it is recorded as refused.
SPLIT_ON = {413, 422, 403}
# Batches in flight while a store catches up: HQ checks the next ones while it writes this one,
# so its writer lock never waits for the store (bench.sync, PostgreSQL, 10,000 events, 3 runs
# each: 1.06-1.28 s with two in flight, 1.01-1.03 s with three, 1.75 s one at a time). HQ
# applies them in device_seq order (hq_server.ledger.ingest.push); answers are recorded here in that order.
PUSH_DEPTH = 3


def _splits(exc: HQRefused) -> bool:
    """A refusal of the whole batch that one bad event can cause: push_pending halves the batch."""
    return exc.status in SPLIT_ON and not (isinstance(exc, DeviceRefused) and exc.code != "wrong_store")


def push_pending(db: Database, client: HQClient, clock: Callable[[], datetime] = utcnow,
                 batch: int = MAX_BATCH, report: SyncReport | None = None, depth: int = PUSH_DEPTH,
                 pull_along: bool = False) -> SyncReport:
    """Push the outbox. pull_along (an HQ of protocol 2): the last batch carries the pull cursor and HQ's
    answer brings the pull's first page, applied here into report.pulled (one request fewer a sync)."""
    report = report or SyncReport()
    with heap_frozen():  # see gc_pause: a full collection of the whole heap stopped every push thread 40-90 ms
        if depth > 1 and not _push_ahead(db, client, clock, batch, report, depth):
            return report
        _push_one_by_one(db, client, clock, batch, report, pull_along)
        return report


def _push_one_by_one(db: Database, client: HQClient, clock: Callable[[], datetime], batch: int,
                     report: SyncReport, pull_along: bool = False) -> None:
    """One batch at a time: the tail after a refusal, halving a refused batch until its culprit is alone."""
    size = batch
    while True:
        with db.read() as conn:
            sending = outbox.pending_batch(conn, size)
            cursor = state.cursor(conn) if pull_along and len(sending.events) < size else None
        if not sending.events:
            return
        body = sending.body if cursor is None else sending.body[:-1] + b',"pull_cursor":%d}' % cursor
        try:
            answer = client.push_body(body)
        except HQRefused as exc:
            if cursor is not None and exc.status == 422 and "pull_cursor" in exc.message:
                pull_along = False  # an HQ of protocol 1 behind the same address: push as to one, pull after
                continue
            if not _splits(exc):
                raise
            if len(sending.events) > 1:
                size = max(1, len(sending.events) // 2)
                continue
            refused, reason = sending.events[0], f"{exc.code}: {exc.message}"
            db.apply(lambda conn: outbox.record_refused(conn, refused, reason, clock()))
            report.answers["refused"] = report.answers.get("refused", 0) + 1
            size = batch
            continue
        recorded = _record(db, sending.events, answer, clock, report)
        if answer.pull is not None:  # after the answers, as a pull after the push would come
            report.pulled = pull.apply_page(db, answer.pull, report.pulled)
        if not recorded:  # nothing new for a whole batch: do not spin
            return


def _record(db: Database, events: list[dict[str, Any]], answer: PushResponse, clock: Callable[[], datetime],
            report: SyncReport) -> dict[str, int]:
    """HQ's answers to a pushed batch into the outbox and the report; the counts by answer ({}: nothing new)."""
    counts = db.apply(lambda conn: outbox.record_answers(conn, events, answer, clock()))
    report.pushed += len(events)
    for k, n in counts.items():
        report.answers[k] = report.answers.get(k, 0) + n
    return counts


def _push_ahead(db: Database, client: HQClient, clock: Callable[[], datetime], batch: int, report: SyncReport,
                depth: int) -> bool:
    """Push the outbox with up to `depth` batches in flight, recording each answer in device_seq order.

    Returns False when HQ answered nothing new for a batch (stop: do not spin), True when push_pending's
    one-at-a-time loop goes on: all sent (it finds nothing), or a batch refused as a whole (it halves
    it). The answers to batches still in flight after a refusal are not recorded: those events stay
    pending and HQ answers `exists` to them next time. Any other error is raised, once what is in
    flight has finished.
    """
    with db.read() as conn:
        upcoming = outbox.pending_batch(conn, batch)
    if len(upcoming.events) < batch:  # one batch or less: nothing to overlap
        return True
    clients = [client]
    flight: deque[Any] = deque()
    sent = 0
    try:
        clients += [client.twin() for _ in range(depth - 1)]
        with ThreadPoolExecutor(depth, thread_name_prefix="sync-push") as pool:
            while True:
                while upcoming.events and len(flight) < depth:
                    flight.append((upcoming.events, pool.submit(clients[sent % depth].push_body, upcoming.body)))
                    sent += 1
                    with db.read() as conn:
                        upcoming = outbox.pending_batch(conn, batch, after_seq=upcoming.events[-1]["device_seq"])
                if not flight:
                    return True
                events, answered = flight.popleft()
                try:
                    answer = answered.result()
                except HQRefused as exc:
                    if _splits(exc):
                        return True
                    raise
                if not _record(db, events, answer, clock, report):
                    return False
    finally:
        for twin in clients[1:]:
            twin.close()


def sync_once(db: Database, client: HQClient | None = None, clock: Callable[[], datetime] = utcnow,
              batch: int = MAX_BATCH) -> SyncReport:
    own = client is None
    client = client or client_for(db)
    try:
        with _runs:
            report = SyncReport()
            report.handshake = handshake(db, client, clock)
            chain_codes.send_signing_key(db, client)  # once: every store then verifies what this till signs
            protocol_2 = report.handshake.answer.protocol >= 2
            push_pending(db, client, clock, batch, report, pull_along=protocol_2)
            if report.pulled is not None:
                # The last push brought the pull's first page (protocol 2); pull on only if HQ has more.
                if report.pulled.more:
                    report.pulled = pull.pull_all(db, client, result=report.pulled)
            elif report.handshake.answer.feed_news is False and not report.pushed:
                # HQ said nothing waits for this till, and this run pushed nothing that HQ could answer
                # with a correction or a status: an idle till's sync is the handshake alone (protocol 2).
                with db.read() as conn:
                    report.pulled = pull.PullResult(cursor=state.cursor(conn))
            else:
                report.pulled = pull.pull_all(db, client)
            report.fetched = lookup.fetch_merge_targets(db, client)
            report.fetched += lookup.mend_drift(db, client, report.pulled.touched)
            report.finished_at = clock()
            finished_at = report.finished_at
            db.apply(lambda conn: state.put(conn, "last_success_at", finished_at))
            return report
    finally:
        if own:
            client.close()
