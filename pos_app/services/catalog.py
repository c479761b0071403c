"""What the counter looks up while it works: products, gifts, coupons, lotteries, rules.

Read-only use cases for the screens; each is one short read transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from pos_app.domain.catalog import Product
from pos_app.domain.coupons import Coupon, CouponType
from pos_app.domain.gifts import Gift
from pos_app.domain.lottery import Lottery
from pos_app.domain.rules import Rules
from pos_app.services.context import StoreContext, refuse
from pos_app.store import repos

MAX_QUERY = 64


@dataclass(frozen=True)
class GiftOffer:
    gift: Gift
    stock: int


@dataclass(frozen=True)
class StoreInfo:
    store_id: str
    device_id: str
    store_name: str
    rules: Rules


def product_for_code(ctx: StoreContext, code: str) -> Product:
    """A product by its SKU or barcode (EAN-13 / Code128 as scanned)."""
    code = (code or "").strip()
    if not code or len(code) > MAX_QUERY:
        raise refuse("product.code", "scan or type a product code")
    with ctx.db.read() as conn:
        product = repos.product_by_code(conn, code)
    if product is None or not product.active:
        raise refuse("product.unknown", f"no product has the code {code}", scanned=code)
    return product


def search_products(ctx: StoreContext, text: str, limit: int = 30) -> list[Product]:
    text = (text or "").strip()[:MAX_QUERY]
    if not text:
        return []
    with ctx.db.read() as conn:
        return [p for p in repos.search_products(conn, text, limit) if p.active]


def gift_offers(ctx: StoreContext) -> list[GiftOffer]:
    with ctx.db.read() as conn:
        return [GiftOffer(g, stock) for g, stock in repos.all_gifts(conn) if g.active]


def coupon_types(ctx: StoreContext) -> list[CouponType]:
    with ctx.db.read() as conn:
        return repos.coupon_types(conn)


def member_coupons(ctx: StoreContext, member_id: str, *, usable_only: bool = True) -> list[Coupon]:
    """The member's coupons, the usable ones (unused, not expired) by default."""
    now = ctx.now()
    with ctx.db.read() as conn:
        found = repos.member_coupons(conn, member_id)
    if usable_only:
        found = [c for c in found if str(c.status) == "active" and c.expires_at > now]
    return found


def lotteries(ctx: StoreContext) -> list[Lottery]:
    with ctx.db.read() as conn:
        return repos.lotteries(conn)


def store_info(ctx: StoreContext) -> StoreInfo:
    with ctx.db.read() as conn:
        name = repos.get_meta(conn, "store_name") or "门店"
        return StoreInfo(ctx.who.store_id, ctx.who.device_id, name, repos.current_rules(conn, ctx.now()))
