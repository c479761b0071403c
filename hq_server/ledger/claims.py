"""Things used once chain-wide: a label serial (rule 2) and a member's dynamic code. HQ keeps the first
use of each (label_serials, member_codes); what a later use means is decided by hq_server.ledger.merges.

The first uses the push's events touch are read once a push (preload), and new ones written with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, select

from hq_server import bulk
from hq_server import models as M
from hq_server.ledger import merges
from hq_server.ledger.checks import Parsed
from hq_server.ledger.decisions import EventStatus
from hq_server.ledger.event_row import EventRow

if TYPE_CHECKING:
    from hq_server.ledger.ingest import Ingest


def _preload_once_keys(ing: Ingest, cache: dict[str, dict[str, Any] | None], key: Column[Any], keys: list[Any]) -> None:
    """The rows of key's table for the keys not in `cache` yet, into it (None: HQ holds no row)."""
    want = sorted({k for k in keys if isinstance(k, str)} - set(cache))
    for k in want:
        cache[k] = None
    for where in bulk.where_in(ing.conn, key, want):
        for r in ing.conn.execute(select(key.table).where(where)):
            cache[r._mapping[key.name]] = dict(r._mapping)


def preload_serials(ing: Ingest, serials: list[Any]) -> None:
    _preload_once_keys(ing, ing.serials, M.label_serials.c.serial, serials)


def preload_codes(ing: Ingest, codes: list[Any]) -> None:
    _preload_once_keys(ing, ing.codes, M.member_codes.c.code_key, codes)


def label_serial(ing: Ingest, row: EventRow, payload: dict[str, Any], parsed: Parsed) -> None:
    """A label earn: the first claim of its serial is kept (and checked against HQ's batches); a later one
    is kept as duplicate_serial and reversed (merges.duplicate_serial)."""
    serial = payload["serial"]
    if serial not in ing.serials:
        preload_serials(ing, [serial])
    first = ing.serials[serial]
    points = int(payload.get("points", 0))
    if first is None:
        ing.serials[serial] = {"serial": serial, "event_id": row.event_id, "store_id": row.store_id,
                               "member_id": row.member_id, "points": points, "hq_seq": row.hq_seq, "new": True}
        ing.feed.add(M.CHAIN, "label_claim", serial, {"serial": serial, "sku": payload.get("sku"), "points": points,
                                                       "member_id": row.member_id, "event_id": row.event_id,
                                                       "store_id": row.store_id})
        ing.carry_out(row, merges.label_unverified(row, payload, parsed.postings, ing.label_plan))
        return
    row.status = EventStatus.DUPLICATE_SERIAL
    ing.status_updates[row.event_id] = EventStatus.DUPLICATE_SERIAL
    first_lot = parsed.grants[0][0] if parsed.grants else None
    made = ing.carry_out(row, (merges.duplicate_serial(row, payload, first_lot, first, ing.book, ing.now),),
                         always=True)
    ing.event_status(row, EventStatus.DUPLICATE_SERIAL,
                     f"label {serial} was already claimed (event {first['event_id']}); its {points} points are "
                     "reversed", corrections=made or [None])


def member_code(ing: Ingest, row: EventRow, code: str) -> None:
    """A spend proven by a member's dynamic code: the first use is kept; a second (merges.member_code_reused)
    is flagged."""
    if code not in ing.codes:
        preload_codes(ing, [code])
    first = ing.codes[code]
    if first is None:
        ing.codes[code] = {"code_key": code[:80], "event_id": row.event_id, "store_id": row.store_id,
                           "hq_seq": row.hq_seq, "new": True}
        return
    if first["event_id"] != row.event_id:
        ing.carry_out(row, merges.member_code_reused(code, first))
