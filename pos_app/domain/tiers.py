"""Membership tiers on rolling 12-month qualifying spend or points earned.

Upgrades happen at once (the sale that crosses a threshold lifts the member);
downgrades only when the periodic re-evaluation runs, so a member never drops a tier
in the middle of a shopping trip because an old purchase rolled out of the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pos_app.domain.fields import Fields
from pos_app.domain.problems import Problems, problem

QUALIFYING_WINDOW = timedelta(days=365)


@dataclass(frozen=True, slots=True)
class Tier:
    code: str
    name: str
    min_spend_fen: int | None  # rolling 12-month qualifying spend that reaches this tier (None: spend does not)
    multiplier_pct: int = 100  # earn multiplier: 150 = 1.5x
    benefits: tuple[str, ...] = ()  # the perks, as the counter and the mall show them
    min_points: int | None = None  # rolling 12-month points earned that reach this tier (None: points do not)

    def reached(self, spend_fen: int, points: int = 0) -> bool:
        """Either threshold HQ set is enough (a tier on spend or on points, or on either)."""
        return ((self.min_spend_fen is not None and spend_fen >= self.min_spend_fen)
                or (self.min_points is not None and points >= self.min_points))


def _order(t: Tier) -> tuple[int, int, str]:
    # check_tiers keeps a chain's tiers on one basis, so either threshold orders them alike
    return (-1 if t.min_spend_fen is None else t.min_spend_fen, -1 if t.min_points is None else t.min_points, t.code)


def parse_tier(code: str, data: object, *, strict: bool = False) -> Tier | Problems:
    """A tier record as HQ publishes it (pos_app.domain.fields: HQ strict, a till lenient): a name, its
    thresholds (min_spend_fen, min_points or both), the earn multiplier and the perks (benefits)."""
    f = Fields("tier", data, strict=strict)
    if not isinstance(code, str) or not 0 < len(code) <= 16:
        f.bad("code", "a tier's code is 1 to 16 characters")
    t = Tier(code, f.need_text("name", max_len=40), f.whole("min_spend_fen", required=False),
             f.need_whole("multiplier_pct", default=100, least=1, most=1000), f.texts("benefits", max_len=80, most=20),
             f.whole("min_points", required=False))
    if isinstance(data, dict) and data.get("min_spend_fen") is None and data.get("min_points") is None:
        f.bad("min_spend_fen", "a tier needs min_spend_fen, min_points or both")
    return f.done() or t


def overlay(base: tuple[Tier, ...], records: dict[str, Tier]) -> tuple[Tier, ...]:
    """The rules' tiers with HQ's tier records over them (a record replaces the tier of its code)."""
    merged = {t.code: t for t in base}
    merged.update(records)
    return tuple(sorted(merged.values(), key=_order))


def check_tiers(tiers: tuple[Tier, ...]) -> Problems:
    """A chain's tiers: one basis for all (spend, points, or both), a base tier every member reaches
    (its thresholds 0), and, on both, the two thresholds ordering the tiers alike."""
    def bad(why: str) -> Problems:
        return (problem("tier.invalid", f"tiers: {why}", field="tiers"),)

    bases = {(t.min_spend_fen is not None, t.min_points is not None) for t in tiers}
    if len(bases) > 1:
        return bad("every tier needs the same thresholds (min_spend_fen, min_points or both)")
    if not any(t.reached(0, 0) for t in tiers):
        return bad("one tier must be open to every member (its thresholds 0)")
    if bases == {(True, True)}:
        by_spend = [t.code for t in sorted(tiers, key=lambda t: (t.min_spend_fen, t.code))]
        by_points = [t.code for t in sorted(tiers, key=lambda t: (t.min_points, t.code))]
        if by_spend != by_points:
            return bad("min_spend_fen and min_points must rank the tiers in the same order")
    return ()


def window_start(now: datetime) -> datetime:
    return now - QUALIFYING_WINDOW


def tier_for(tiers: tuple[Tier, ...], spend_fen: int, points: int = 0) -> Tier:
    """The highest tier the rolling year's spend or points reach."""
    eligible = [t for t in tiers if t.reached(spend_fen, points)]
    return max(eligible, key=_order) if eligible else lowest(tiers)


tier_for_spend = tier_for


def lowest(tiers: tuple[Tier, ...]) -> Tier:
    return min(tiers, key=_order)


def rank(tiers: tuple[Tier, ...], code: str) -> int:
    for i, t in enumerate(sorted(tiers, key=_order)):
        if t.code == code:
            return i
    return 0


def by_code(tiers: tuple[Tier, ...], code: str) -> Tier:
    for t in tiers:
        if t.code == code:
            return t
    return lowest(tiers)


def after_sale(tiers: tuple[Tier, ...], current: str, spend_fen: int, points: int = 0) -> str:
    """Tier after a sale: only ever up."""
    earned = tier_for(tiers, spend_fen, points)
    return earned.code if rank(tiers, earned.code) > rank(tiers, current) else current


def on_reevaluation(tiers: tuple[Tier, ...], spend_fen: int, points: int = 0) -> str:
    """Tier at the periodic re-evaluation: exactly what the window's spend or points reach."""
    return tier_for(tiers, spend_fen, points).code
