"""Campaigns: point multipliers in a time window (double points days and the like).

When several campaigns cover one line, the highest multiplier wins rather than the
product: stacking would let two overlapping 2x promotions become 4x by accident.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Campaign:
    campaign_id: str
    name: str
    starts_at: datetime
    ends_at: datetime
    multiplier_pct: int  # 200 = double points
    categories: frozenset[str] = frozenset()  # empty: every category
    skus: frozenset[str] = frozenset()  # empty: every product

    def covers(self, when: datetime, sku: str, category: str) -> bool:
        if not (self.starts_at <= when < self.ends_at):
            return False
        if self.skus and sku not in self.skus:
            return False
        if self.categories and category not in self.categories:
            return False
        return True


def multiplier_for(campaigns: tuple[Campaign, ...], when: datetime, sku: str, category: str) -> tuple[int, str | None]:
    best, best_id = 100, None
    for c in campaigns:
        if c.covers(when, sku, category) and c.multiplier_pct > best:
            best, best_id = c.multiplier_pct, c.campaign_id
    return best, best_id
