"""Products as the counter sees them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Product:
    sku: str
    name: str
    category: str
    price_fen: int
    barcode: str | None = None
    active: bool = True
