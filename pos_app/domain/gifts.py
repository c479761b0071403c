"""Gifts redeemed with points (and an optional cash co-pay)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pos_app.domain.fields import Fields
from pos_app.domain.problems import Problem, Problems, problem
from pos_app.domain.tiers import Tier, rank

MAX_GIFT_QTY = 20


@dataclass(frozen=True, slots=True)
class Gift:
    gift_id: str
    name: str
    points_cost: int
    copay_fen: int = 0
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    per_member_limit: int | None = None  # per member, over the gift's life
    min_tier: str | None = None
    image: str | None = None
    active: bool = True
    category: str | None = None  # the mall's shelf (礼品分类); a till ignores it
    description: str | None = None  # the mall's gift page


def parse_gift(gift_id: str, data: object, *, strict: bool = False) -> Gift | Problems:
    """A gift record as HQ publishes it (pos_app.domain.fields: HQ strict, a till lenient). A record
    never holds stock (DESIGN.md 11: stock belongs to a location, HQ allots and moves it): HQ refuses a
    `stock` field, a till ignores one in a record HQ kept from before."""
    f = Fields("gift", data, strict=strict)
    g = Gift(gift_id, f.need_text("name"), f.need_whole("points_cost", least=1), f.need_whole("copay_fen", default=0),
             f.time("starts_at"), f.time("ends_at"), f.whole("per_member_limit", required=False, least=1),
             f.text("min_tier", required=False, max_len=16) or None, f.text("image", required=False, max_len=400),
             f.flag("active", True), f.text("category", required=False, max_len=40) or None,
             f.text("description", required=False, max_len=2000) or None)
    if isinstance(f.data, dict) and "stock" in f.data:
        f.read.add("stock")
        if strict:  # one number copied to every till was the bug
            f.bad("stock", "a gift's stock is kept per location, not in its record: allot it to the warehouse "
                           "or a store (POST /api/v1/admin/stock/allot) and move it between them")
    if g.starts_at and g.ends_at and g.ends_at <= g.starts_at:
        f.bad("ends_at", "must be after starts_at")
    return f.done() or g


def check_redemption(gift: Gift, *, qty: int, stock: int, member_tier: str, tiers: tuple[Tier, ...],
                     already_redeemed: int, spendable_points: int, now: datetime) -> tuple[Problem, ...]:
    out: list[Problem] = []
    if not isinstance(qty, int) or isinstance(qty, bool) or not 1 <= qty <= MAX_GIFT_QTY:
        return (problem("gift.bad_qty", f"quantity must be 1 to {MAX_GIFT_QTY}"),)
    if not gift.active:
        out.append(problem("gift.inactive", f"{gift.name} is no longer offered", gift=gift.gift_id))
    if gift.starts_at and now < gift.starts_at:
        out.append(problem("gift.not_started", f"{gift.name} can be redeemed from {gift.starts_at:%Y-%m-%d}",
                           gift=gift.gift_id))
    if gift.ends_at and now >= gift.ends_at:
        out.append(problem("gift.ended", f"the offer for {gift.name} ended on {gift.ends_at:%Y-%m-%d}",
                           gift=gift.gift_id))
    if stock < qty:
        out.append(problem("gift.out_of_stock", f"only {stock} of {gift.name} in stock", stock=stock))
    if gift.per_member_limit is not None and already_redeemed + qty > gift.per_member_limit:
        out.append(problem("gift.limit", f"{gift.name} is limited to {gift.per_member_limit} per member "
                           f"({already_redeemed} already redeemed)", limit=gift.per_member_limit))
    # a tier the rules no longer know would rank lowest and open the gift to everyone: refuse instead
    if gift.min_tier and (gift.min_tier not in {t.code for t in tiers}
                          or rank(tiers, member_tier) < rank(tiers, gift.min_tier)):
        out.append(problem("gift.tier", f"{gift.name} needs tier {gift.min_tier}", tier=gift.min_tier))
    need = gift.points_cost * qty
    if need > spendable_points:
        out.append(problem("points.insufficient", f"only {spendable_points} points can be spent now, {need} needed",
                           have=spendable_points, need=need))
    return tuple(out)
