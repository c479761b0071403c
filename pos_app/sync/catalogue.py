"""Pulled reference data into the store's tables: rules, products, gifts, coupon types,
campaigns, lotteries, staff, members, label claims, HQ's label keys and members' phone
keys; tiers and offline limits kept as HQ records. Each `apply_*` runs inside the pull transaction and is idempotent (an upsert
by key); a record it cannot use raises ItemProblem, which the pull records and skips.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Table, insert, select, update

from pos_app.domain.campaigns import parse_campaign
from pos_app.domain.catalog import parse_product
from pos_app.domain.codes import key_id_for
from pos_app.domain.coupons import parse_coupon_type
from pos_app.domain.fields import parse_time
from pos_app.domain.gifts import parse_gift
from pos_app.domain.problems import Problems
from pos_app.domain.lottery import parse_lottery
from pos_app.domain.tiers import parse_tier
from pos_app.domain.rules import Rules, parse_rules, rules_to_doc
from pos_app.store import repos
from pos_app.store import tables as T
from pos_app.sync import state
from pos_app.sync.wire import (CatalogueRecord, LabelClaimDocument, LabelKeyDocument, MemberDocument, MemberKeyDocument,
                               OfflineLimitsDocument, RulesDocument, StaffDocument)


class ItemProblem(ValueError):
    pass


R = TypeVar("R")


def when(v: Any) -> datetime | None:
    if v in (None, ""):
        return None
    try:
        return parse_time(v)
    except ValueError as exc:
        raise ItemProblem(str(exc)) from None


def upsert(conn: Connection, table: Table, key: dict[str, Any], values: dict[str, Any]) -> None:
    where = [table.c[k] == v for k, v in key.items()]
    if conn.execute(update(table).where(*where).values(**values)).rowcount == 0:
        conn.execute(insert(table).values(**key, **values))


def _active(data: dict[str, Any]) -> int:
    return 0 if data.get("deleted") or data.get("active") is False else 1


def _retired(conn: Connection, table: Table, key: str, value: str, data: dict[str, Any]) -> bool:
    """A deleted item is kept, inactive: old sales, redemptions and coupons still name it."""
    if not CatalogueRecord.model_validate(data).deleted:
        return False
    conn.execute(update(table).where(table.c[key] == value).values(active=0))
    return True


# --- catalogue --------------------------------------------------------------------------

def apply_rules(conn: Connection, key: str, data: dict[str, Any]) -> None:
    item = RulesDocument.model_validate(data)
    parsed = parse_rules({**item.doc, "version": item.version if "version" in item.model_fields_set
                          else item.doc.get("version")})
    if not isinstance(parsed, Rules):
        raise ItemProblem("; ".join(str(p) for p in parsed))
    upsert(conn, T.rules, {"version": parsed.version},
           {"doc": json.dumps(rules_to_doc(parsed), ensure_ascii=False),
            "effective_at": when(item.effective_at) or datetime.now(UTC).replace(tzinfo=None)})


def _parsed(record: R | Problems) -> R:
    """A domain parser's answer (pos_app.domain.fields), or ItemProblem naming the bad fields: the
    same parser HQ checked the record with, so a record HQ accepted today is applied here."""
    if isinstance(record, tuple):
        raise ItemProblem("; ".join(p.message for p in record))
    return record


def apply_product(conn: Connection, sku: str, data: dict[str, Any]) -> None:
    p = T.products.c
    if _retired(conn, T.products, "sku", sku, data):
        return
    product = _parsed(parse_product(sku, data))
    if product.barcode:  # HQ's latest record owns the barcode
        conn.execute(update(T.products).where(p.barcode == product.barcode, p.sku != sku).values(barcode=None))
    upsert(conn, T.products, {"sku": sku}, {"name": product.name, "category": product.category,
                                            "price_fen": product.price_fen, "barcode": product.barcode,
                                            "active": _active(data)})


def apply_gift(conn: Connection, gift_id: str, data: dict[str, Any]) -> None:
    if _retired(conn, T.gifts, "gift_id", gift_id, data):
        return
    g = _parsed(parse_gift(gift_id, data))
    values = {"name": g.name, "points_cost": g.points_cost, "copay_fen": g.copay_fen, "starts_at": g.starts_at,
              "ends_at": g.ends_at, "per_member_limit": g.per_member_limit, "min_tier": g.min_tier,
              "image": g.image, "active": _active(data)}
    # A record's `stock` is never this store's count (HQ once copied one number to every till): the count
    # is HQ's for this store (pos_app.sync.stock, set by the pull once the gift is here), or the till's own
    # where HQ keeps none.
    upsert(conn, T.gifts, {"gift_id": gift_id}, values)


def apply_coupon_type(conn: Connection, type_id: str, data: dict[str, Any]) -> None:
    if _retired(conn, T.coupon_types, "type_id", type_id, data):
        return
    c = _parsed(parse_coupon_type(type_id, data))
    upsert(conn, T.coupon_types, {"type_id": type_id}, {
        "name": c.name, "points_cost": c.points_cost, "kind": str(c.kind), "value": c.value,
        "min_spend_fen": c.min_spend_fen, "max_discount_fen": c.max_discount_fen, "valid_days": c.valid_days,
        "active": _active(data)})


def apply_campaign(conn: Connection, campaign_id: str, data: dict[str, Any]) -> None:
    if CatalogueRecord.model_validate(data).deleted:
        conn.execute(T.campaigns.delete().where(T.campaigns.c.campaign_id == campaign_id))
        return
    c = _parsed(parse_campaign(campaign_id, data))
    upsert(conn, T.campaigns, {"campaign_id": campaign_id}, {
        "name": c.name, "starts_at": c.starts_at, "ends_at": c.ends_at, "multiplier_pct": c.multiplier_pct,
        "categories": json.dumps(sorted(c.categories)), "skus": json.dumps(sorted(c.skus))})


def apply_lottery(conn: Connection, lottery_id: str, data: dict[str, Any]) -> None:
    if _retired(conn, T.lotteries, "lottery_id", lottery_id, data):
        return
    lot = _parsed(parse_lottery(lottery_id, data))
    prizes = [{"code": p.code, "name": p.name, "weight": p.weight, "points": p.points} for p in lot.prizes]
    upsert(conn, T.lotteries, {"lottery_id": lottery_id}, {
        "name": lot.name, "points_per_draw": lot.points_per_draw,
        "prizes": json.dumps(prizes, ensure_ascii=False), "active": _active(data)})
    limits = repos.get_meta_json(conn, repos.LOTTERY_LIMITS, {})
    limits[lottery_id] = {"daily_draws": lot.daily_draws, "daily_prize_points": lot.daily_prize_points}
    repos.set_meta_json(conn, repos.LOTTERY_LIMITS, limits)


def apply_tier(conn: Connection, code: str, data: dict[str, Any]) -> None:
    """HQ's tier record: over the rules' tier of its code from now on (repos.current_rules), until
    HQ deletes it. Kept whole in meta, read with the rules at every sale."""
    records = repos.get_meta_json(conn, repos.TIER_RECORDS, {})
    if CatalogueRecord.model_validate(data).deleted:
        records.pop(code, None)
    else:
        _parsed(parse_tier(code, data))
        records[code] = {k: v for k, v in data.items() if k != "key"}
    repos.set_meta_json(conn, repos.TIER_RECORDS, records)


# --- people -----------------------------------------------------------------------------

def apply_staff(conn: Connection, staff_id: str, data: dict[str, Any]) -> None:
    staff = StaffDocument.model_validate(data)
    upsert(conn, T.staff, {"staff_id": staff_id}, {"name": staff.name, "role": staff.role,
                                                   "pin_hash": staff.pin_hash,
                                                   "active": 0 if staff.active in (0, False) else 1})


def apply_member(conn: Connection, member_id: str, data: dict[str, Any]) -> None:
    """HQ's current record of a member (per-field last writer by hq_seq, decided at HQ)."""
    record = MemberDocument.model_validate(data)
    values = record.values()
    values["tier"] = values.get("tier") or "basic"
    m = T.members.c
    if conn.execute(select(m.member_id).where(m.member_id == member_id)).first():
        conn.execute(update(T.members).where(m.member_id == member_id).values(**values))
        return
    values["referral_code"] = values.get("referral_code") or member_id.replace("-", "")[-12:].upper()
    values["home_store"] = values.get("home_store") or ""
    conn.execute(insert(T.members).values(member_id=member_id, created_at=when(record.created_at)
                                          or datetime.now(UTC).replace(tzinfo=None), **values))


