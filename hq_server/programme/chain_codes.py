"""The codes HQ hands out that any store takes (DESIGN.md 11), signed with HQ's online channel's key
(hq_server.device_keys; every till pulls its public half and verifies offline):

    coupon_qr(db, code="H...", member_id=m, now=now) -> "PM1:C:..."    a coupon HQ issued to a member
                                                                       (programme.coupons), to show as QR
    issue_general_coupons(db, actor, type_id="TEN-OFF", count=100, now=now) -> [GeneralCoupon, ...]
        general coupons (for any member, or none): flyers, a partner's handout; each used once
        chain-wide, a second use the chain's loss (rule 10: they cost no member anything)

Refusals change nothing: an unknown coupon (404, also another member's), an unknown type, a count
outside 1..1000.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from hq_server import device_keys
from hq_server import models as M
from hq_server.db import Database
from hq_server.errors import HQProblem
from hq_server.programme import audit
from hq_server.programme.audit import Actor
from hq_server.programme.coupons import ALPHABET, coupon_type
from hq_server.programme.refusals import BadField
from pos_app.domain.chain_codes import coupon_payload
from pos_app.domain.codes import HQ_STORE

MAX_GENERAL = 1000
GENERAL_PREFIX = "G"  # a general coupon's code; HQ's member coupons start with H, a till's with C


@dataclass(frozen=True)
class GeneralCoupon:
    code: str
    type_id: str
    expires_at: datetime
    qr: str  # the signed code to print


def coupon_qr(db: Database, *, code: str, member_id: str | None = None, now: datetime) -> str:
    """The signed code of a coupon HQ issued (free or bought in the mall); `member_id`: the member asking
    (the mall), who sees only their own."""
    c = M.coupons.c
    with db.write() as (conn, seq):
        row = conn.execute(select(M.coupons, M.events.c.payload).join_from(
            M.coupons, M.events, M.events.c.event_id == c.issued_event).where(c.code == code)).first()
        if row is None or (member_id is not None and row.member_id != member_id):
            raise HQProblem(404, "coupon_unknown", f"code: no coupon {str(code)[:16]!r}")
        points = json.loads(row.payload).get("points", 0)
        key = device_keys.hq_key(conn, seq, db.url, now)
        return coupon_payload(row.code, row.member_id, row.type_id, row.expires_at,
                              points if isinstance(points, int) else 0, HQ_STORE, key)


def issue_general_coupons(db: Database, actor: Actor, *, type_id: str, count: int, now: datetime
                          ) -> list[GeneralCoupon]:
    """`count` general coupons of a type HQ offers, valid for the type's days from now."""
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_GENERAL:
        raise BadField("count", f"count: 1 to {MAX_GENERAL} coupons at a time")
    with db.write() as (conn, seq):
        ctype = coupon_type(conn, type_id)
        expires = now + timedelta(days=ctype.valid_days)
        key = device_keys.hq_key(conn, seq, db.url, now)
        made = []
        for _ in range(count):
            code = GENERAL_PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(11))
            made.append(GeneralCoupon(code, type_id, expires, coupon_payload(code, None, type_id, expires, 0,
                                                                             HQ_STORE, key)))
        audit.record(conn, actor, "coupon.general", f"coupon_type:{type_id}",
                     after={"count": count, "expires_at": expires.isoformat(), "codes": [g.code for g in made]},
                     at=now)
    return made
