"""A member's invitations: their invitation code (the referral code the tills print), who joined with
it, and the referral points each brought (referral_bonus events, posted by the till of the friend's
first purchase, DESIGN.md 3; less a bonus taken back when that purchase was refunded)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from hq_server import models as M
from hq_server.db import Database
from pos_app.domain.ledger import Kind

MAX_LISTED = 200


@dataclass(frozen=True)
class Joined:
    name: str
    phone_tail: str  # the last 4 digits: enough to recognise a friend, not to call a stranger
    joined_at: datetime
    points: int  # referral points this friend brought the inviter


@dataclass(frozen=True)
class Referrals:
    referral_code: str
    joined: list[Joined]

    @property
    def points(self) -> int:
        return sum(j.points for j in self.joined)


def referrals(db: Database, member_id: str) -> Referrals:
    m, e = M.members.c, M.events.c
    with db.read() as conn:
        code = conn.execute(select(m.referral_code).where(m.member_id == member_id)).scalar() or ""
        friends = conn.execute(select(m.member_id, m.name, m.phone, m.created_at)
                               .where(m.referred_by == member_id, m.merged_into.is_(None))
                               .order_by(m.created_at.desc()).limit(MAX_LISTED)).all()
        bonuses = conn.execute(select(e.kind, e.payload).where(
            e.member_id == member_id, e.kind.in_((str(Kind.REFERRAL_BONUS), str(Kind.REVERSE))),
            e.status == "applied")).all()
    earned: dict[str, int] = {}
    for kind, text in bonuses:
        doc = json.loads(text)
        referee = doc.get("referee")
        if kind == Kind.REVERSE:  # the friend's purchase refunded: the bonus taken back (as debt if spent)
            if doc.get("of") == "referral_bonus" and isinstance(doc.get("points"), int):
                earned[referee] = earned.get(referee, 0) - doc["points"]
            continue
        mine = sum(n for account, n in doc.get("postings", []) if account.startswith(f"member:{member_id}:"))
        earned[referee] = earned.get(referee, 0) + mine
    return Referrals(code, [Joined(f.name, f.phone[-4:], f.created_at, max(0, earned.get(f.member_id, 0)))
                            for f in friends])
