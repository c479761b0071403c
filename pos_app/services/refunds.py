"""Refunds and returns, whole or some lines, with a manager's approval.

Money and earned points come back in proportion to what is returned; the points
that paid part of the bill go back into their original lots; points the member
already spent become debt, repaid first from later earnings. A wholly refunded sale
gives its coupons back, and when it was a referred member's qualifying first purchase,
takes the referrer's bonus back (as the referrer's debt where already spent).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select, update

from pos_app.domain import entries as E
from pos_app.domain import ledger as L
from pos_app.domain.ids import new_id
from pos_app.domain.ledger import Entry, LotTake
from pos_app.domain.refunds import RefundLine, SoldLine, guide_points_to_reverse, plan_refund
from pos_app.domain.problems import Problem, Refused
from pos_app.domain.staff import Action, needs_approval
from pos_app.services import chain_coupons
from pos_app.services.context import StoreContext, give_back_room, manager_approval, post, refuse, require_staff
from pos_app.store import ledger_repo, repos
from pos_app.store import tables as T


@dataclass(frozen=True)
class RefundResult:
    refund_id: str
    sale_id: str
    receipt_no: str
    fen: int
    points_reversed: int
    points_returned: int  # points-as-cash given back
    debt_added: int
    lines: tuple[RefundLine, ...]


@dataclass(frozen=True)
class RecentSale:
    receipt_no: str
    created_at: object  # UTC datetime
    due_fen: int
    refunded_fen: int


def todays_sales(ctx: StoreContext, limit: int = 100) -> list[RecentSale]:
    """The store's sales of its own day (store-local), newest first: what a refund picks from
    instead of typing a 20-character receipt number."""
    from datetime import UTC, time, timedelta

    local_day = ctx.now().replace(tzinfo=UTC).astimezone(ctx.timezone).date()  # now() is naive UTC
    start = datetime.combine(local_day, time(), ctx.timezone).astimezone(UTC).replace(tzinfo=None)
    with ctx.db.read() as conn:
        rows = conn.execute(select(T.sales.c.receipt_no, T.sales.c.created_at, T.sales.c.due_fen,
                                   T.sales.c.refunded_fen)
                            .where(T.sales.c.created_at >= start, T.sales.c.created_at < start + timedelta(days=1))
                            .order_by(T.sales.c.created_at.desc(), T.sales.c.receipt_no.desc()).limit(limit)).all()
    return [RecentSale(*r) for r in rows]


def sale_lines(ctx: StoreContext, sale_id_or_receipt: str) -> tuple[dict[str, Any], list[SoldLine]]:
    """A sale and its lines as the refund screen shows them."""
    with ctx.db.read() as conn:
        sale = _find_sale(conn, sale_id_or_receipt)
        return dict(sale._mapping), _sold_lines(conn, sale.sale_id)


def refund(ctx: StoreContext, *, staff_id: str, sale: str, lines: dict[int, int] | None = None, reason: str,
           approver_pin: str | None = None) -> RefundResult:
    """Refund `lines` ({line_no: qty}) of a sale, or everything still refundable if None."""
    if not (reason or "").strip():
        raise refuse("refund.reason", "say why the sale is refunded")
    if lines is not None:
        # Line numbers are whole numbers: a 1.0 or True would match line 1 in SQL, and
        # mixed key types would crash the planner's sort instead of being refused.
        if not isinstance(lines, dict):
            raise refuse("refund.bad_lines", "choose lines as {line number: quantity}")
        bad = [k for k in lines if not isinstance(k, int) or isinstance(k, bool)]
        if bad:
            raise refuse("refund.no_line", f"the sale has no line {bad[0]!r}", line=str(bad[0]))
    with ctx.db.write() as conn:
        now = ctx.now()
        require_staff(conn, staff_id)
        row = _find_sale(conn, sale)
        sold = _sold_lines(conn, row.sale_id)
        request = lines if lines is not None else {s.line_no: s.qty - s.refunded_qty for s in sold
                                                    if s.qty > s.refunded_qty}
        planned = plan_refund(sold, request)
        plan = tuple(p for p in planned if isinstance(p, RefundLine))
        if len(plan) != len(planned):
            raise Refused([p for p in planned if isinstance(p, Problem)])
        rules = repos.current_rules(conn, now)
        approver = None
        if needs_approval(rules.approval, Action.REFUND):
            approver = manager_approval(ctx, conn, approver_pin, "a refund")
        refund_id = new_id()
        base = {"sale_id": row.sale_id, "refund_id": refund_id}
        fen = sum(p.fen for p in plan)
        points = sum(p.points for p in plan)
        cash_points = sum(p.cash_points for p in plan)
        debt_added = 0

        def record(entry: Entry) -> None:
            post(ctx, conn, entry, staff_id=staff_id, rule_version=rules.version, now=now)

        # Points that paid go back first, so the reversal below can take earned points
        # the member already spent out of them instead of booking debt beside a balance.
        if row.member_id and cash_points:
            already = sum(s.refunded_cash_points for s in sold)
            taken = E.takes_from_doc(ledger_repo.event_payload(conn, row.cash_event)["lots"])
            back = _segment(taken, already, cash_points)
            record(E.give_back(member_id=row.member_id, points=cash_points, lot_takes=back,
                               source=L.store_redeemed(ctx.who.store_id), payload={**base, "of": "points_as_cash"},
                               room=give_back_room(conn, row.member_id, back, rules, now)))
        if row.member_id and points:
            earn_payload = ledger_repo.event_payload(conn, row.earn_event) if row.earn_event else {}
            first_lot = earn_payload.get("grants", [[None]])[0][0]
            acct = L.member_account(row.member_id)
            entry = E.reverse_earned(account=acct, debt_acct=L.debt_account(row.member_id), points=points,
                                     lots=ledger_repo.lots_of(conn, acct), first_lot=first_lot,
                                     sink=L.store_issued(ctx.who.store_id), now=now,
                                     payload={**base, "of": "earn", "fen": fen,  # HQ's rolling spend (tiers)
                                              "lines": [[p.line_no, p.points] for p in plan]},
                                     member_id=row.member_id)
            debt_added += entry.payload["debt_added"]
            record(entry)
        if row.guide_id and row.guide_points:
            guide_back = guide_points_to_reverse(row.guide_points, row.guide_reversed, row.due_fen,
                                                 row.refunded_fen + fen)
            if guide_back:
                acct = L.guide_account(row.guide_id)
                record(E.reverse_earned(account=acct, debt_acct=L.debt_account(row.guide_id), points=guide_back,
                                        lots=ledger_repo.lots_of(conn, acct), first_lot=None,
                                        sink=L.store_issued(ctx.who.store_id), now=now,
                                        payload={**base, "of": "guide"}, member_id=None))
                conn.execute(update(T.sales).where(T.sales.c.sale_id == row.sale_id)
                             .values(guide_reversed=T.sales.c.guide_reversed + guide_back))
        for p in plan:
            c = T.sale_lines.c
            conn.execute(update(T.sale_lines).where(c.sale_id == row.sale_id, c.line_no == p.line_no).values(
                refunded_qty=c.refunded_qty + p.qty, refunded_fen=c.refunded_fen + p.fen,
                refunded_points=c.refunded_points + p.points, refunded_cash_points=c.refunded_cash_points + p.cash_points))
        conn.execute(update(T.sales).where(T.sales.c.sale_id == row.sale_id)
                     .values(refunded_fen=T.sales.c.refunded_fen + fen))
        if all(s.qty - s.refunded_qty == request.get(s.line_no, 0) for s in sold):
            bonus_back = _take_back_referral_bonus(ctx, conn, row, base, now)
            if bonus_back is not None:
                record(bonus_back)
            codes = json.loads(row.coupons)
            if codes:
                conn.execute(update(T.coupons).where(T.coupons.c.code.in_(codes))
                             .values(status="active", used_sale=None))
                chain_coupons.record_returns(ctx, conn, codes, sale_id=row.sale_id, member_id=row.member_id,
                                             staff_id=staff_id, rule_version=rules.version, now=now)
        conn.execute(T.refunds.insert().values(
            refund_id=refund_id, sale_id=row.sale_id, staff_id=staff_id,
            approver_id=approver.staff_id if approver else None, created_at=now, fen=fen, points=points,
            lines=json.dumps([[p.line_no, p.qty] for p in plan]), reason=reason.strip()))
        repos.audit(conn, at=now, staff_id=staff_id, approver_id=approver.staff_id if approver else None,
                    action="refund", subject=row.sale_id, fen=fen, points=points, reason=reason.strip())
        return RefundResult(refund_id, row.sale_id, row.receipt_no, fen, points, cash_points, debt_added, plan)


def _take_back_referral_bonus(ctx: StoreContext, conn: Connection, sale: Row[Any], base: dict[str, Any],
                              now: datetime) -> Entry | None:
    """The referrer's bonus for this sale (the referee's qualifying first purchase), taken back now that
    the sale is wholly refunded: from the bonus lot first, then the referrer's other agent points, and
    what the referrer already spent becomes their debt. None: the sale paid no bonus (or it is back)."""
    referee = repos.member_by_id(conn, sale.member_id) if sale.member_id else None
    if referee is None or not referee.referred_by:
        return None
    referrer, e = referee.referred_by, T.events.c
    bonus = None
    for event_id, payload in conn.execute(select(e.event_id, e.payload).where(
            e.kind == "referral_bonus", e.member_id == referrer, e.device_seq > 0)):
        doc = json.loads(payload)
        if doc.get("sale_id") == sale.sale_id:
            bonus = (event_id, doc)
    if bonus is None:
        return None
    event_id, doc = bonus
    for (payload,) in conn.execute(select(e.payload).where(e.kind == "reverse", e.member_id == referrer)):
        if json.loads(payload).get("bonus_event") == event_id:
            return None
    acct = L.member_account(referrer, L.PointType.AGENT)
    return E.reverse_earned(account=acct, debt_acct=L.debt_account(referrer), points=int(doc["points"]),
                            lots=ledger_repo.lots_of(conn, acct), first_lot=doc.get("grants", [[None]])[0][0],
                            sink=L.store_issued(ctx.who.store_id), now=now,
                            payload={**base, "of": "referral_bonus", "bonus_event": event_id,
                                     "referee": sale.member_id}, member_id=referrer)


def _segment(takes: tuple[LotTake, ...], start: int, amount: int) -> tuple[LotTake, ...]:
    """The lots behind points start..start+amount of an earlier spend, in spend order."""
    out, pos = [], 0
    for t in takes:
        lo, hi = max(start, pos), min(start + amount, pos + t.amount)
        if hi > lo:
            out.append(LotTake(t.lot_id, hi - lo))
        pos += t.amount
    return tuple(out)


def _find_sale(conn: Connection, key: str) -> Row[Any]:
    key = (key or "").strip()
    row = conn.execute(select(T.sales).where((T.sales.c.sale_id == key) | (T.sales.c.receipt_no == key))).first()
    if row is None:
        raise refuse("sale.unknown", f"no sale {key} at this store (a sale from another store is refunded there, "
                                     "or after it syncs)")
    return row


def _sold_lines(conn: Connection, sale_id: str) -> list[SoldLine]:
    c = T.sale_lines.c
    rows = conn.execute(select(T.sale_lines).where(c.sale_id == sale_id).order_by(c.line_no)).all()
    return [SoldLine(r.line_no, r.sku, r.qty, r.paid_fen, r.points, r.cash_points, r.refunded_qty, r.refunded_fen,
                     r.refunded_points, r.refunded_cash_points) for r in rows]
