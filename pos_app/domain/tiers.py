"""Membership tiers on rolling 12-month qualifying spend.

Upgrades happen at once (the sale that crosses a threshold lifts the member);
downgrades only when the periodic re-evaluation runs, so a member never drops a tier
in the middle of a shopping trip because an old purchase rolled out of the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pos_app.domain.fields import Fields
from pos_app.domain.problems import Problems

QUALIFYING_WINDOW = timedelta(days=365)


@dataclass(frozen=True, slots=True)
class Tier:
    code: str
    name: str
    min_spend_fen: int  # rolling 12-month qualifying spend to hold this tier
    multiplier_pct: int = 100  # earn multiplier: 150 = 1.5x
    benefits: tuple[str, ...] = ()


def parse_tier(code: str, data: object, *, strict: bool = False) -> Tier | Problems:
    """A tier record as HQ publishes it (pos_app.domain.fields: HQ strict, a till lenient)."""
    f = Fields("tier", data, strict=strict)
    if not isinstance(code, str) or not 0 < len(code) <= 16:
        f.bad("code", "a tier's code is 1 to 16 characters")
    t = Tier(code, f.text("name", max_len=40), f.whole("min_spend_fen"), f.whole("multiplier_pct", default=100,
                                                                              least=1, most=1000),
             f.texts("benefits", max_len=80, most=20))
    return f.done() or t


def window_start(now: datetime) -> datetime:
    return now - QUALIFYING_WINDOW


def tier_for_spend(tiers: tuple[Tier, ...], spend_fen: int) -> Tier:
    eligible = [t for t in tiers if t.min_spend_fen <= spend_fen]
    return max(eligible, key=lambda t: t.min_spend_fen) if eligible else lowest(tiers)


def lowest(tiers: tuple[Tier, ...]) -> Tier:
    return min(tiers, key=lambda t: t.min_spend_fen)


def rank(tiers: tuple[Tier, ...], code: str) -> int:
    ordered = sorted(tiers, key=lambda t: t.min_spend_fen)
    for i, t in enumerate(ordered):
        if t.code == code:
            return i
    return 0


def by_code(tiers: tuple[Tier, ...], code: str) -> Tier:
    for t in tiers:
        if t.code == code:
            return t
    return lowest(tiers)


def after_sale(tiers: tuple[Tier, ...], current: str, spend_fen: int) -> str:
    """Tier after a sale: only ever up."""
    earned = tier_for_spend(tiers, spend_fen)
    return earned.code if rank(tiers, earned.code) > rank(tiers, current) else current


def on_reevaluation(tiers: tuple[Tier, ...], spend_fen: int) -> str:
    """Tier at the periodic re-evaluation: exactly what the window's spend earns."""
    return tier_for_spend(tiers, spend_fen).code
