"""Checkout arithmetic: a cart, coupons and points-as-cash become a quote.

The quote says, line by line, what was paid in money, what coupons and points took
off, and how many points each line earns. Refunds later reverse from these numbers,
so every split is exact (see allocation.allocate).

Points are earned only on money actually paid, never on the part paid with points
or taken off by a coupon.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pos_app.domain.allocation import allocate
from pos_app.domain.campaigns import Campaign, multiplier_for
from pos_app.domain.coupons import Coupon, check_use, discount_fen
from pos_app.domain.money import MAX_AMOUNT_FEN
from pos_app.domain.problems import Problem, problem
from pos_app.domain.rules import Rules
from pos_app.domain.tiers import Tier

MAX_QTY = 999
MAX_LINES = 200
TENDER_METHODS = ("cash", "card", "other")


@dataclass(frozen=True, slots=True)
class CartLine:
    sku: str
    name: str
    category: str
    unit_price_fen: int
    qty: int

    @property
    def gross_fen(self) -> int:
        return self.unit_price_fen * self.qty


@dataclass(frozen=True, slots=True)
class QuotedLine:
    line_no: int
    sku: str
    name: str
    category: str
    qty: int
    unit_price_fen: int
    gross_fen: int
    discount_fen: int  # coupons
    cash_fen: int  # paid with points
    cash_points: int  # the points that paid `cash_fen`
    paid_fen: int  # money
    points: int  # earned by this line
    campaign_id: str | None


@dataclass(frozen=True, slots=True)
class Quote:
    lines: tuple[QuotedLine, ...]
    subtotal_fen: int
    coupon_fen: dict[str, int]  # code -> discount
    cash_points: int
    cash_fen: int
    due_fen: int
    earn_points: int
    earn_uncapped: int
    guide_points: int
    tier_multiplier_pct: int

    @property
    def discount_fen(self) -> int:
        return sum(self.coupon_fen.values())


def check_cart(lines: list[CartLine]) -> tuple[Problem, ...]:
    out: list[Problem] = []
    if not lines:
        out.append(problem("cart.empty", "the cart is empty"))
    if len(lines) > MAX_LINES:
        out.append(problem("cart.too_many_lines", f"a sale holds at most {MAX_LINES} lines"))
    for ln in lines:
        if not isinstance(ln.qty, int) or isinstance(ln.qty, bool) or not 1 <= ln.qty <= MAX_QTY:
            out.append(problem("cart.bad_qty", f"quantity for {ln.sku} must be 1 to {MAX_QTY}", sku=ln.sku))
        elif (not isinstance(ln.unit_price_fen, int) or isinstance(ln.unit_price_fen, bool)
              or not 0 <= ln.unit_price_fen <= MAX_AMOUNT_FEN):
            out.append(problem("cart.bad_price", f"price of {ln.sku} is out of range", sku=ln.sku))
    if not out and sum(ln.gross_fen for ln in lines) > MAX_AMOUNT_FEN:
        out.append(problem("cart.too_large", "the sale total is larger than any counter sale can be"))
    return tuple(out)


def line_base_points(rules: Rules, line: CartLine, paid_fen: int) -> int:
    if line.sku in rules.excluded_skus or line.category in rules.excluded_categories:
        return 0
    if line.sku in rules.product_points:
        fixed = rules.product_points[line.sku] * line.qty
        # fixed points follow the money too: the share a coupon or points paid earns nothing
        return fixed if line.gross_fen == 0 else fixed * paid_fen // line.gross_fen
    pct = rules.category_pct.get(line.category, 100)
    return paid_fen * rules.base_points * pct // (rules.base_per_fen * 100)


def quote(lines: list[CartLine], *, rules: Rules, tier: Tier, campaigns: tuple[Campaign, ...], now: datetime,
          coupons: list[Coupon] | tuple[Coupon, ...] = (), member_id: str | None = None, cash_points: int = 0,
          spendable_points: int = 0, earned_today: int = 0) -> Quote | tuple[Problem, ...]:
    problems = list(check_cart(lines))
    if problems:
        return tuple(problems)
    subtotal = sum(ln.gross_fen for ln in lines)

    coupon_fen: dict[str, int] = {}
    for c in coupons:
        if c.code in coupon_fen:
            problems.append(problem("coupon.duplicate", f"coupon {c.code} is applied twice", code=c.code))
            continue
        found = check_use(c, member_id, subtotal, now)
        problems.extend(found)
        if not found:
            # each coupon records only what it really took: stacked coupons never take more than the
            # bill, and the per-coupon figures (receipt, sale record, reports) add up to the discount
            coupon_fen[c.code] = min(discount_fen(c.type, subtotal), subtotal - sum(coupon_fen.values()))
    discount = sum(coupon_fen.values())
    after_coupon = subtotal - discount

    cash_fen = 0
    if cash_points:
        if member_id is None:
            problems.append(problem("cash.no_member", "points can pay only when a member is identified"))
        elif not isinstance(cash_points, int) or cash_points < 0:
            problems.append(problem("cash.bad_points", "points to pay with must be a positive whole number"))
        elif cash_points % rules.cash_points:
            problems.append(problem("cash.step", f"points pay in steps of {rules.cash_points}",
                                    step=rules.cash_points))
        else:
            cash_fen = cash_points // rules.cash_points * rules.cash_fen
            limit = after_coupon * rules.cash_max_pct // 100
            if cash_fen > limit:
                problems.append(problem("cash.over_share", f"points may pay at most {rules.cash_max_pct}% of "
                                        f"this bill ({limit / 100:.2f})", limit=limit))
            if cash_points > spendable_points:
                problems.append(problem("points.insufficient", f"only {spendable_points} points can be spent now, "
                                        f"{cash_points} needed", have=spendable_points, need=cash_points))
    if problems:
        return tuple(problems)

    gross = [ln.gross_fen for ln in lines]
    line_disc = allocate(discount, gross)
    after = [g - d for g, d in zip(gross, line_disc)]
    line_cash = allocate(cash_fen, after)
    line_cash_pts = allocate(cash_points, line_cash) if cash_fen else [0] * len(lines)
    paid = [a - c for a, c in zip(after, line_cash)]

    base = [line_base_points(rules, ln, p) for ln, p in zip(lines, paid)]
    camp = [multiplier_for(campaigns, now, ln.sku, ln.category) for ln in lines]
    uncapped = [b * tier.multiplier_pct * m // 10_000 for b, (m, _) in zip(base, camp)] if member_id else [0] * len(lines)
    total_uncapped = sum(uncapped)
    allowed = total_uncapped
    if rules.daily_cap is not None:
        allowed = max(0, min(total_uncapped, rules.daily_cap - earned_today))
    points = allocate(allowed, uncapped) if allowed != total_uncapped else uncapped
    guide = sum(base) * rules.guide_pct // 100

    quoted = tuple(QuotedLine(i + 1, ln.sku, ln.name, ln.category, ln.qty, ln.unit_price_fen, ln.gross_fen,
                              line_disc[i], line_cash[i], line_cash_pts[i], paid[i], points[i], camp[i][1])
                   for i, ln in enumerate(lines))
    return Quote(quoted, subtotal, coupon_fen, cash_points, cash_fen, sum(paid), sum(points), total_uncapped,
                 guide, tier.multiplier_pct)


def check_tender(tender: dict[str, int], due_fen: int) -> tuple[Problem, ...]:
    """Tender is recorded, not processed: the card terminal is separate hardware."""
    out: list[Problem] = []
    for method, fen in tender.items():
        if method not in TENDER_METHODS:
            out.append(problem("tender.method", f"unknown tender {method!r}", method=method))
        elif not isinstance(fen, int) or isinstance(fen, bool) or not 0 <= fen <= MAX_AMOUNT_FEN:
            out.append(problem("tender.amount", f"tender amount for {method} is out of range", method=method))
    if out:
        return tuple(out)
    total = sum(tender.values())
    if total < due_fen:
        out.append(problem("tender.short", f"tender {total / 100:.2f} is less than the {due_fen / 100:.2f} due",
                           short=due_fen - total))
    non_cash = total - tender.get("cash", 0)
    if non_cash > due_fen:
        out.append(problem("tender.overpaid_card", "only cash can be overpaid (change is given in cash)"))
    return tuple(out)
