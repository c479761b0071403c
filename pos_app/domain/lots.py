"""Earned points as lots: spending takes the soonest-expiring spendable lots first.

A member account's balance always equals the sum of its lots' `remaining`; that is
one of the properties the tests check after random use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pos_app.domain.ledger import LotGrant, LotTake
from pos_app.domain.problems import Problem, problem


@dataclass(frozen=True, slots=True)
class Lot:
    lot_id: str
    account: str
    remaining: int
    available_at: datetime
    expires_at: datetime

    def spendable(self, now: datetime) -> bool:
        return self.remaining > 0 and self.available_at <= now < self.expires_at


def spendable_total(lots: list[Lot], now: datetime) -> int:
    return sum(lot.remaining for lot in lots if lot.spendable(now))


def take_soonest_expiring(lots: list[Lot], amount: int, now: datetime) -> tuple[LotTake, ...] | Problem:
    """Which lots pay `amount` points: soonest expiry first, then oldest lot id."""
    if amount <= 0:
        return problem("points.not_positive", "points to spend must be positive", amount=amount)
    usable = sorted((lot for lot in lots if lot.spendable(now)), key=lambda lot: (lot.expires_at, lot.lot_id))
    have = sum(lot.remaining for lot in usable)
    if have < amount:
        return problem("points.insufficient", f"only {have} points can be spent now, {amount} needed",
                       have=have, need=amount)
    takes, _ = _take_in_order(usable, amount)
    return takes


def take_up_to(lots: list[Lot], amount: int, now: datetime, first: str | None = None) -> tuple[tuple[LotTake, ...], int]:
    """Take as much of `amount` as the lots hold (lot `first` before the others).

    Used by reversals: a refund takes the points back from the lot the sale created,
    then from other unexpired lots; the shortfall is returned for the debt account.
    Locked (not yet available) lots count here: the points are the member's either way.
    """
    if amount < 0:
        raise ValueError("cannot take a negative amount (that would put points back into lots)")
    ordered = sorted((lot for lot in lots if lot.remaining > 0 and lot.expires_at > now),
                     key=lambda lot: (lot.lot_id != first, lot.expires_at, lot.lot_id))
    return _take_in_order(ordered, amount)


def _take_in_order(ordered: list[Lot], amount: int) -> tuple[tuple[LotTake, ...], int]:
    """Take from the lots in the given order; returns the takes and what is still missing."""
    takes: list[LotTake] = []
    left = amount
    for lot in ordered:
        if left == 0:
            break
        take = min(lot.remaining, left)
        takes.append(LotTake(lot.lot_id, take))
        left -= take
    return tuple(takes), left


def grant(lot_id: str, account: str, amount: int, now: datetime, lock_days: int, expiry_days: int) -> LotGrant:
    return LotGrant(lot_id, account, amount, now + timedelta(days=lock_days), now + timedelta(days=expiry_days))


def expired(lots: list[Lot], now: datetime) -> list[Lot]:
    return [lot for lot in lots if lot.remaining > 0 and lot.expires_at <= now]
