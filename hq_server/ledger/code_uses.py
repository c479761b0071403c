"""Pickup codes and coupons, each used once chain-wide (DESIGN.md 11), and rule 10 for a second use.

Any store takes a pickup code or a coupon offline (pos_app.domain.chain_codes): the till checks the
signature with the device keys it pulled and the codes the chain used that it pulled, but two stores
offline can both take the same code. HQ decides, in hq_seq order, as each event is admitted:

- A pickup (P:<redemption>) is closed by its first `redeem_post` (handed over: at the store holding
  it, with the points moved by the event; or at another store, or an online order at the store the
  member chose, where the till moves no points) or `redeem_void` (cancelled). A handover whose event
  moved no points has HQ move them (suspense -> redeemed, a correction); one at another store than
  the one holding the unit frees that unit (stock +qty there: the other store handed over its own).
- A coupon (C:<code>) is used by a `redeem_post` of purpose coupon_use (a sale took it off) and given
  back by a `redeem_void` of purpose coupon_return (that sale refunded).
- The first use is recorded (code_uses) and told to every store (feed code_used): each till refuses
  the code from then on.

Rule 10 (docs/design-additions.md, section 6): a later use stands too (the goods or the discount
were given), kept, and shown to HQ as an open conflict. It is costed to the member as debt of what
the code cost them in points: the redemption's points for a pickup, what the member paid for a coupon
(the coupon names it, signed). A code that cost the member nothing (a free coupon, a general coupon)
is the chain's loss: nothing is posted, the conflict holds the discount in fen. The member is
flagged, as for a double spend (rule 1). The units: a second handover at the store holding the unit
takes it (stock -qty); a void after a handover takes back the unit the void returned. Correction ids
derive from the event, so running the merge again posts nothing new.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, select, update

from hq_server import bulk
from hq_server import models as M
from hq_server.ledger.chain_codes_tables import code_uses, pickups
from hq_server.ledger.stock_book import move_id
from hq_server.ledger.decisions import ConflictStatus
from hq_server.ledger.event_row import EventRow
from pos_app.domain import ledger as L
from pos_app.domain.ledger import Kind

if TYPE_CHECKING:
    from hq_server.ledger.ingest import Ingest

MAX_POINTS = 10**9  # what one code can cost; anything beyond is not a real code's


def _int(value: Any, most: int = MAX_POINTS) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= most else None


def from_event(ing: Ingest, row: EventRow, payload: dict[str, Any]) -> None:
    kind = row.kind
    purpose, rid = payload.get("purpose"), payload.get("redemption_id")
    if kind == Kind.REDEEM_HOLD and isinstance(rid, str):
        held(ing, row, payload, rid)
    elif kind in (Kind.REDEEM_POST, Kind.REDEEM_VOID) and isinstance(rid, str) and len(rid) <= 36:
        pickup_closed(ing, row, payload, rid)
    elif kind == Kind.REDEEM_POST and purpose == "coupon_use" and isinstance(payload.get("coupon"), str):
        coupon_used(ing, row, payload)
    elif kind == Kind.REDEEM_VOID and purpose == "coupon_return" and isinstance(payload.get("coupon"), str):
        coupon_freed(ing, row, payload)


# --- what a push reads of them ----------------------------------------------------------------

def keys_of(kind: str, payload: dict[str, Any]) -> tuple[set[str], set[str]]:
    """The code keys and the redemptions (pickups) from_event reads for an event, for a push's one read."""
    rid, coupon = payload.get("redemption_id"), payload.get("coupon")
    if kind in (Kind.REDEEM_HOLD, Kind.REDEEM_POST, Kind.REDEEM_VOID) and isinstance(rid, str) and len(rid) <= 36:
        return {f"P:{rid}"}, {rid}
    if kind in (Kind.REDEEM_POST, Kind.REDEEM_VOID) and isinstance(coupon, str):
        return {f"C:{coupon[:60]}"}, set()
    return set(), set()


