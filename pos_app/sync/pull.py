"""The pull applier: HQ's items after the cursor, applied with the cursor's move in ONE
transaction, so a crash leaves either the whole page and its cursor or neither.

Idempotent: items at or below the stored cursor are skipped, and every apply is an
upsert or keyed by event_id. An item the store cannot apply is kept in hq_records
with its problem (a manager can see it) and never blocks the cursor.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, func, select
from sqlalchemy.exc import IntegrityError

from pos_app.domain.ledger import canonical_json
from pos_app.store import tables as T
from pos_app.store.db import Database
from pos_app.sync import catalogue as C
from pos_app.sync import chain_codes, outbox, remote_events, state, stock
from pos_app.sync.client import HQClient
from pos_app.sync.wire import EventStatusDocument, PullItem, PullResponse

PAGE = 500


def _event_status(conn: Connection, key: str, data: dict[str, Any]) -> None:
    doc = EventStatusDocument.model_validate({"event_id": key, **data})
    outbox.record_hq_status(conn, doc.event_id, doc.status, doc.reason)


def _event(conn: Connection, key: str, data: dict[str, Any]) -> None:
    remote_events.apply_event(conn, data)


def _gift(conn: Connection, key: str, data: dict[str, Any]) -> None:
    C.apply_gift(conn, key, data)
    stock.refresh(conn, key)  # a gift HQ counted here before its record arrived takes HQ's count


def _lots_differ(conn: Connection, key: str, data: dict[str, Any]) -> None:
    remote_events.lots_differ(conn, data)


APPLY: dict[str, Callable[[Connection, str, dict[str, Any]], None]] = {
    "rules": C.apply_rules, "product": C.apply_product, "gift": _gift, "coupon_type": C.apply_coupon_type,
    "campaign": C.apply_campaign, "lottery": C.apply_lottery, "staff": C.apply_staff, "member": C.apply_member,
    "label_claim": C.apply_label_claim, "offline_limits": C.apply_offline_limits, "event": _event,
    "event_status": _event_status, "label_key": C.apply_label_key, "member_key": C.apply_member_key,
    "lots_differ": _lots_differ, "tier": C.apply_tier, "stock": stock.apply_stock,
    "device_key": chain_codes.apply_device_key, "code_used": chain_codes.apply_code_used,
}
KEEP = {"tier", "balance", "offline_limits"}  # also kept as HQ records (no table of their own)


@dataclass
class PullResult:
    applied: int = 0
    skipped: int = 0
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (type, key, problem)
    cursor: int = 0
    touched: set[str] = field(default_factory=set)  # members a remote event changed here
    more: bool = False  # HQ said the last page applied was not its last


def _record(conn: Connection, item: PullItem, problem: str | None) -> None:
    C.upsert(conn, T.hq_records, {"type": item.type, "key": item.key[:80]},
             {"hq_seq": item.hq_seq, "data": canonical_json(item.data), "problem": problem})


def _has_problems(conn: Connection) -> bool:
    return conn.execute(T.hq_records.select().where(T.hq_records.c.problem.is_not(None)).limit(1)).first() is not None


def apply_page(db: Database, page: PullResponse, result: PullResult | None = None) -> PullResult:
    result = result or PullResult()

    def apply(conn: Connection) -> None:
        cursor = state.cursor(conn)
        had_problems = _has_problems(conn)
        for item in page.items:
            if item.hq_seq <= cursor:
                result.skipped += 1
                continue
            problem = None
            try:
                with conn.begin_nested():
                    fn = APPLY.get(item.type)
                    if fn is not None:
                        fn(conn, item.key, item.data)
                if item.type == "event" and isinstance(item.data.get("member_id"), str):
                    result.touched.add(item.data["member_id"])
            except (C.ItemProblem, ValidationError, IntegrityError, KeyError, TypeError, ValueError) as exc:
                problem = f"{type(exc).__name__}: {str(exc)[:300]}"
                result.problems.append((item.type, item.key, problem))
            if problem or item.type in KEEP or item.type not in APPLY:
                _record(conn, item, problem)
            elif had_problems or result.problems:  # a record fixed at HQ clears its problem
                conn.execute(T.hq_records.delete().where(T.hq_records.c.type == item.type,
                                                         T.hq_records.c.key == item.key[:80]))
            result.applied += problem is None
        stock.refresh(conn)  # answers recorded since the last count (a lost one pushed again) count now
        state.put(conn, "pull_cursor", max(cursor, page.cursor))
        state.put(conn, "pulled_at", datetime.now(UTC).replace(tzinfo=None))
        result.cursor = max(cursor, page.cursor)
        result.more = page.more

    db.apply(apply)  # the page and the cursor in one transaction, on the store's writer
    return result


def pull_all(db: Database, client: HQClient, page_size: int = PAGE, max_pages: int = 1000,
             result: PullResult | None = None) -> PullResult:
    """Pull and apply pages until HQ has nothing more (each page its own transaction), adding to `result`."""
    result = result or PullResult()
    for _ in range(max_pages):
        with db.read() as conn:
            after = state.cursor(conn)
        page = client.pull(after, page_size)
        apply_page(db, page, result)
        if not page.more:
            break
    return result


def unapplied_count(conn: Connection) -> int:
    """Pulled records this store could not apply (each kept with its problem until HQ fixes it)."""
    h = T.hq_records.c
    return conn.execute(select(func.count()).select_from(T.hq_records).where(h.problem.is_not(None))).scalar_one()


def problems(db: Database) -> list[dict[str, Any]]:
    with db.read() as conn:
        rows = conn.execute(T.hq_records.select().where(T.hq_records.c.problem.is_not(None))).all()
    return [{**r._mapping, "data": json.loads(r.data)} for r in rows]
