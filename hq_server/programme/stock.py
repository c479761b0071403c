"""Gift stock per location (DESIGN.md 11), as HQ's staff run it: allot stock to a location (goods
received, or a count corrected), move stock between locations (the warehouse and the stores), and
see every location's count and its history. One transaction each; every change is a stock move
(hq_server.ledger.stock_book) that the location's tills pull, and an entry in the audit log.

    allot_stock(db, actor, gift_id="CUP", location="hq", qty=100, note="delivery 42", now=now) -> StockLevel
    move_stock(db, actor, gift_id="CUP", from_location="hq", to_location="s-1", qty=10, now=now)
        -> (StockLevel of "hq", StockLevel of "s-1")
    stock_by_location(db, gift_id="CUP") -> [StockLevel, ...]      (every location HQ stocks, warehouse first)
    stock_moves_page(db, ListQuery(filters={"gift_id": ..., "location": ...})) -> Page of moves, newest first
    stock_levels_page(db, ListQuery(filters={"location": "s-1"})) -> Page of counts with the gift's name

Refusals (BadField, 422 unless said) change nothing: an unknown gift or location, a quantity that is
not a whole number, zero, or more than a location holds; a store manager working on another store (403).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, case, select

from hq_server import models as M
from hq_server import roles as R
from hq_server.db import Database
from hq_server.errors import HQProblem
from hq_server.feed import FeedWriter
from hq_server.programme import audit
from hq_server.programme.audit import Actor
from hq_server.programme.listing import ListQuery, ListShape, Page, fetch
from hq_server.programme.refusals import BadField, said
from hq_server.ledger.stock_book import MAX_QTY, WAREHOUSE, StockBook, gift_stock, move_id, stock_moves
from pos_app.domain.ids import new_id

MAX_NOTE = 200


@dataclass(frozen=True)
class StockLevel:
    location: str  # "hq" (the warehouse) or a store id
    gift_id: str
    qty: int  # below zero: the location handed out more than HQ knew it had (rule 11)
    updated_seq: int


def _qty(value: Any, *, signed: bool) -> int:
    if isinstance(value, str):
        text = value.strip()
        if not re.fullmatch(r"[+-]?\d{1,9}", text):
            raise BadField("qty", "qty: a quantity is a whole number of units")
        value = int(text)
    if not isinstance(value, int) or isinstance(value, bool):
        raise BadField("qty", "qty: a quantity is a whole number of units")
    if value == 0 or abs(value) > MAX_QTY or (value < 0 and not signed):
        raise BadField("qty", said("qty: a quantity is 1 to %(most)s units (or less than zero to take some away)",
                                   most=f"{MAX_QTY:,}") if signed else
                       said("qty: a quantity is 1 to %(most)s units", most=f"{MAX_QTY:,}"))
    return value


def _note(note: str | None) -> str | None:
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise BadField("note", said("note: a note is at most %(n)s characters", n=MAX_NOTE))
    return note or None


def _require_gift(conn: Connection, gift_id: str, field: str = "gift_id") -> None:
    c = M.catalog.c
    if not isinstance(gift_id, str) or conn.execute(select(c.key).where(c.type == "gift", c.key == gift_id)
                                                    ).first() is None:
        raise BadField(field, said("%(field)s: no gift %(gift)r in the catalogue", field=field, gift=str(gift_id)[:64]))


def _require_location(conn: Connection, location: str, field: str) -> None:
    if location == WAREHOUSE:
        return
    if not isinstance(location, str) or conn.execute(select(M.stores.c.store_id).where(
            M.stores.c.store_id == location)).first() is None:
        raise BadField(field, said("%(field)s: no location %(location)r: the warehouse is \"%(warehouse)s\", or a "
                                   "store's id", field=field, location=str(location)[:36], warehouse=WAREHOUSE))


def _may_work_on(actor: Actor, location: str) -> None:
    """A store manager works on their own store's stock only; the chain's staff on any location."""
    if actor.role == R.STORE_MANAGER and location != actor.store_id:
        raise HQProblem(403, "not_your_store", said("a store manager moves their own store's stock, not %(location)s's",
                                                              location=location))


def _level(book: StockBook, location: str, gift_id: str, seq: int) -> StockLevel:
    return StockLevel(location, gift_id, book.level(location, gift_id) or 0, seq)


def allot_stock(db: Database, actor: Actor, *, gift_id: str, location: str, qty: Any, note: str | None = None,
                now: datetime) -> StockLevel:
    """Goods received at a location (qty > 0), or a count corrected (qty < 0, never below zero)."""
    qty, note = _qty(qty, signed=True), _note(note)
    with db.write() as (conn, seq):
        _require_gift(conn, gift_id)
        _require_location(conn, location, "location")
        _may_work_on(actor, location)
        book = StockBook(conn, seq, now)
        have = book.level(location, gift_id) or 0
        if have + qty < 0:
            raise BadField("qty", said("qty: %(location)s holds %(have)s of %(gift)s: it cannot give up %(qty)s",
                                       location=location, have=have, gift=gift_id, qty=-qty))
        ref = new_id()
        book.move(gift_id, location, qty, "allot", mid=move_id(ref, location), ref=ref, by=actor.username, note=note)
        feed = FeedWriter(seq)
        book.flush(feed)
        feed.flush(conn)
        audit.record(conn, actor, "stock.allot", f"stock:{location}:{gift_id}", before={"qty": have},
                     after={"qty": have + qty}, note=note, at=now)
        return _level(book, location, gift_id, seq.last)


def move_stock(db: Database, actor: Actor, *, gift_id: str, from_location: str, to_location: str, qty: Any,
               note: str | None = None, now: datetime) -> tuple[StockLevel, StockLevel]:
    """Goods sent from one location to another: out of one count and into the other, together."""
    qty, note = _qty(qty, signed=False), _note(note)
    if from_location == to_location:
        raise BadField("to_location", "to_location: stock moves between two different locations")
    with db.write() as (conn, seq):
        _require_location(conn, from_location, "from_location")
        _require_location(conn, to_location, "to_location")
        _may_work_on(actor, from_location)
        book = StockBook(conn, seq, now)
        have = book.level(from_location, gift_id)
        if have is None:
            _require_gift(conn, gift_id)
        if (have or 0) < qty:
            raise BadField("qty", said("qty: %(location)s holds %(have)s of %(gift)s: it cannot send %(qty)s",
                                       location=from_location, have=have or 0, gift=gift_id, qty=qty))
        ref = new_id()
        book.move(gift_id, from_location, -qty, "move_out", mid=move_id(ref, "out"), ref=ref, by=actor.username,
                  note=note)
        book.move(gift_id, to_location, qty, "move_in", mid=move_id(ref, "in"), ref=ref, by=actor.username, note=note)
        feed = FeedWriter(seq)
        book.flush(feed)
        feed.flush(conn)
        audit.record(conn, actor, "stock.move", f"stock:{gift_id}", after={"from": from_location, "to": to_location,
                                                                            "qty": qty}, note=note, at=now)
        return _level(book, from_location, gift_id, seq.last), _level(book, to_location, gift_id, seq.last)


def stock_by_location(db: Database, *, gift_id: str | None = None, location: str | None = None) -> list[StockLevel]:
    """Every location's count HQ keeps (of one gift, or at one location): the warehouse first, then the
    stores by id, each gift by id."""
    s = gift_stock.c
    q = select(s.location, s.gift_id, s.qty, s.updated_seq)
    if gift_id is not None:
        q = q.where(s.gift_id == gift_id)
    if location is not None:
        q = q.where(s.location == location)
    q = q.order_by(case((s.location == WAREHOUSE, 0), else_=1), s.location, s.gift_id)
    with db.read() as conn:
        return [StockLevel(r.location, r.gift_id, int(r.qty), int(r.updated_seq)) for r in conn.execute(q)]


def store_locations(db: Database) -> list[tuple[str, str]]:
    """Every store stock can be sent to, (store id, name) by id (the warehouse is WAREHOUSE)."""
    st = M.stores.c
    with db.read() as conn:
        return [(r.store_id, r.name) for r in conn.execute(select(st.store_id, st.name).where(
            st.store_id != M.HQ_ORIGIN).order_by(st.store_id))]


def available_online(db: Database, gift_id: str) -> int:
    """What the chain holds of a gift across every location HQ stocks (what the mall may show as stock)."""
    return sum(max(0, level.qty) for level in stock_by_location(db, gift_id=gift_id))


_m = stock_moves.c
MOVES = ListShape(sorts={"hq_seq": _m.hq_seq, "at": _m.at, "location": _m.location, "gift_id": _m.gift_id},
                  default_sort=(_m.hq_seq.desc(),), tiebreak=(_m.move_id,),
                  filters={"gift_id": lambda q, v: q.where(_m.gift_id == v),
                           "location": lambda q, v: q.where(_m.location == v),
                           "reason": lambda q, v: q.where(_m.reason == v)},
                  search=lambda q, v: q.where(_m.ref == v) if v else q)


def stock_moves_page(db: Database, query: ListQuery) -> Page:
    """The history of the counts: every allotment, move, redemption and reservation, newest first
    (filters gift_id, location, reason; search by the transfer, order or redemption id)."""
    with db.read() as conn:
        return fetch(conn, select(stock_moves), query, MOVES, lambda r: dict(r._mapping))


_s, _c = gift_stock.c, M.catalog.c
_LEVELS = select(_s.location, _s.gift_id, _s.qty, _s.updated_seq, _c.data).join_from(
    gift_stock, M.catalog, (_c.type == "gift") & (_c.key == _s.gift_id), isouter=True)
LEVELS = ListShape(sorts={"location": _s.location, "gift_id": _s.gift_id, "qty": _s.qty},
                   default_sort=(case((_s.location == WAREHOUSE, 0), else_=1), _s.location, _s.gift_id),
                   tiebreak=(_s.location, _s.gift_id),
                   filters={"gift_id": lambda q, v: q.where(_s.gift_id == v),
                            "location": lambda q, v: q.where(_s.location == v),
                            "short": lambda q, v: q.where(_s.qty <= 0) if v == "yes" else q},
                   search=lambda q, v: q.where(_s.gift_id.startswith(v, autoescape=True)
                                               | _s.location.startswith(v, autoescape=True)))


def _level_row(r: Any) -> dict[str, Any]:
    name = json.loads(r.data).get("name", r.gift_id) if r.data else r.gift_id
    return {"location": r.location, "gift_id": r.gift_id, "gift_name": name, "qty": int(r.qty),
            "updated_seq": int(r.updated_seq)}


def stock_levels_page(db: Database, query: ListQuery) -> Page:
    """The console's list of counts, the warehouse first (filters gift_id, location, short=yes: none
    left; search the first letters of a gift or location id), each with its gift's name."""
    with db.read() as conn:
        return fetch(conn, _LEVELS, query, LEVELS, _level_row)


__all__ = ["WAREHOUSE", "StockLevel", "allot_stock", "move_stock", "stock_by_location", "available_online", "stock_moves_page",
           "stock_levels_page", "store_locations"]