class CodeBook:
    """The pickups and the first uses of codes one push reads: read once at its start (Ingest's prefetch,
    seed) or on first use, and kept as the push records them (the writes go straight to the database)."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.firsts: dict[str, Any] = {}  # code_key -> code_uses row, or None
        self.pickups: dict[str, Any] = {}  # redemption_id -> pickups row, or None

    def seed(self, keys: set[str], first_rows: Iterable[Any], rids: set[str], pickup_rows: Iterable[Any]) -> None:
        self.firsts.update(dict.fromkeys(keys))
        self.firsts.update({r.code_key: r for r in first_rows})
        self.pickups.update(dict.fromkeys(rids))
        self.pickups.update({r.redemption_id: r for r in pickup_rows})

    def preload(self, keys: set[str], rids: set[str]) -> None:
        firsts = [r for where in bulk.where_in(self.conn, code_uses.c.code_key, sorted(keys))
                  for r in self.conn.execute(select(code_uses).where(where))]
        held = [r for where in bulk.where_in(self.conn, pickups.c.redemption_id, sorted(rids))
                for r in self.conn.execute(select(pickups).where(where))]
        self.seed(keys, firsts, rids, held)

    def first(self, key: str) -> Any:
        if key not in self.firsts:
            self.firsts[key] = self.conn.execute(select(code_uses).where(code_uses.c.code_key == key)).first()
        return self.firsts[key]

    def pickup(self, rid: str) -> Any:
        if rid not in self.pickups:
            self.pickups[rid] = self.conn.execute(select(pickups).where(pickups.c.redemption_id == rid)).first()
        return self.pickups[rid]

    def record_first(self, key: str, row: EventRow) -> None:
        values = {"code_key": key, "event_id": row.event_id, "store_id": row.store_id, "hq_seq": row.hq_seq}
        self.conn.execute(code_uses.insert().values(**values))
        self.firsts[key] = SimpleNamespace(**values)

    def free(self, key: str) -> None:
        self.conn.execute(delete(code_uses).where(code_uses.c.code_key == key))
        self.firsts[key] = None

    def hold(self, **values: Any) -> None:
        self.conn.execute(pickups.insert().values(**values))
        self.pickups[values["redemption_id"]] = SimpleNamespace(**values)


# --- pickups ---------------------------------------------------------------------------------

def _pickup(ing: Ingest, rid: str) -> Any:
    return ing.chain_codes.pickup(rid)


def held(ing: Ingest, row: EventRow, payload: dict[str, Any], rid: str) -> None:
    """A gift held for pickup: whose suspense holds its points, where its unit waits. A till holds at
    its own store; HQ (an online order) at the store the member chose (payload stock_at)."""
    gift_id, qty, points = payload.get("gift_id"), _int(payload.get("qty"), 1000), _int(payload.get("points"))
    if not isinstance(gift_id, str) or not qty or points is None or _pickup(ing, rid) is not None:
        return
    store = row.store_id
    stock_at = payload.get("stock_at") if store == M.HQ_ORIGIN else store
    if not isinstance(stock_at, str) or not stock_at:
        return
    ing.chain_codes.hold(
        redemption_id=rid, member_id=row.member_id or "", gift_id=gift_id[:64], qty=qty, points=points,
        suspense=L.suspense(store), redeemed=L.store_redeemed(store), stock_at=stock_at[:36],
        hold_event=row.event_id, created_seq=row.hq_seq)
    first = _first(ing, f"P:{rid}")
    if first is not None:  # handed over (at another store) before the hold reached HQ: settle it now
        use = _event_row(ing, first.event_id)
        if use is not None:
            _first_close(ing, use, json.loads(use.payload), _pickup(ing, rid))


def _first(ing: Ingest, key: str) -> Any:
    return ing.chain_codes.first(key)


def _event_row(ing: Ingest, event_id: str) -> EventRow | None:
    if event_id in ing.rows:
        return ing.rows[event_id]
    r = ing.conn.execute(select(M.events).where(M.events.c.event_id == event_id)).first()
    return None if r is None else EventRow.stored(r)


def _record_first(ing: Ingest, key: str, row: EventRow) -> None:
    ing.chain_codes.record_first(key, row)
    ing.feed.add(M.CHAIN, "code_used", key, {"code": key, "event_id": row.event_id, "store_id": row.store_id,
                                             "hq_seq": row.hq_seq})


def _moved_points(payload: dict[str, Any]) -> bool:
    return bool(payload.get("postings"))


def pickup_closed(ing: Ingest, row: EventRow, payload: dict[str, Any], rid: str) -> None:
    key = f"P:{rid}"
    first = _first(ing, key)
    p = _pickup(ing, rid)
    if first is None:
        _record_first(ing, key, row)
        if p is not None:
            _first_close(ing, row, payload, p)
        return
    if first.event_id != row.event_id:
        _second_close(ing, row, payload, p, first)


def _first_close(ing: Ingest, row: EventRow, payload: dict[str, Any], p: Any) -> None:
    if row.kind != Kind.REDEEM_POST:
        return  # a void: its own event put the points back and the unit (its payload's stock)
    if not _moved_points(payload) and p.points:
        made = ing.correct(row, f"pickup:{p.redemption_id}", Kind.ADJUST,
                           {"purpose": "pickup_collected", "redemption_id": p.redemption_id, "points": p.points},
                           [(p.suspense, -p.points), (p.redeemed, p.points)], member_id=p.member_id or None)
        if made:
            ing.conflict(10, "pickup_collected", row, {"redemption_id": p.redemption_id, "held_at": p.stock_at,
                                                       "points": p.points}, [made], member_id=p.member_id or None,
                         tag=f"pickup:{p.redemption_id}")
    if row.store_id != p.stock_at:  # handed over elsewhere: the unit waiting here is free again
        ing.stock.move(p.gift_id, p.stock_at, p.qty, "pickup_freed", mid=move_id(row.event_id, "pickup_freed"),
                       ref=p.redemption_id, event_id=row.event_id, start=False)


def _second_close(ing: Ingest, row: EventRow, payload: dict[str, Any], p: Any, first: Any) -> None:
    """Rule 10 for a pickup: a second handover, or a void after one (or a handover after a void)."""
    kind = "pickup_used_twice" if row.kind == Kind.REDEEM_POST else "pickup_voided_after_use"
    detail = {"redemption_id": payload["redemption_id"], "first_event": first.event_id,
              "first_store": first.store_id}
    made = None
    if p is not None:
        detail.update(points=p.points, gift_id=p.gift_id, qty=p.qty, held_at=p.stock_at)
        if p.points and p.member_id:
            # the event moved the points out of the suspense the first close had emptied: the member owes them
            to = p.suspense if _moved_points(payload) else L.store_redeemed(row.store_id)
            made = ing.correct(row, f"twice:{p.redemption_id}", Kind.ADJUST,
                               {"purpose": "code_used_twice", "code": f"P:{p.redemption_id}", "points": p.points},
                               [(L.debt_account(p.member_id), -p.points), (to, p.points)], member_id=p.member_id)
            _flag(ing, p.member_id, f"pickup {p.redemption_id} used twice: {p.points} points owed")
        gone = (row.kind == Kind.REDEEM_VOID and "stock" in payload) or \
            (row.kind == Kind.REDEEM_POST and row.store_id == p.stock_at and "stock" not in payload)
        if gone:  # a unit handed over (or given back by the void) that the count still holds
            ing.stock.move(p.gift_id, p.stock_at, -p.qty, "pickup_twice", mid=move_id(row.event_id, "twice"),
                           ref=p.redemption_id, event_id=row.event_id, start=False)
    else:
        detail["note"] = "HQ holds no hold of this pickup: not costed"
    ing.conflict(10, kind, row, detail, [made], status=ConflictStatus.OPEN, member_id=p.member_id if p else None,
                 tag=f"twice:{payload['redemption_id']}")


# --- coupons ---------------------------------------------------------------------------------

def coupon_used(ing: Ingest, row: EventRow, payload: dict[str, Any]) -> None:
    code = payload["coupon"][:60]
    key = f"C:{code}"
    first = _first(ing, key)
    if first is None:
        _record_first(ing, key, row)
        return
    if first.event_id == row.event_id:
        return
    points, member_id = _int(payload.get("points")) or 0, row.member_id
    detail = {"coupon": code, "first_event": first.event_id, "first_store": first.store_id,
              "discount_fen": _int(payload.get("discount_fen"), 10**12) or 0, "points": points}
    made = None
    if points and member_id:
        made = ing.correct(row, f"twice:{key}", Kind.ADJUST,
                           {"purpose": "code_used_twice", "code": key, "points": points},
                           [(L.debt_account(member_id), -points), (L.store_redeemed(row.store_id), points)],
                           member_id=member_id)
        _flag(ing, member_id, f"coupon {code} used twice: {points} points owed")
    else:
        detail["loss_fen"] = detail["discount_fen"]  # a coupon that cost the member nothing: the chain's loss
    ing.conflict(10, "coupon_used_twice", row, detail, [made], status=ConflictStatus.OPEN, tag=f"twice:{key}")


def coupon_freed(ing: Ingest, row: EventRow, payload: dict[str, Any]) -> None:
    """A refund gave the coupon back: free again, if the use it undoes is the one recorded."""
    key = f"C:{payload['coupon'][:60]}"
    first = _first(ing, key)
    if first is None:
        return
    use = _event_row(ing, first.event_id)
    if use is None or use.store_id != row.store_id or \
            json.loads(use.payload).get("sale_id") != payload.get("sale_id"):
        return
    ing.chain_codes.free(key)
    ing.feed.add(M.CHAIN, "code_used", key, {"code": key, "event_id": first.event_id, "store_id": first.store_id,
                                             "hq_seq": row.hq_seq, "freed": True})


def _flag(ing: Ingest, member_id: str, why: str) -> None:
    from hq_server.ledger.member_records import member_item as _member_item
    ing.conn.execute(update(M.members).where(M.members.c.member_id == member_id).values(risk_flag=why[:200]))
    _member_item(ing, member_id)
