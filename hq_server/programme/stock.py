"""Gift stock by location (DESIGN.md 11): HQ's warehouse and each store hold their own count; HQ
receives stock into the warehouse, allots and moves it between locations, and every move is told to
the stores involved as a pull item (type "stock"), which moves the store's own count. A store
redeems from its own stock, offline too; HQ sees every location: what it moved in and out, less the
redemptions the stores' events report (read in hq_seq order, once each).

    receive_stock(db, gift_id="CUP", qty=100, staff="ops-li", now=now)                 -> Move
    move_stock(db, gift_id="CUP", source="hq", target="s-01", qty=10, staff=..., now=now) -> Move
    stock_levels(db, gift_id=None, location=None)                                      -> [StockLevel]

A move takes only what HQ's view of the source holds (409 otherwise). A store that handed out more
offline than HQ has heard of yet keeps at least 0: its till never counts below nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select, update

from hq_server import models as M
from hq_server.db import Database, Seq
from hq_server.errors import HQProblem
from hq_server.feed import FeedWriter
from pos_app.domain.ids import new_id
from pos_app.domain.ledger import Kind

WAREHOUSE = M.HQ_ORIGIN  # HQ's own location: the warehouse, and what the mall ships from
SEEN = "stock.seen_hq_seq"  # settings: the last event whose redemption the stock view counted
MAX_QTY = 1_000_000


@dataclass(frozen=True)
class Move:
    move_id: str
    gift_id: str
    source: str | None  # None: received from a supplier
    target: str
    qty: int


@dataclass(frozen=True)
class StockLevel:
    gift_id: str
    location: str
    quantity: int


def _add(conn: Connection, gift_id: str, location: str, delta: int) -> None:
    s = M.stock.c
    if conn.execute(update(M.stock).where(s.gift_id == gift_id, s.location == location)
                    .values(quantity=s.quantity + delta)).rowcount == 0:
        conn.execute(M.stock.insert().values(gift_id=gift_id, location=location, quantity=delta))


def _level(conn: Connection, gift_id: str, location: str) -> int:
    s = M.stock.c
    return conn.execute(select(s.quantity).where(s.gift_id == gift_id, s.location == location)).scalar() or 0


def catch_up(conn: Connection) -> int:
    """Count the redemptions (held, voided, returned) of events HQ stored since the last catch-up; the
    number of events counted. Inside a write transaction: hq_seq only grows under HQ's writer lock."""
    st, e = M.settings.c, M.events.c
    seen = int(conn.execute(select(st.value).where(st.key == SEEN)).scalar() or 0)
    rows = conn.execute(select(e.hq_seq, e.kind, e.store_id, e.payload).where(
        e.hq_seq > seen, e.kind.in_((Kind.REDEEM_HOLD, Kind.REDEEM_VOID, Kind.REVERSE))).order_by(e.hq_seq)).all()
    last = conn.execute(select(e.hq_seq).order_by(e.hq_seq.desc()).limit(1)).scalar() or seen
    for r in rows:
        doc = json.loads(r.payload)
        gift_id, qty = doc.get("gift_id"), doc.get("qty")
        if not isinstance(gift_id, str) or not isinstance(qty, int) or isinstance(qty, bool):
            continue  # not a gift's redemption (a sale's reversal, a coupon)
        if r.kind == Kind.REDEEM_HOLD:
            _add(conn, gift_id, r.store_id, -qty)
        elif r.kind == Kind.REDEEM_VOID or doc.get("of") == "redemption":
            _add(conn, gift_id, r.store_id, qty)
    if last != seen:
        if conn.execute(update(M.settings).where(st.key == SEEN).values(value=str(last))).rowcount == 0:
            conn.execute(M.settings.insert().values(key=SEEN, value=str(last)))
    return len(rows)


def _check(conn: Connection, gift_id: str, qty: int, *locations: str | None) -> None:
    if not isinstance(qty, int) or isinstance(qty, bool) or not 0 < qty <= MAX_QTY:
        raise HQProblem(422, "invalid_body", f"qty: a whole number from 1 to {MAX_QTY:,}")
    c = M.catalog.c
    if conn.execute(select(c.key).where(c.type == "gift", c.key == gift_id)).first() is None:
        raise HQProblem(404, "gift_unknown", f"gift_id: no gift {gift_id!r} in the catalogue")
    for name, location in zip(("from", "to"), locations):
        if location is None or location == WAREHOUSE:
            continue
        if conn.execute(select(M.stores.c.store_id).where(M.stores.c.store_id == location)).first() is None:
            raise HQProblem(404, "store_unknown", f"{name}: no store {location!r} (the warehouse is {WAREHOUSE!r})")


def _record(conn: Connection, seq: Seq, move: Move, staff: str, now: datetime, note: str | None) -> None:
    conn.execute(M.stock_moves.insert().values(move_id=move.move_id, gift_id=move.gift_id,
                                               from_location=move.source, to_location=move.target, qty=move.qty,
                                               staff=staff, at=now, note=note))
    feed = FeedWriter(seq)
    for location, delta in ((move.source, -move.qty), (move.target, move.qty)):
        if location is not None and location != WAREHOUSE:
            _add(conn, move.gift_id, location, delta)
            feed.add(location, "stock", move.move_id, {"move_id": move.move_id, "gift_id": move.gift_id,
                                                        "store_id": location, "delta": delta})
        elif location == WAREHOUSE:
            _add(conn, move.gift_id, location, delta)
    feed.flush(conn)


def receive_stock(db: Database, *, gift_id: str, qty: int, staff: str, now: datetime,
                  note: str | None = None) -> Move:
    """Stock that came into HQ's warehouse (from a supplier)."""
    with db.write() as (conn, seq):
        _check(conn, gift_id, qty)
        move = Move(new_id(), gift_id, None, WAREHOUSE, qty)
        _record(conn, seq, move, staff, now, note)
    return move


def move_stock(db: Database, *, gift_id: str, source: str, target: str, qty: int, staff: str, now: datetime,
               note: str | None = None) -> Move:
    """Allot stock from the warehouse to a store, move it between stores, or take it back: the stores
    involved pull the move. 409 when HQ's view of the source holds fewer."""
    if source == target:
        raise HQProblem(422, "invalid_body", "to: a move goes to another location than it comes from")
    with db.write() as (conn, seq):
        _check(conn, gift_id, qty, source, target)
        catch_up(conn)
        have = _level(conn, gift_id, source)
        if have < qty:
            raise HQProblem(409, "stock_short", f"qty: {source} holds {have} of {gift_id}, not {qty}")
        move = Move(new_id(), gift_id, source, target, qty)
        _record(conn, seq, move, staff, now, note)
    return move


def stock_levels(db: Database, *, gift_id: str | None = None, location: str | None = None) -> list[StockLevel]:
    """Every location's count as HQ knows it (the stores' redemptions counted first)."""
    with db.write() as (conn, _seq):
        catch_up(conn)
        s = M.stock.c
        q = select(s.gift_id, s.location, s.quantity)
        if gift_id is not None:
            q = q.where(s.gift_id == gift_id)
        if location is not None:
            q = q.where(s.location == location)
        return [StockLevel(*r) for r in conn.execute(q.order_by(s.gift_id, s.location)).all()]
