"""A guide's or an agent's statement at HQ: what a holder earned and spent of one point type.

Guide points are a staff member's (staff:<id>:guide), agent and consumer points a member's
(member:<id>:<type>). Each line is one posting on the holder's account with what moved it: a sale the
guide served, a referral, a recruited store's sale, a level-2/3 reward for a recruit (its level), a
refund taking one back, a withdrawal (held, given back), an expiry. The totals are over the whole
history; lines come newest first, a page at a time (`before`: the hq_seq to continue below).

    earnings(db, holder="g-1", point_type="guide") -> Earnings(balance, earned, spent, held, owed, lines, ...)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, case, func, select

from hq_server import models as M
from hq_server.errors import HQProblem
from hq_server.db import Database
from hq_server.programme import ledger_reads as R
from pos_app.domain import ledger as L
from pos_app.domain.ledger import Kind, PointType

PAGE = 50
MAX_PAGE = 200


@dataclass(frozen=True)
class EarningLine:
    hq_seq: int
    event_id: str
    kind: str
    what: str  # sale | referral | store_sale | network | reversal | withdrawal | withdrawal_back | expiry | ...
    points: int  # > 0 in, < 0 out
    store_id: str
    at: datetime
    level: int | None = None  # a network reward's (or its reversal's) level
    sale_id: str | None = None


@dataclass(frozen=True)
class Earnings:
    holder: str
    point_type: str
    balance: int
    earned: int  # every point in, over the whole history
    spent: int  # every point out (withdrawn, reversed, expired, spent), as a positive number
    held: int  # points of withdrawals finance has not decided yet
    owed: int  # the holder's debt (a reward taken back after it was spent)
    lines: list[EarningLine]
    next_before: int | None  # hq_seq for the next page, None at the end


def _account(conn: Connection, holder: str, ptype: PointType) -> str:
    if ptype == PointType.GUIDE:
        if conn.execute(select(M.staff.c.staff_id).where(M.staff.c.staff_id == holder)).first() is None:
            raise HQProblem(404, "staff_unknown", f"holder: no staff member {holder}")
        return L.guide_account(holder)
    R.require_member(conn, holder)
    return L.member_account(holder, ptype)


def _what(kind: str, doc: dict[str, Any], amount: int) -> str:
    purpose = doc.get("purpose")
    if purpose == "network":
        return "reversal" if kind == Kind.REVERSE else ("store_sale" if doc.get("level") == 1 else "network")
    if purpose == "withdrawal":
        return "withdrawal" if amount < 0 else "withdrawal_back"
    names: dict[str, str] = {Kind.GUIDE_EARN: "sale", Kind.REFERRAL_BONUS: "referral", Kind.REVERSE: "reversal",
                             Kind.EXPIRE: "expiry", Kind.ADJUST: "adjustment", Kind.EARN: "sale"}
    return names.get(kind, kind)


def earnings(db: Database, *, holder: str, point_type: str, before: int | None = None,
             limit: int = PAGE) -> Earnings:
    try:
        ptype = PointType(point_type)
    except ValueError:
        raise HQProblem(422, "invalid_filter", "point_type: consumer, guide or agent") from None
    if not 1 <= limit <= MAX_PAGE:
        raise HQProblem(422, "invalid_filter", f"a page is 1 to {MAX_PAGE} lines")
    p, e, w = M.postings.c, M.events.c, M.withdrawals.c
    with db.read() as conn:
        account = _account(conn, holder, ptype)
        earned, spent = conn.execute(select(
            func.coalesce(func.sum(case((p.amount > 0, p.amount), else_=0)), 0),
            func.coalesce(func.sum(case((p.amount < 0, -p.amount), else_=0)), 0)).where(p.account == account)).one()
        held = conn.execute(select(func.coalesce(func.sum(w.points), 0)).where(
            w.holder == holder, w.point_type == str(ptype), w.status == "pending")).scalar_one()
        where = [p.account == account]
        if before is not None:
            where.append(e.hq_seq < before)
        rows = conn.execute(select(e.hq_seq, e.event_id, e.kind, p.amount, e.store_id, e.device_time, e.payload)
                            .select_from(M.postings.join(M.events, e.event_id == p.event_id)).where(*where)
                            .order_by(e.hq_seq.desc(), p.id).limit(limit + 1)).all()
        balance = R.balance(conn, account)
        owed = -R.balance(conn, L.debt_account(holder))
    more = len(rows) > limit
    lines = []
    for r in rows[:limit]:
        doc = json.loads(r.payload)
        level = doc.get("level") if doc.get("purpose") == "network" else None
        sale_id = doc.get("sale_id")
        lines.append(EarningLine(r.hq_seq, r.event_id, r.kind, _what(r.kind, doc, r.amount), r.amount, r.store_id,
                                 r.device_time, level if isinstance(level, int) else None,
                                 sale_id if isinstance(sale_id, str) else None))
    return Earnings(holder, str(ptype), balance, int(earned), int(spent), int(held), owed, lines,
                    lines[-1].hq_seq if more and lines else None)
