"""The chain's tiers as HQ defines them: the rules' tiers with HQ's tier records over them
(`PUT /api/v1/admin/catalog/tier/<code>`), exactly as every till reads them after a pull
(pos_app.store.repos.current_rules). HQ refuses a record that would leave the set unusable
(pos_app.domain.tiers.check_tiers), so a till never has to fall back.

    tiers_in_force(db, now=now)                    -> tuple[Tier, ...], lowest first (a use case)
    chain_tiers(conn, now)                         -> the same, inside a caller's transaction
    check_tier_change(conn, now, code, record)     -> None, or HQProblem 422 (record None: deleted)
    check_tier_set(conn, now, records)             -> the same for a whole new set of records
    rolling_spend(conn, member_id, since) / rolling_points(conn, member_id, since)
    tier_history(db, member_id)                    -> the member's tier changes, newest first (the console)
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from hq_server import models as M
from hq_server.db import Database
from hq_server.errors import HQProblem
from hq_server.programme.ledger_reads import current_rules
from pos_app.domain.ledger import Kind
from pos_app.domain.tiers import Tier, check_tiers, overlay, parse_tier


def _records(conn: Connection) -> dict[str, Tier]:
    c = M.catalog.c
    out = {}
    for key, data in conn.execute(select(c.key, c.data).where(c.type == "tier")).all():
        parsed = parse_tier(key, json.loads(data))
        if isinstance(parsed, Tier):
            out[key] = parsed
    return out


def records(conn: Connection) -> dict[str, Tier]:
    """HQ's tier records by code (what overlays the rules' tiers)."""
    return _records(conn)


def chain_tiers(conn: Connection, now: datetime) -> tuple[Tier, ...]:
    return overlay(current_rules(conn, now).tiers, _records(conn))


def tiers_in_force(db: Database, *, now: datetime) -> tuple[Tier, ...]:
    """The chain's tiers as every till uses them after its next pull, lowest first (one read)."""
    with db.read() as conn:
        return chain_tiers(conn, now)


def check_tier_change(conn: Connection, now: datetime, code: str, record: Tier | None) -> None:
    """The chain's tiers after this record is put (or deleted: None) must stay usable."""
    records = _records(conn)
    if record is None:
        records.pop(code, None)
    else:
        records[code] = record
    problems = check_tiers(overlay(current_rules(conn, now).tiers, records))
    if problems:
        raise HQProblem(422, "invalid_body", "; ".join(p.message for p in problems))


def check_tier_set(conn: Connection, now: datetime, records: dict[str, Tier]) -> None:
    """HQ's tier records replaced by `records` as a whole: the chain's tiers must stay usable."""
    problems = check_tiers(overlay(current_rules(conn, now).tiers, records))
    if problems:
        raise HQProblem(422, "invalid_body", "; ".join(p.message for p in problems))


def check_rules_tiers(conn: Connection, rules_tiers: tuple[Tier, ...]) -> None:
    """New rules' tiers under HQ's tier records must stay usable too."""
    problems = check_tiers(overlay(rules_tiers, _records(conn)))
    if problems:
        raise HQProblem(422, "invalid_rules", "; ".join(p.message for p in problems) + " (with HQ's tier records)")


def _rolling(conn: Connection, member_id: str, since: datetime, field: str) -> int:
    """A sale's `field` (paid_fen, points) summed over the member's applied earn events since `since`,
    less the same field of the refunds that reversed them."""
    e = M.events.c
    total = 0
    for kind, payload in conn.execute(select(e.kind, e.payload).where(
            e.member_id == member_id, e.kind.in_((Kind.EARN, Kind.REVERSE)), e.device_time >= since,
            e.status == "applied")):
        doc = json.loads(payload)
        if kind == Kind.EARN:
            total += int(doc.get(field) or 0)
        elif doc.get("of") == "earn":
            total -= int(doc.get({"paid_fen": "fen"}.get(field, field)) or 0)
    return max(total, 0)


def rolling_spend(conn: Connection, member_id: str, since: datetime) -> int:
    """What the member paid in sales since `since`, less what was refunded, as HQ's events tell it."""
    return _rolling(conn, member_id, since, "paid_fen")


def rolling_points(conn: Connection, member_id: str, since: datetime) -> int:
    """Points the member earned in sales since `since`, less those refunds took back."""
    return _rolling(conn, member_id, since, "points")


def tier_history(db: Database, member_id: str, limit: int = 100) -> list[dict[str, Any]]:
    """The member's tier changes as HQ holds them (a till's upgrade at checkout, HQ's re-evaluation),
    newest first: when, from, to, why and where."""
    e = M.events.c
    with db.read() as conn:
        rows = conn.execute(select(e.device_time, e.store_id, e.payload).where(
            e.member_id == member_id, e.kind == str(Kind.TIER_CHANGE), e.status == "applied")
            .order_by(e.hq_seq.desc()).limit(limit)).all()
    out = []
    for r in rows:
        doc = json.loads(r.payload)
        out.append({"at": r.device_time, "store_id": r.store_id, "from": doc.get("from"), "to": doc.get("to"),
                    "reason": doc.get("reason", "")})
    return out
