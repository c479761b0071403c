"""Membership tiers on rolling 12-month qualifying spend.

Upgrades happen at once (the sale that crosses a threshold lifts the member);
downgrades only when the periodic re-evaluation runs, so a member never drops a tier
in the middle of a shopping trip because an old purchase rolled out of the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

QUALIFYING_WINDOW = timedelta(days=365)


@dataclass(frozen=True, slots=True)
class Tier:
    code: str
    name: str
    min_spend_fen: int  # rolling 12-month qualifying spend to hold this tier
    multiplier_pct: int = 100  # earn multiplier: 150 = 1.5x
    benefits: tuple[str, ...] = ()


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
