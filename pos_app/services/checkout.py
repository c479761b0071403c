"""Checkout: the common sale, in one transaction.

Scan member, scan items, finish: the quote is computed from the database's current
rules, then the points-as-cash spend, the earn, the guide's points, a referral bonus
and a tier upgrade are posted together with the sale rows and their outbox entries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from pos_app.domain import entries as E
from pos_app.domain import ledger as L
from pos_app.domain.ids import new_id
from pos_app.domain.ledger import Entry, Kind
from pos_app.domain.lots import Lot, spendable_total
from pos_app.domain.members import Member
from pos_app.domain.pricing import CartLine, Quote, check_tender, quote
from pos_app.domain.problems import Problem, Refused, problem, refuse_if
from pos_app.domain.rules import Rules
from pos_app.domain.tiers import after_sale, by_code, window_start
from pos_app.services import chain_coupons, offline
from pos_app.services.context import StoreContext, post, require_staff
from pos_app.services.members import member_present, require_member
from pos_app.store import ledger_repo, repos, sales_repo


@dataclass(frozen=True)
class SaleResult:
    sale_id: str
    receipt_no: str
    created_at: datetime
    quote: Quote
    tender: dict[str, int]
    change_fen: int
    member: Member | None
    points_earned: int
    balance_after: int
    tier_before: str | None
    tier_after: str | None
    guide_points: int
    referral_bonus: int


def price_cart(ctx: StoreContext, *, items: list[tuple[str, int]], member_id: str | None = None,
               coupons: Sequence[str] = (), cash_points: int = 0) -> Quote:
    """The live quote the checkout screen shows while the cart is built (writes nothing)."""
    with ctx.db.read() as conn:
        q, *_ = _quote(ctx, conn, items, member_id, coupons, cash_points, ctx.now())
        return q


def _quote(ctx: StoreContext, conn: Connection, items: list[tuple[str, int]], member_id: str | None,
           coupon_codes: Sequence[str], cash_points: int, now: datetime
           ) -> tuple[Quote, Rules, Member | None, list[Lot], dict[str, chain_coupons.Source]]:
    rules = repos.current_rules(conn, now)
    member = require_member(conn, member_id) if member_id else None
    lines, problems = _cart_lines(conn, items)
    # typed codes of this store's coupons, or signed coupons of any store (DESIGN.md 11)
    coupons, sources, found = chain_coupons.read(conn, coupon_codes, ctx.corrected_now(conn), ctx.who.store_id)
    problems.extend(found)
    if member is None and any(c.member_id is not None for c in coupons):
        problems.append(problem("coupon.no_member", "coupons need the member who owns them to be identified"))
    refuse_if(problems)
    lots = ledger_repo.lots_of(conn, L.member_account(member.member_id)) if member else []
    tier = by_code(rules.tiers, member.tier) if member else by_code(rules.tiers, "")
    q = quote(lines, rules=rules, tier=tier, campaigns=repos.active_campaigns(conn, now), now=now,
              coupons=coupons, member_id=member.member_id if member else None, cash_points=cash_points,
              spendable_points=spendable_total(lots, now),
              earned_today=_earned_today(ctx, conn, member.member_id, now) if member else 0)
    if isinstance(q, tuple):
        raise Refused(q)
    return q, rules, member, lots, sources


def _cart_lines(conn: Connection, items: list[tuple[str, int]]) -> tuple[list[CartLine], list[Problem]]:
    problems: list[Problem] = []
    lines: list[CartLine] = []
    for code, qty in items:
        product = repos.product_by_code(conn, str(code).strip())
        if product is None or not product.active:
            problems.append(problem("product.unknown", f"no product with code {code}", code=code))
            continue
        lines.append(CartLine(product.sku, product.name, product.category, product.price_fen, qty))
    return lines, problems


def _earned_today(ctx: StoreContext, conn: Connection, member_id: str, now: datetime) -> int:
    local = now.replace(tzinfo=None) + ctx.utc_offset(now)
    day_start = local.replace(hour=0, minute=0, second=0, microsecond=0) - ctx.utc_offset(now)
    return sales_repo.earned_since(conn, member_id, day_start)


def qualifying_spend(conn: Connection, member_id: str, now: datetime) -> int:
    return sales_repo.spend_since(conn, member_id, window_start(now))


def qualifying_points(conn: Connection, member_id: str, now: datetime) -> int:
    """Points the member earned in sales here in the tiers' rolling window (a tier on points)."""
    return sales_repo.earned_since(conn, member_id, window_start(now))


