"""The programme's records at HQ: products, gifts, coupon types, campaigns, lotteries, tiers.

HQ checks each record with the parser the tills apply it with (`parse_*` of pos_app.domain),
strictly (an unknown field is refused too), so everything HQ accepts every till accepts: a
refusal is a 422 whose message names the field. A record kept is sent to every store as a
pull item in the same transaction.

    put_record(db, type_="gift", key="CUP", data={...}, now=now)   -> Record
    delete_record(db, type_="gift", key="CUP", now=now)            -> None (404 when unknown)
    list_records(db, "gift")                                       -> [Record]
    product(conn, sku)                                             -> the catalogue's product or None

A tier record joins the rules' tiers (hq_server.programme.tiers): HQ refuses one that would leave
the chain's tiers unusable (no tier open to every member, tiers on different thresholds).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from hq_server import models as M
from hq_server.db import Database
from hq_server.errors import HQProblem
from hq_server.feed import FeedWriter
from hq_server.programme import tiers
from pos_app.domain.campaigns import parse_campaign
from pos_app.domain.catalog import Product, parse_product
from pos_app.domain.coupons import parse_coupon_type
from pos_app.domain.gifts import parse_gift
from pos_app.domain.ledger import canonical_json
from pos_app.domain.lottery import parse_lottery
from pos_app.domain.tiers import parse_tier

# type -> the tills' parser: (key, data, strict=) -> the domain record or its problems
PARSERS: dict[str, Callable[..., Any]] = {
    "product": parse_product, "gift": parse_gift, "coupon_type": parse_coupon_type, "campaign": parse_campaign,
    "lottery": parse_lottery, "tier": parse_tier,
}
KEY = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
MAX_BYTES = 64_000
# Fields a record never holds: the pull item's own (pos_app.domain.fields.ITEM_FIELDS but `active`).
NOT_DATA = ("key", "deleted")


@dataclass(frozen=True)
class Record:
    type: str
    key: str
    hq_seq: int
    data: dict[str, Any]


def check_record(type_: str, key: str, data: Any) -> Any:
    """The record as a till will read it (a domain object), or HQProblem 422 naming each bad field."""
    if type_ not in PARSERS:
        raise HQProblem(422, "invalid_body", f"type: one of {', '.join(PARSERS)}")
    if not isinstance(key, str) or not KEY.match(key):
        raise HQProblem(422, "invalid_body", "key: 1 to 64 letters, digits or _.:-")
    if not isinstance(data, dict):
        raise HQProblem(422, "invalid_body", f"a {type_} is a JSON object")
    if len(canonical_json(data)) > MAX_BYTES:
        raise HQProblem(413, "too_large", "a catalogue record is limited to 64 kB")
    inside = [f for f in NOT_DATA if f in data]
    if inside:
        raise HQProblem(422, "invalid_body", f"{inside[0]}: is not a field of a {type_} (the path names it)")
    parsed = PARSERS[type_](key, data, strict=True)
    if isinstance(parsed, tuple):
        raise HQProblem(422, "invalid_body", "; ".join(p.message for p in parsed)
                        + f" (the tills could not use this {type_})")
    return parsed


def put_record(db: Database, *, type_: str, key: str, data: dict[str, Any], now: datetime) -> Record:
    """Create or replace one record, checked as every till will read it, and tell every store."""
    parsed = check_record(type_, key, data)
    c = M.catalog.c
    with db.write() as (conn, seq):
        if type_ == "tier":
            tiers.check_tier_change(conn, now, key, parsed)
        feed = FeedWriter(seq)
        n = feed.add(M.CHAIN, type_, key, {"key": key, **data})
        values = {"data": canonical_json(data), "seq": n, "updated_at": now}
        if conn.execute(update(M.catalog).where(c.type == type_, c.key == key).values(**values)).rowcount == 0:
            conn.execute(M.catalog.insert().values(type=type_, key=key, **values))
        feed.flush(conn)
    return Record(type_, key, n, data)


def put_tiers(db: Database, *, records: dict[str, dict[str, Any]], now: datetime) -> list[Record]:
    """Replace HQ's tier records with `records` ({code: record}) at once, checked as one set: the way to
    move the chain's tiers to another basis (spend to points), which no single record can do alone.
    Codes not in `records` lose their record (the rules' tier of that code stands again): {} leaves the
    rules' tiers alone in force."""
    if not isinstance(records, dict) or len(records) > 20:
        raise HQProblem(422, "invalid_body", "tiers: at most 20 tier records by code")
    parsed = {code: check_record("tier", code, data) for code, data in records.items()}
    c = M.catalog.c
    with db.write() as (conn, seq):
        tiers.check_tier_set(conn, now, parsed)
        feed = FeedWriter(seq)
        gone = conn.execute(select(c.key).where(c.type == "tier", c.key.not_in(list(records)))).scalars().all()
        for code in gone:
            conn.execute(M.catalog.delete().where(c.type == "tier", c.key == code))
            feed.add(M.CHAIN, "tier", code, {"key": code, "deleted": True})
        out = []
        for code, data in sorted(records.items()):
            n = feed.add(M.CHAIN, "tier", code, {"key": code, **data})
            values = {"data": canonical_json(data), "seq": n, "updated_at": now}
            if conn.execute(update(M.catalog).where(c.type == "tier", c.key == code).values(**values)).rowcount == 0:
                conn.execute(M.catalog.insert().values(type="tier", key=code, **values))
            out.append(Record("tier", code, n, data))
        feed.flush(conn)
    return out


def delete_record(db: Database, *, type_: str, key: str, now: datetime) -> None:
    """Retire one record: the stores keep it inactive (old sales and redemptions still name it); a
    tier record's code falls back to the rules' tier of that code, if any."""
    c = M.catalog.c
    with db.write() as (conn, seq):
        if type_ == "tier":
            tiers.check_tier_change(conn, now, key, None)
        if conn.execute(M.catalog.delete().where(c.type == type_, c.key == key)).rowcount == 0:
            raise HQProblem(404, "not_found", f"no {type_} {key}")
        feed = FeedWriter(seq)
        feed.add(M.CHAIN, type_, key, {"key": key, "deleted": True})
        feed.flush(conn)


def list_records(db: Database, type_: str) -> list[Record]:
    c = M.catalog.c
    with db.read() as conn:
        rows = conn.execute(select(c.key, c.data, c.seq).where(c.type == type_).order_by(c.key)).all()
    return [Record(type_, r.key, r.seq, json.loads(r.data)) for r in rows]


def product(conn: Connection, sku: str) -> Product | None:
    """The catalogue's product `sku` (a retired one is gone from HQ's catalogue), inside a caller's transaction."""
    c = M.catalog.c
    data = conn.execute(select(c.data).where(c.type == "product", c.key == sku)).scalar()
    if data is None:
        return None
    parsed = parse_product(sku, json.loads(data))
    return None if isinstance(parsed, tuple) else parsed
