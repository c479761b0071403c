"""A shopping guide's points as the till knows them: the balance and the guide's withdrawals.

A guide's points move at every till of the guide's store (the guide earns on the sales they serve),
and at HQ (the rewards for the guides they recruited, a withdrawal). HQ sends every event on a guide's
points to every till of the guide's store (hq_server.ledger.ingest tell_guide_store), so after a pull
the balance here is HQ's: a withdrawal's points have left it (held while finance decides, back if
refused).

The till has no withdrawal request of its own: a guide asks in the members' mall and HQ's finance
decides (hq_server.programme.withdrawals, DESIGN.md 10: an HQ event the tills pull). The till's screen
(pos_app.ui.guides) shows the balance, the recent earnings and each withdrawal's state.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from pos_app.domain import ledger as L
from pos_app.domain.ledger import Kind
from pos_app.services.context import StoreContext, require_staff
from pos_app.store import ledger_repo
from pos_app.store import tables as T

_STATUS = {Kind.REDEEM_POST: "approved", Kind.REDEEM_VOID: "refused"}


@dataclass(frozen=True)
class GuideWithdrawal:
    withdrawal_id: str
    points: int
    requested_at: datetime
    status: str  # pending | approved (paid out) | refused (the points back)


@dataclass(frozen=True)
class GuideEarning:
    at: datetime
    points: int  # a refund's take-back is negative
    source: str  # sale (a sale the guide served) | network (HQ's reward for a recruit's sales) | refund
    receipt_no: str | None = None  # the sale's, when made at a till
    level: int | None = None  # the recruit's level, for a network reward


@dataclass(frozen=True)
class GuidePoints:
    staff_id: str
    balance: int
    withdrawals: tuple[GuideWithdrawal, ...]  # newest first
    earnings: tuple[GuideEarning, ...] = ()  # the latest, newest first

    @property
    def held(self) -> int:
        """Points of withdrawals finance has not decided yet (out of the balance already)."""
        return sum(w.points for w in self.withdrawals if w.status == "pending")


EARNINGS_SHOWN = 30


def _earning(kind: str, at: datetime, amount: int, doc: dict[str, Any]) -> GuideEarning:
    if kind == Kind.REVERSE:
        return GuideEarning(at, amount, "refund", doc.get("receipt_no"))
    if doc.get("purpose") == "network":
        level = doc.get("level")
        return GuideEarning(at, amount, "network", level=level if isinstance(level, int) else None)
    return GuideEarning(at, amount, "sale", doc.get("receipt_no"))


def guide_points(ctx: StoreContext, staff_id: str) -> GuidePoints:
    account = L.guide_account(staff_id)
    e, p = T.events.c, T.postings.c
    with ctx.db.read() as conn:
        require_staff(conn, staff_id)
        balance = ledger_repo.balance(conn, account)
        earned = conn.execute(select(e.kind, e.device_time, p.amount, e.payload)
                              .join_from(T.postings, T.events, p.event_id == e.event_id)
                              .where(p.account == account, e.kind.in_((Kind.GUIDE_EARN, Kind.REVERSE)))
                              .order_by(e.device_time.desc(), p.id.desc()).limit(EARNINGS_SHOWN)).all()
        rows = conn.execute(select(e.kind, e.device_time, e.payload).where(
            e.member_id.is_(None), e.kind.in_((Kind.REDEEM_HOLD, Kind.REDEEM_POST, Kind.REDEEM_VOID)),
            e.payload.like('%"withdrawal_id"%')).order_by(e.device_time)).all()
    held: dict[str, GuideWithdrawal] = {}
    for kind, at, text in rows:
        doc = json.loads(text)
        wid = doc.get("withdrawal_id")
        if doc.get("purpose") != "withdrawal" or not isinstance(wid, str):
            continue
        if kind == Kind.REDEEM_HOLD and doc.get("account") == account and isinstance(doc.get("points"), int):
            held[wid] = GuideWithdrawal(wid, doc["points"], at, held[wid].status if wid in held else "pending")
        elif kind in _STATUS:
            w = held.get(wid)
            held[wid] = (GuideWithdrawal(wid, w.points, w.requested_at, _STATUS[Kind(kind)]) if w
                         else GuideWithdrawal(wid, 0, at, _STATUS[Kind(kind)]))
    mine = [w for w in held.values() if w.points]  # a decision alone names no guide: another holder's
    earnings = tuple(_earning(kind, at, amount, json.loads(text)) for kind, at, amount, text in earned)
    return GuidePoints(staff_id, balance, tuple(sorted(mine, key=lambda w: w.requested_at, reverse=True)), earnings)
