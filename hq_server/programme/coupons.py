"""Coupons HQ issues to members (DESIGN.md 10): free (HQ's goodwill, a campaign's handout) or paid
with the member's points (the mall's path). Either is a ledger event of HQ's online device, a
`redeem_post` whose payload names the coupon (purpose "coupon", its code, type and expiry): a free
one moves no points, a paid one takes the soonest-expiring points to HQ's redeemed account. The
tills that follow the member pull the event and keep the coupon, as they keep one bought at
their own counter.

    issue_coupon(db, member_id=m, type_id="TEN-OFF", staff="cs-wang", now=now)            -> IssuedCoupon
    issue_coupon(db, member_id=m, type_id="TEN-OFF", staff="mall", now=now, paid=True)    -> points taken
    issue_coupon(..., paid=True, idempotency_key=form_key)   a double tap is one coupon, bought once
    member_coupons(db, m)                                                                 -> [IssuedCoupon]
    coupon_offers(db)                     -> [CouponType]: the types on offer in the mall, cheapest first
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, literal, select

from hq_server.ledger import hq_events
from hq_server.ledger.chain_codes_tables import code_uses
from hq_server import models as M
from hq_server.db import Database
from hq_server.errors import HQProblem
from hq_server.programme import ledger_reads as R
from hq_server.programme.member_standing import require_active_member
from pos_app.domain import entries as E
from pos_app.domain import ledger as L
from pos_app.domain.coupons import CouponType, parse_coupon_type
from pos_app.domain.ledger import Entry, Kind
from pos_app.domain.problems import Problem

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # a till's coupon alphabet (no 0/O, 1/I)
PREFIX = "H"  # HQ's codes; a till's start with C, so the two never meet


@dataclass(frozen=True)
class IssuedCoupon:
    code: str
    type_id: str
    member_id: str
    expires_at: datetime
    event_id: str
    points: int  # points the member paid (0: free)
    status: str = "active"


def coupon_type(conn: Connection, type_id: str) -> CouponType:
    data = conn.execute(select(M.catalog.c.data).where(M.catalog.c.type == "coupon_type",
                                                       M.catalog.c.key == type_id)).scalar()
    doc: dict[str, Any] = json.loads(data) if data is not None else {}
    parsed = parse_coupon_type(type_id, doc) if data is not None else None
    if parsed is None or isinstance(parsed, tuple) or doc.get("active") is False:
        raise HQProblem(404, "coupon_type_unknown", f"type_id: no coupon type {type_id!r} on offer")
    return parsed


def _keyed_code(member_id: str, key: str) -> str:
    """The code a keyed purchase makes: the same member and form key give the same code, so a double tap
    finds the coupon the first tap bought."""
    digest = hashlib.sha256(f"{member_id}\x00{key}".encode()).digest()
    return PREFIX + "".join(ALPHABET[b % len(ALPHABET)] for b in digest[:9])


def _issued(conn: Connection, code: str) -> IssuedCoupon | None:
    c = M.coupons.c
    r = conn.execute(select(M.coupons, M.events.c.payload).join_from(
        M.coupons, M.events, M.events.c.event_id == c.issued_event).where(c.code == code)).first()
    return None if r is None else IssuedCoupon(r.code, r.type_id, r.member_id, r.expires_at, r.issued_event,
                                               int(json.loads(r.payload).get("points", 0)), r.status)


def issue_coupon(db: Database, *, member_id: str, type_id: str, staff: str, now: datetime,
                 paid: bool = False, idempotency_key: str | None = None) -> IssuedCoupon:
    """Give the member a coupon of `type_id`, valid for the type's valid_days from now. `paid`: the
    member pays the type's points_cost (409 when they have fewer spendable points). `idempotency_key`
    (the mall's form): the same key again is the same coupon, not a second one (409 for another type)."""
    if idempotency_key is not None and not re.fullmatch(r"[\x21-\x7e]{1,64}", str(idempotency_key)):
        raise HQProblem(422, "invalid_body", "idempotency_key: 1 to 64 printable characters (the form's token)")
    with db.write() as (conn, seq):
        R.require_member(conn, member_id)
        if paid:  # a frozen member spends nothing online (HQ's staff may still give one a coupon)
            require_active_member(conn, member_id)
        code = PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(9))
        if idempotency_key is not None:
            code = _keyed_code(member_id, idempotency_key)
            same = _issued(conn, code)
            if same is not None:
                if same.member_id != member_id or same.type_id != type_id:
                    raise HQProblem(409, "idempotency_key_used", "idempotency_key: already used for another coupon")
                return same
        ctype = coupon_type(conn, type_id)
        rules = R.current_rules(conn, now)
        expires = now + timedelta(days=ctype.valid_days)
        payload = {"purpose": "coupon", "coupon": code, "type_id": type_id, "expires_at": expires.isoformat(),
                   "issued_by": staff}
        if paid:
            entry = E.spend(Kind.REDEEM_POST, member_id=member_id, lots=R.lots_of(conn, L.member_account(member_id)),
                            points=ctype.points_cost, to_account=L.store_redeemed(M.HQ_ORIGIN), now=now,
                            payload=payload)
            if isinstance(entry, Problem):
                raise HQProblem(409, "points_insufficient", f"points: {entry.message}")
        else:
            entry = Entry(Kind.REDEEM_POST, {**payload, "points": 0, "free": True}, member_id=member_id)
        event_id = hq_events.write(conn, seq, db.url, [entry], staff_id=R.staff_id(staff),
                                   rule_version=rules.version, now=now)[0].event_id
        conn.execute(M.coupons.insert().values(code=code, type_id=type_id, member_id=member_id, status="active",
                                               expires_at=expires, issued_event=event_id, issued_by=staff,
                                               issued_at=now))
    return IssuedCoupon(code, type_id, member_id, expires, event_id, ctype.points_cost if paid else 0)


