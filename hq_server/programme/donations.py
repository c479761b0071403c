"""A member gives points to a charity HQ lists (programme.charities), from the mall: an ordinary
`donation` event HQ writes (hq_events), the tills' own entry (the member's soonest-expiring points to
the chain's charity account, the charity named in the payload as a till names it), refused beyond what
the member can spend now. The member's donations (the mall's and the tills') are read back from the
ledger's events."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from hq_server.ledger import hq_events
from hq_server import models as M
from hq_server.db import Database
from hq_server.errors import HQProblem
from hq_server.programme.charities import charity
from hq_server.programme.member_standing import require_active_member
from hq_server.programme.online_points import balance, spend_entry
from hq_server.programme.refusals import BadField
from hq_server.programme.rules_now import rules_now
from pos_app.domain import ledger as L
from pos_app.domain.ledger import Kind

MAX_DONATION = 100_000  # points in one donation: a typo of a few more zeros is refused, not given away


@dataclass(frozen=True)
class Donated:
    event_id: str
    charity: str  # its key
    points: int
    balance: int


@dataclass(frozen=True)
class Donation:
    charity: str
    points: int
    at: datetime
    store_id: str


def donation_points(text: object) -> int:
    raw = text.strip().replace(",", "") if isinstance(text, str) else text
    if isinstance(raw, str) and re.fullmatch(r"\d{1,9}", raw):
        raw = int(raw)
    if not isinstance(raw, int) or isinstance(raw, bool) or not 1 <= raw <= MAX_DONATION:
        raise BadField("points", f"give 1 to {MAX_DONATION:,} points, a whole number", code="invalid_points")
    return raw


def donate(db: Database, member_id: str, charity_key: str, points: object, now: datetime) -> Donated:
    amount = donation_points(points)
    with db.write() as (conn, seq):
        require_active_member(conn, member_id)
        found = charity(conn, charity_key)
        if found is None or not found.listed:
            raise HQProblem(422, "charity_unknown", "choose one of the charities listed")
        entry = spend_entry(conn, Kind.DONATION, member_id, amount, to_account=L.CHARITY, now=now,
                            payload={"charity": found.key, "channel": "mall"})
        written = hq_events.write(conn, seq, db.url, [entry], staff_id=None, rule_version=rules_now(conn, now).version,
                                  now=now)[0]
        return Donated(written.event_id, found.key, amount, balance(conn, member_id))


def donations_of(db: Database, member_id: str, limit: int = 10) -> list[Donation]:
    """The member's latest donations, in the mall or at a till (a till names its charity "default")."""
    e = M.events.c
    with db.read() as conn:
        rows = conn.execute(select(e.payload, e.device_time, e.store_id).where(
            e.member_id == member_id, e.kind == str(Kind.DONATION), e.status == "applied")
            .order_by(e.hq_seq.desc()).limit(limit)).all()
    out = []
    for r in rows:
        doc = json.loads(r.payload)
        out.append(Donation(str(doc.get("charity") or "default"), int(doc.get("points") or 0), r.device_time,
                            r.store_id))
    return out
