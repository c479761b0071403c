"""Products as the counter sees them."""

from __future__ import annotations

from dataclasses import dataclass

from pos_app.domain.fields import Fields
from pos_app.domain.problems import Problems


@dataclass(frozen=True, slots=True)
class Product:
    sku: str
    name: str
    category: str
    price_fen: int
    barcode: str | None = None
    active: bool = True


def parse_product(sku: str, data: object, *, strict: bool = False) -> Product | Problems:
    """A product record as HQ publishes it (pos_app.domain.fields: HQ strict, a till lenient)."""
    f = Fields("product", data, strict=strict)
    p = Product(sku, f.need_text("name"), f.need_text("category", max_len=40), f.need_whole("price_fen"),
                f.text("barcode", required=False, max_len=40) or None, f.flag("active", True))
    return f.done() or p