def checkout(ctx: StoreContext, *, staff_id: str, items: list[tuple[str, int]], member_id: str | None = None,
             coupons: Sequence[str] = (), cash_points: int = 0, tender: dict[str, int] | None = None,
             guide_id: str | None = None, member_pin: str | None = None, member_code: str | None = None) -> SaleResult:
    """The sale. Points paying part of the bill are a redemption: the member proves being
    here with their PIN or their phone's dynamic code (`member_code`, as for gifts);
    a card or a typed phone number is enough to earn, not to spend (DESIGN.md 4)."""
    with ctx.db.write() as conn:
        now = ctx.now()
        require_staff(conn, staff_id)
        if guide_id:
            require_staff(conn, guide_id)
        q, rules, member, lots, sources = _quote(ctx, conn, items, member_id, coupons, cash_points, now)
        proof = None  # the member code's key, carried by the spend's event
        if member and q.cash_points:
            _, proof = member_present(conn, member.member_id, member_pin=member_pin, member_code=member_code,
                                      now=now, pins=ctx.pins)
            offline.check_redeem(conn, now, member.member_id, q.cash_points)  # HQ's offline limits
        tender = dict(tender) if tender else {"cash": q.due_fen}
        refuse_if(check_tender(tender, q.due_fen))
        change = sum(tender.values()) - q.due_fen
        sale_id = new_id()
        receipt_no = _receipt_no(ctx, conn, now)
        base = {"sale_id": sale_id, "receipt_no": receipt_no}
        posted = _post_points(ctx, conn, q, rules, member, lots, staff_id, guide_id, now, base, proof)
        tier_before = tier_after = member.tier if member else None
        if member:
            tier_after = after_sale(rules.tiers, member.tier,
                                    qualifying_spend(conn, member.member_id, now) + q.due_fen,
                                    qualifying_points(conn, member.member_id, now) + q.earn_points)
            updates: dict[str, Any] = {}
            if tier_after != member.tier:
                updates["tier"] = tier_after
                post(ctx, conn, Entry(Kind.TIER_CHANGE, {**base, "member_id": member.member_id, "from": member.tier,
                                                         "to": tier_after, "reason": "upgrade"},
                                      member_id=member.member_id), staff_id=staff_id, rule_version=rules.version,
                     now=now)
            if member.first_purchase_at is None:
                updates["first_purchase_at"] = now
            if updates:
                repos.update_member(conn, member.member_id, **updates)
        sales_repo.use_coupons(conn, q.coupon_fen, sale_id)
        chain_coupons.record_uses(ctx, conn, q.coupon_fen, sources, sale_id=sale_id,
                                  member_id=member.member_id if member else None, staff_id=staff_id,
                                  rule_version=rules.version, now=now)  # once chain-wide: HQ sees each use
        _save_sale(conn, sale_id, receipt_no, now, q, tender, change, member, staff_id, guide_id, rules, posted)
        balance = ledger_repo.balance(conn, L.member_account(member.member_id)) if member else 0
        return SaleResult(sale_id, receipt_no, now, q, tender, change, member, q.earn_points, balance, tier_before,
                          tier_after, q.guide_points if guide_id else 0, posted.get("referral_bonus", 0))


