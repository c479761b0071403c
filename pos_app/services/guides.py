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

from sqlalchemy import Connection, select

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
    # sale (a sale the guide served) | network (HQ's reward for a recruit's sales) | refund (a refund of a sale
    # the guide served took its points back) | network_refund (HQ took back a reward: a recruit's sale refunded)
    source: str
    receipt_no: str | None = None  # the sale's, when made at a till; a refund's: the refunded sale's
    level: int | None = None  # the recruit's level, for a network reward or its take-back


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


def _earning(kind: str, at: datetime, amount: int, doc: dict[str, Any], receipts: dict[str, str]) -> GuideEarning:
    level = doc.get("level")
    if doc.get("purpose") == "network":
        return GuideEarning(at, amount, "network_refund" if kind == Kind.REVERSE else "network",
                            level=level if isinstance(level, int) else None)
    if kind == Kind.REVERSE:
        sale = doc.get("sale_id")
        return GuideEarning(at, amount, "refund", receipts.get(sale) if isinstance(sale, str) else None)
    return GuideEarning(at, amount, "sale", doc.get("receipt_no"))


def _refunded_receipts(conn: Connection, account: str, docs: list[tuple[str, dict[str, Any]]]) -> dict[str, str]:
    """The receipt number of each sale a refund among `docs` reverses, by sale id. A refund's event names
    the sale by id only (pos_app.services.refunds); the receipt is the sale's row at the till that sold
    it, and at the store's other tills the guide's points for that sale (a guide_earn pulled from HQ)."""
    wanted = {doc["sale_id"] for kind, doc in docs
              if kind == Kind.REVERSE and doc.get("purpose") != "network" and isinstance(doc.get("sale_id"), str)}
    found = {doc["sale_id"]: doc["receipt_no"] for kind, doc in docs
             if kind == Kind.GUIDE_EARN and doc.get("sale_id") in wanted and isinstance(doc.get("receipt_no"), str)}
    wanted -= found.keys()
    if wanted:
        s = T.sales.c
        found.update(conn.execute(select(s.sale_id, s.receipt_no).where(s.sale_id.in_(wanted))).tuples().all())
        wanted -= found.keys()
    e, p = T.events.c, T.postings.c
    for sale in wanted:  # sold at another till: its points for the guide came by pull
        for (text,) in conn.execute(select(e.payload).join_from(T.postings, T.events, p.event_id == e.event_id)
                                    .where(p.account == account, e.kind == Kind.GUIDE_EARN,
                                           e.payload.contains(json.dumps(sale), autoescape=True))):
            doc = json.loads(text)
            if doc.get("sale_id") == sale and isinstance(doc.get("receipt_no"), str):
                found[sale] = doc["receipt_no"]
    return found


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
        docs = [(kind, json.loads(text)) for kind, _at, _amount, text in earned]
        receipts = _refunded_receipts(conn, account, docs)
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
    earnings = tuple(_earning(kind, at, amount, doc, receipts)
                     for (kind, doc), (_kind, at, amount, _text) in zip(docs, earned, strict=True))
    return GuidePoints(staff_id, balance, tuple(sorted(mine, key=lambda w: w.requested_at, reverse=True)), earnings)
