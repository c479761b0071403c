"""Where points given back go: a voided hold, a gift taken back, refunded points-as-cash.

A give-back undoes an earlier take, so its points go back into the lots they came
from. Usually those lots have exactly the room the take left. After a double spend
they may not: another store's cancel, pulled from HQ, may have refilled the lot
already, or HQ may have covered part of the take with member debt instead of a lot.
Then each lot takes back only what it has room for, the account's other lots with
room come next (soonest expiry first, as HQ's Book.give_any fills them), what is left
repays the member's debt, and anything still left becomes a new lot. The account's
lots then still hold exactly its balance, at the store and, applied the same way, at HQ.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pos_app.domain.ledger import LotGrant, LotTake


@dataclass(frozen=True)
class LotRoom:
    """A lot of the account that is not full: how many points it can take back."""

    lot_id: str
    room: int  # amount granted - remaining
    expires_at: datetime


@dataclass(frozen=True)
class Room:
    """What the account can take back, read in the give-back's transaction."""

    lots: tuple[LotRoom, ...]
    owed: int  # the member's debt (a positive number of points)
    new_lot_id: str  # for points no lot has room for and no debt needs
    now: datetime
    expires_at: datetime  # of such a new lot: that of the lot the points first came from


@dataclass(frozen=True)
class Placement:
    takes: tuple[LotTake, ...]  # negative: points into lots
    debt_repaid: int
    grant: LotGrant | None


def place(back: tuple[LotTake, ...], account: str, room: Room) -> Placement:
    """`back`: the earlier takes being undone (positive amounts), in the order taken."""
    free = {r.lot_id: r.room for r in room.lots}
    placed: dict[str, int] = {}
    left = 0
    for t in back:
        n = max(0, min(t.amount, free.get(t.lot_id, 0)))
        if n:
            placed[t.lot_id] = placed.get(t.lot_id, 0) + n
            free[t.lot_id] -= n
        left += t.amount - n
    for r in sorted(room.lots, key=lambda r: (r.expires_at, r.lot_id)):
        if left <= 0:
            break
        n = min(free[r.lot_id], left)
        if n > 0:
            placed[r.lot_id] = placed.get(r.lot_id, 0) + n
            free[r.lot_id] -= n
            left -= n
    repay = min(left, max(0, room.owed))
    left -= repay
    grant = LotGrant(room.new_lot_id, account, left, room.now, room.expires_at) if left > 0 else None
    return Placement(tuple(LotTake(lot_id, -n) for lot_id, n in placed.items()), repay, grant)
