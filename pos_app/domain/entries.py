"""The points engine: what each kind of change posts.

Each function returns an `Entry` (postings + lot grants + lot takes) that sums to
zero; the store stamps it into an `Event` and applies it in one transaction. The
functions take the member's current lots and debt as arguments, so they stay pure.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pos_app.domain import ledger as L
from pos_app.domain.give_back import Room, place
from pos_app.domain.ledger import Entry, Kind, LotGrant, LotTake, Posting
from pos_app.domain.lots import Lot, expired, grant, take_soonest_expiring, take_up_to
from pos_app.domain.problems import Problem
from pos_app.domain.rules import Rules


def credit(kind: Kind, *, account: str, points: int, source: str, debt_acct: str | None, owed: int,
           lot_id: str, now: datetime, rules: Rules, payload: dict[str, Any], member_id: str | None,
           lock: bool = True) -> Entry:
    """Points into a holder's account from `source`; an outstanding debt is repaid first."""
    # a debt account is never positive, so `owed` is never negative; if a bad balance ever said so,
    # a negative repayment would credit the holder more than was issued
    repay = max(0, min(points, owed)) if debt_acct else 0
    keep = points - repay
    postings = [Posting(source, -points)]
    if repay and debt_acct:
        postings.append(Posting(debt_acct, repay))
    grants: tuple[LotGrant, ...] = ()
    if keep:
        postings.append(Posting(account, keep))
        grants = (grant(lot_id, account, keep, now, rules.lock_days if lock else 0, rules.expiry_days),)
    return Entry(kind, {**payload, "points": points, "debt_repaid": repay}, L.merge_postings(postings), grants,
                 member_id=member_id)


def earn(kind: Kind, *, member_id: str, points: int, store_id: str, owed: int, lot_id: str, now: datetime,
         rules: Rules, payload: dict[str, Any], ptype: L.PointType = L.PointType.CONSUMER) -> Entry:
    return credit(kind, account=L.member_account(member_id, ptype), points=points, source=L.store_issued(store_id),
                  debt_acct=L.debt_account(member_id), owed=owed, lot_id=lot_id, now=now, rules=rules,
                  payload=payload, member_id=member_id)


def spend(kind: Kind, *, member_id: str, lots: list[Lot], points: int, to_account: str, now: datetime,
          payload: dict[str, Any]) -> Entry | Problem:
    """Points leave the member's spendable lots, soonest-expiring first."""
    takes = take_soonest_expiring(lots, points, now)
    if isinstance(takes, Problem):
        return takes
    acct = L.member_account(member_id)
    return Entry(kind, {**payload, "points": points, "lots": _lots_doc(takes)},
                 (Posting(acct, -points), Posting(to_account, points)), takes=takes, member_id=member_id)


def release_hold(kind: Kind, *, member_id: str, hold_takes: tuple[LotTake, ...], points: int, store_id: str,
                 payload: dict[str, Any], room: Room) -> Entry:
    """Void a held redemption: the points go back into the lots they came from (give_back.place)."""
    return _returned(kind, member_id, hold_takes, points, L.suspense(store_id), {**payload, "points": points}, room)


def post_hold(*, member_id: str | None, points: int, store_id: str, payload: dict[str, Any]) -> Entry:
    """A held redemption handed over: the points are now the store's redeemed points. `member_id` is only
    carried on the entry (None: a hold of no member's, a staff guide's withdrawal)."""
    return Entry(Kind.REDEEM_POST, {**payload, "points": points},
                 (Posting(L.suspense(store_id), -points), Posting(L.store_redeemed(store_id), points)),
                 member_id=member_id)


def reverse_earned(*, account: str, debt_acct: str, points: int, lots: list[Lot], first_lot: str | None,
                   sink: str, now: datetime, payload: dict[str, Any], member_id: str | None) -> Entry:
    """Take earned points back; what was already spent becomes debt."""
    takes, shortfall = take_up_to(lots, points, now, first=first_lot)
    taken = points - shortfall
    postings = [Posting(sink, points)]
    if taken:
        postings.append(Posting(account, -taken))
    if shortfall:
        postings.append(Posting(debt_acct, -shortfall))
    return Entry(Kind.REVERSE, {**payload, "points": points, "debt_added": shortfall, "lots": _lots_doc(takes)},
                 L.merge_postings(postings), takes=takes, member_id=member_id)


def give_back(*, member_id: str, points: int, lot_takes: tuple[LotTake, ...], source: str,
              payload: dict[str, Any], room: Room) -> Entry:
    """Return spent points (a gift taken back, points-as-cash on a refunded line) into their lots."""
    return _returned(Kind.REVERSE, member_id, lot_takes, points, source, {**payload, "points_returned": points}, room)


def _returned(kind: Kind, member_id: str, taken: tuple[LotTake, ...], points: int, source: str,
              payload: dict[str, Any], room: Room) -> Entry:
    acct = L.member_account(member_id)
    where = place(taken, acct, room)
    postings = [Posting(source, -points), Posting(acct, points - where.debt_repaid)]
    if where.debt_repaid:
        postings.append(Posting(L.debt_account(member_id), where.debt_repaid))
    if where.debt_repaid or where.grant:
        payload = {**payload, "debt_repaid": where.debt_repaid}
    return Entry(kind, {**payload, "lots": _lots_doc(where.takes)}, L.merge_postings(postings),
                 (where.grant,) if where.grant else (), takes=where.takes, member_id=member_id)


def expire(*, account: str, lots: list[Lot], now: datetime, member_id: str | None) -> Entry | None:
    due = expired(lots, now)
    if not due:
        return None
    total = sum(lot.remaining for lot in due)
    takes = tuple(LotTake(lot.lot_id, lot.remaining) for lot in due)
    return Entry(Kind.EXPIRE, {"account": account, "points": total, "lots": _lots_doc(takes)},
                 (Posting(account, -total), Posting(L.BREAKAGE, total)), takes=takes, member_id=member_id)


def split_back(takes: tuple[LotTake, ...], points: int) -> tuple[LotTake, ...]:
    """The part of earlier lot takes that `points` corresponds to, in the order taken."""
    out, left = [], points
    for t in takes:
        if left <= 0:
            break
        part = min(t.amount, left)
        out.append(LotTake(t.lot_id, part))
        left -= part
    return tuple(out)


def _lots_doc(takes: tuple[LotTake, ...]) -> list[list[Any]]:
    return [[t.lot_id, t.amount] for t in takes]


def takes_from_doc(doc: list[list[Any]]) -> tuple[LotTake, ...]:
    return tuple(LotTake(str(lot_id), int(amount)) for lot_id, amount in doc)