def member_coupons(db: Database, member_id: str) -> list[IssuedCoupon]:
    """The coupons HQ issued to the member, soonest expiry first. One a till took reads `used`: HQ knows it
    by the code's first use chain-wide (hq_server.ledger.code_uses; a refund that gave it back frees it)."""
    c, u = M.coupons.c, code_uses.c
    with db.read() as conn:
        rows = conn.execute(select(M.coupons, M.events.c.payload, u.event_id.label("use_event"))
                            .join_from(M.coupons, M.events, M.events.c.event_id == c.issued_event)
                            .join_from(M.coupons, code_uses, u.code_key == literal("C:") + c.code, isouter=True)
                            .where(c.member_id == member_id).order_by(c.expires_at, c.code)).all()
    return [IssuedCoupon(r.code, r.type_id, r.member_id, r.expires_at, r.issued_event,
                         int(json.loads(r.payload).get("points", 0)),
                         "used" if r.use_event is not None and r.status == "active" else r.status) for r in rows]


def _coupon_types(db: Database, type_ids: Collection[str] | None = None) -> list[tuple[CouponType, bool]]:
    """Coupon types as the tills read them, each with whether it is on offer (active); `type_ids`: only those."""
    c = M.catalog.c
    q = select(c.key, c.data).where(c.type == "coupon_type")
    if type_ids is not None:
        q = q.where(c.key.in_(sorted(set(type_ids))))
    with db.read() as conn:
        rows = conn.execute(q).all()
    out = []
    for r in rows:
        data = json.loads(r.data)
        parsed = parse_coupon_type(r.key, data)
        if isinstance(parsed, CouponType):
            out.append((parsed, data.get("active") is not False))
    return out


def coupon_offers(db: Database) -> list[CouponType]:
    """The coupon types a member may buy with points in the mall (active ones), cheapest first."""
    return sorted((t for t, on_offer in _coupon_types(db) if on_offer), key=lambda t: (t.points_cost, t.type_id))


def coupon_types_named(db: Database, type_ids: Collection[str] | None) -> dict[str, CouponType]:
    """Coupon types by id, on offer or retired (a member's old coupon still shows its name): one read."""
    return {t.type_id: t for t, _ in _coupon_types(db, type_ids)} if type_ids else {}
