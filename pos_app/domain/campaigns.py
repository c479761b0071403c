"""Campaigns: point multipliers in a time window (double points days and the like).

When several campaigns cover one line, the highest multiplier wins rather than the
product: stacking would let two overlapping 2x promotions become 4x by accident.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pos_app.domain.fields import Fields
from pos_app.domain.problems import Problems


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


def parse_campaign(campaign_id: str, data: object, *, strict: bool = False) -> Campaign | Problems:
    """A campaign record as HQ publishes it (pos_app.domain.fields: HQ strict, a till lenient). A
    multiplier of 100 or less would never be chosen over the base rate (multiplier_for), so it is refused."""
    f = Fields("campaign", data, strict=strict)
    name, starts, ends = f.need_text("name"), f.time("starts_at", required=True), f.time("ends_at", required=True)
    c = Campaign(campaign_id, name, starts or datetime.min, ends or datetime.min,  # (stand-ins when bad)
                 f.need_whole("multiplier_pct", least=101, most=10_000),
                 frozenset(f.texts("categories", max_len=40)), frozenset(f.texts("skus", max_len=64)))
    if starts and ends and ends <= starts:
        f.bad("ends_at", "must be after starts_at")
    return f.done() or c