def _post_points(ctx: StoreContext, conn: Connection, q: Quote, rules: Rules, member: Member | None,
                 lots: list[Lot], staff_id: str, guide_id: str | None, now: datetime, base: dict[str, Any],
                 proof: str | None = None) -> dict[str, Any]:
    posted: dict[str, Any] = {}

    def record(entry: Entry) -> str:
        return post(ctx, conn, entry, staff_id=staff_id, rule_version=rules.version, now=now).event_id

    if member and q.cash_points:
        entry = E.spend(Kind.REDEEM_POST, member_id=member.member_id, lots=lots, points=q.cash_points,
                        to_account=L.store_redeemed(ctx.who.store_id), now=now,
                        payload={**base, "purpose": "points_as_cash", "fen": q.cash_fen,
                                 **({"member_code": proof} if proof else {})})
        if isinstance(entry, Problem):
            raise Refused(entry)
        posted["cash_event"] = record(entry)
    if member and q.earn_points:
        owed = -ledger_repo.balance(conn, L.debt_account(member.member_id))
        posted["earn_lot"] = new_id()
        posted["earn_event"] = record(E.earn(
            Kind.EARN, member_id=member.member_id, points=q.earn_points, store_id=ctx.who.store_id, owed=owed,
            lot_id=posted["earn_lot"], now=now, rules=rules,
            payload={**base, "lines": [[ln.line_no, ln.sku, ln.points] for ln in q.lines], "paid_fen": q.due_fen}))
    if guide_id and q.guide_points:
        record(E.credit(Kind.GUIDE_EARN, account=L.guide_account(guide_id), points=q.guide_points,
                        source=L.store_issued(ctx.who.store_id), debt_acct=None, owed=0, lot_id=new_id(), now=now,
                        rules=rules, payload={**base, "guide_id": guide_id}, member_id=None))
    if member and member.first_purchase_at is None and member.referred_by and rules.referral_bonus:
        referrer = member.referred_by
        owed = -ledger_repo.balance(conn, L.debt_account(referrer))
        record(E.earn(Kind.REFERRAL_BONUS, member_id=referrer, points=rules.referral_bonus,
                      store_id=ctx.who.store_id, owed=owed, lot_id=new_id(), now=now, rules=rules,
                      payload={**base, "referee": member.member_id}, ptype=L.PointType.AGENT))
        posted["referral_bonus"] = rules.referral_bonus
    return posted


def _receipt_no(ctx: StoreContext, conn: Connection, now: datetime) -> str:
    """Device, local day, the day's sale count: numbers start again at the store's midnight."""
    local = now.replace(tzinfo=UTC).astimezone(ctx.timezone)
    day = local.strftime("%Y%m%d")
    start = local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC).replace(tzinfo=None)
    n = sales_repo.count_between(conn, start, start + timedelta(days=1))
    return f"{ctx.who.device_id[-6:].upper()}-{day}-{n + 1:04d}"


def _save_sale(conn: Connection, sale_id: str, receipt_no: str, now: datetime, q: Quote, tender: dict[str, int],
               change: int, member: Member | None, staff_id: str, guide_id: str | None, rules: Rules,
               posted: dict[str, Any]) -> None:
    sales_repo.insert(conn, {
        "sale_id": sale_id, "receipt_no": receipt_no, "member_id": member.member_id if member else None,
        "staff_id": staff_id, "guide_id": guide_id, "created_at": now, "subtotal_fen": q.subtotal_fen,
        "discount_fen": q.discount_fen, "cash_points": q.cash_points, "cash_fen": q.cash_fen, "due_fen": q.due_fen,
        "tender": tender, "change_fen": change, "earn_points": q.earn_points,
        "guide_points": q.guide_points if guide_id else 0, "coupons": sorted(q.coupon_fen),
        "earn_event": posted.get("earn_event"), "cash_event": posted.get("cash_event"),
        "rule_version": rules.version}, [{
            "sale_id": sale_id, "line_no": ln.line_no, "sku": ln.sku, "name": ln.name, "category": ln.category,
            "qty": ln.qty, "unit_price_fen": ln.unit_price_fen, "gross_fen": ln.gross_fen,
            "discount_fen": ln.discount_fen, "cash_fen": ln.cash_fen, "cash_points": ln.cash_points,
            "paid_fen": ln.paid_fen, "points": ln.points} for ln in q.lines])


__all__ = ["checkout", "price_cart", "SaleResult", "qualifying_spend", "qualifying_points"]
