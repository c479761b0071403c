"""HQ writes to the ledger too (DESIGN.md 10): a member's online exchange, a coupon bought in the mall,
customer service's adjustment, a withdrawal, a scheduled job's expiry are ordinary ledger events.

They are written by HQ's own device (ONLINE_DEVICE, of the store HQ_ORIGIN: the chain's online
channel) with its own gapless device_seq, the same kinds, payload layout (pos_app.domain.ledger.
wire_payload), postings and lots as a till's, and go through the same door as a till's push
(ingest.apply_batch): the same checks (hq_server.ledger.checks.parse), the same merge rules, the same
fan-out to the tills that follow the member. Only a till's authority does not bound them: HQ is not
a till. Nothing is written to the ledger behind its back.

`write` runs inside the caller's write transaction (a use case's: the order and its event commit
together). An event HQ's own rules refuse is a bug in the use case, or input it failed to check: the
whole use case is refused (422) and, the transaction rolling back, nothing is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from hq_server.ledger import ingest
from hq_server import models as M
from hq_server.ledger.checks import parse
from hq_server.db import Seq
from hq_server.errors import HQProblem
from pos_app.domain.ids import new_id
from pos_app.domain.ledger import Entry, payload_hash, wire_payload
from pos_app.sync.wire import WireEvent

# HQ's online channel: a device of the store HQ_ORIGIN ("hq"), made on first use. Its id is fixed, so
# every HQ process and host writes as the one device, one gapless device_seq under HQ's writer lock.
ONLINE_DEVICE = "0190c0de-0000-7000-8000-000000000001"


@dataclass(frozen=True)
class Written:
    event_id: str
    hq_seq: int


def _device_seq(conn: Connection, now: datetime) -> int:
    """The online device's next device_seq (its row is made the first time HQ writes)."""
    d = M.devices.c
    last = conn.execute(select(d.acked_max_seq).where(d.device_id == ONLINE_DEVICE)).scalar()
    if last is None:
        conn.execute(M.devices.insert().values(device_id=ONLINE_DEVICE, store_id=M.HQ_ORIGIN, name="HQ online",
                                               key_hash="-", created_at=now, revoked=1))  # never signs in
        last = 0
    return last + 1


def write(conn: Connection, seq: Seq, db_url: str, entries: list[Entry], *, staff_id: str | None,
          rule_version: int, now: datetime) -> list[Written]:
    """Record `entries` as HQ's events, in order, inside the caller's write transaction."""
    first = _device_seq(conn, now)
    events = []
    for i, entry in enumerate(entries):
        payload = wire_payload(entry)
        events.append(WireEvent(event_id=entry.event_id or new_id(), kind=str(entry.kind), store_id=M.HQ_ORIGIN,
                                device_id=ONLINE_DEVICE, device_seq=first + i, device_time=now, staff_id=staff_id,
                                rule_version=rule_version, member_id=entry.member_id, payload=payload,
                                payload_hash=payload_hash(payload)))
    parsed = {e.event_id: parse(e, M.HQ_ORIGIN) for e in events}
    refused = [f"{e.kind}: {p}" for e in events if isinstance(p := parsed[e.event_id], str)]
    if refused:
        raise HQProblem(422, "invalid_event", "; ".join(refused))
    answer = ingest.apply_batch(conn, seq, db_url, ONLINE_DEVICE, M.HQ_ORIGIN, events, parsed, now, first,
                                till=False)
    bad = [a for a in answer.answers if a.status != "ok"]
    if bad:
        raise HQProblem(409, "not_recorded", "; ".join(f"{a.event_id}: {a.status} {a.reason or ''}" for a in bad))
    return [Written(a.event_id, a.hq_seq) for a in answer.answers if a.hq_seq is not None]  # every one: ok