def apply_label_claim(conn: Connection, serial: str, data: dict[str, Any]) -> None:
    """A label serial claimed somewhere in the chain: this store refuses it from now on."""
    claim = LabelClaimDocument.model_validate(data)
    if conn.execute(select(T.label_claims.c.serial).where(T.label_claims.c.serial == serial)).first():
        return  # claimed here first, or known already; HQ's reversal settles a duplicate
    conn.execute(insert(T.label_claims).values(serial=serial, sku=claim.sku or "",
                                               points=claim.points, member_id=claim.member_id,
                                               event_id=claim.event_id,
                                               claimed_at=datetime.now(UTC).replace(tzinfo=None)))


def apply_offline_limits(conn: Connection, key: str, data: dict[str, Any]) -> None:
    doc = OfflineLimitsDocument.model_validate(data)
    state.set_offline_limits(conn, doc.limits(), doc.scope)


# --- keys: what scanned codes are verified with -------------------------------------------

RETIRED_LABEL_KEYS = "keys.labels.retired"  # meta: {key id: public key hex}, never trusted again


def public_key(text: str, key_id: str) -> bytes:
    """A document's public key (64 hex digits, checked by its model), which must be the key id's."""
    raw = bytes.fromhex(text)
    if key_id_for(raw) != key_id:
        raise ItemProblem(f"key id {key_id!r} is not the id of this public key")
    return raw


def apply_label_key(conn: Connection, key_id: str, data: dict[str, Any]) -> None:
    """HQ's label key (public half). An active key verifies labels from now on; a retired
    one is removed from the trusted keys for good, so new scans of its labels are refused
    as forged (labels already earned stay earned)."""
    doc = LabelKeyDocument.model_validate(data)
    raw = public_key(doc.public_key, key_id)
    retired = repos.get_meta_json(conn, RETIRED_LABEL_KEYS, {})
    if doc.active and key_id not in retired:
        repos.trust_label_key(conn, raw)
        return
    trusted = repos.get_meta_json(conn, repos.LABEL_KEYS, {})
    trusted.pop(key_id, None)
    repos.set_meta_json(conn, repos.LABEL_KEYS, trusted)
    repos.set_meta_json(conn, RETIRED_LABEL_KEYS, {**retired, key_id: raw.hex()})


def apply_member_key(conn: Connection, member_id: str, data: dict[str, Any]) -> None:
    """The member's phone key: it replaces the member's previous key (HQ keeps one)."""
    doc = MemberKeyDocument.model_validate(data)
    raw = public_key(doc.public_key, doc.key_id)
    repos.set_meta_json(conn, repos.MEMBER_KEYS + member_id, {})
    repos.trust_member_key(conn, member_id, raw)
