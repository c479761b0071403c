"""Gift stock per location (DESIGN.md 11): HQ's warehouse and each store hold their own count.

A location's stock of a gift is a number HQ keeps from the first time it allots or moves some there
(a location HQ never stocked with a gift is not HQ's to count: a till's own count stands alone, as
before HQ managed any stock). Every change is a row of `stock_moves` with its hq_seq: an allotment,
a move between locations (two rows, out and in), a till's redemption, void or return at its own
store (the event's payload says by how much: "stock", -qty or +qty; a till is trusted with its own
store's stock, see hq_server.authority), a reservation for an online order, its release.

The tills of a store learn their store's count by pull: a `stock` item {gift_id, location, qty,
as_of} with HQ's count after everything up to hq_seq `as_of`. A till sets its own count to that less
its own redemptions HQ had not applied by then (pos_app.sync.stock), so the item is absolute and
idempotent: the latest one wins, whatever was lost or pulled twice. One number is never copied to
every till.

A count may go below zero at a store: two tills of the store, offline, handed out the one unit left,
or a move out raced a redemption. The goods are gone, so the events stand; HQ keeps the count below
zero and opens a `stock_short` task (docs/design-additions.md, section 6, rule 11).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Connection, DateTime, Index, String, Table, Text, select, update

from hq_server import bulk
from hq_server import models as M
from hq_server.db import Seq
from hq_server.feed import FeedWriter

WAREHOUSE = M.HQ_ORIGIN  # HQ's warehouse: the location "hq"
MAX_QTY = 1_000_000  # one move's units: far beyond a real one
NS = uuid.UUID("3c1d2a7e-9b52-5f0e-a3d6-1e4f7c9b8a20")

gift_stock = Table("gift_stock", M.metadata,
                   Column("location", String(36), primary_key=True),
                   Column("gift_id", String(64), primary_key=True),
                   Column("qty", BigInteger, nullable=False),
                   Column("updated_seq", BigInteger, nullable=False))

# Every change of a location's count, never updated nor deleted: the count's history.
stock_moves = Table("stock_moves", M.metadata,
                    Column("move_id", String(36), primary_key=True),
                    Column("hq_seq", BigInteger, nullable=False),
                    Column("gift_id", String(64), nullable=False),
                    Column("location", String(36), nullable=False),
                    Column("delta", BigInteger, nullable=False),
                    Column("qty_after", BigInteger, nullable=False),
                    # allot | move_out | move_in | redeem | void | return | pickup | reserve | release | ...
                    Column("reason", String(20), nullable=False),
                    Column("ref", String(64)),  # the transfer, order or redemption it belongs to
                    Column("event_id", String(36)),  # the ledger event that moved it (a till's redemption)
                    Column("by", String(40)),  # HQ's staff member, or the till's staff id
                    Column("note", Text),
                    Column("at", DateTime, nullable=False),
                    Index("ix_stock_moves_location_gift_seq", "location", "gift_id", "hq_seq"))


def move_id(ref: str, tag: str) -> str:
    """A move's id made from what it belongs to, so recording the same move again changes nothing."""
    return str(uuid.uuid5(NS, f"{ref}:{tag}"))


@dataclass(frozen=True)
class Moved:
    location: str
    gift_id: str
    delta: int
    qty_after: int


class StockBook:
    """The stock of one write transaction: counts read once, moves kept, written at flush (with one pull
    item per store location whose count changed, after every event of the transaction)."""

    def __init__(self, conn: Connection, seq: Seq, now: datetime):
        self.conn, self.seq, self.now = conn, seq, now
        self.levels: dict[tuple[str, str], int | None] = {}
        self.moves: list[dict[str, Any]] = []
        self.dirty: set[tuple[str, str]] = set()
        self._new: set[tuple[str, str]] = set()
        self._known_moves: set[str] = set()

    def seed(self, keys: set[tuple[str, str]], rows: Iterable[Any]) -> None:
        """The counts of these (location, gift_id) read already (rows: location, gift_id, qty; a key
        without a row: HQ never stocked it there). A count this transaction changed is kept."""
        found = {(r.location, r.gift_id): r.qty for r in rows}
        for key in keys:
            self.levels.setdefault(key, found.get(key))

    def preload(self, keys: set[tuple[str, str]]) -> None:
        s = gift_stock.c
        locations, gifts = sorted({k[0] for k in keys}), sorted({k[1] for k in keys})
        self.seed(keys, self.conn.execute(select(s.location, s.gift_id, s.qty).where(
            s.location.in_(locations), s.gift_id.in_(gifts))).all())

    def level(self, location: str, gift_id: str) -> int | None:
        """HQ's count of the gift at the location; None when HQ never stocked it there."""
        key = (location, gift_id)
        if key not in self.levels:
            s = gift_stock.c
            self.levels[key] = self.conn.execute(select(s.qty).where(s.location == location, s.gift_id == gift_id)
                                                 ).scalar()
        return self.levels[key]

    def seen(self, mid: str) -> bool:
        if mid in self._known_moves:
            return True
        return self.conn.execute(select(stock_moves.c.move_id).where(stock_moves.c.move_id == mid)).first() is not None

    def move(self, gift_id: str, location: str, delta: int, reason: str, *, mid: str, ref: str | None = None,
             event_id: str | None = None, by: str | None = None, note: str | None = None,
             start: bool = True, fresh: bool = False) -> Moved | None:
        """Change the count by `delta`; a location HQ never stocked starts at 0 when `start`, else nothing
        moves (None). A move id recorded before moves nothing again (None); `fresh`: its id is made from an
        event this transaction stores, so none is recorded yet (no read)."""
        if mid in self._known_moves if fresh else self.seen(mid):
            return None
        key = (location, gift_id)
        qty = self.level(location, gift_id)
        if qty is None:
            if not start:
                return None
            qty = 0
            self._new.add(key)
        qty += delta
        self.levels[key] = qty
        self.dirty.add(key)
        self._known_moves.add(mid)
        self.moves.append({"move_id": mid, "hq_seq": self.seq.next(), "gift_id": gift_id, "location": location,
                           "delta": delta, "qty_after": qty, "reason": reason, "ref": ref, "event_id": event_id,
                           "by": by, "note": note, "at": self.now})
        return Moved(location, gift_id, delta, qty)

    def flush(self, feed: FeedWriter) -> None:
        """The moves, the counts, and a `stock` pull item for each store whose count changed."""
        if not self.dirty:
            return
        bulk.insert(self.conn, stock_moves, self.moves)
        as_of = self.seq.last  # every event and move of this transaction is at or below it
        s = gift_stock.c
        for location, gift_id in sorted(self.dirty):
            qty = self.levels[(location, gift_id)]
            if (location, gift_id) in self._new:
                self.conn.execute(gift_stock.insert().values(location=location, gift_id=gift_id, qty=qty,
                                                             updated_seq=as_of))
            else:
                self.conn.execute(update(gift_stock).where(s.location == location, s.gift_id == gift_id)
                                  .values(qty=qty, updated_seq=as_of))
            if location != WAREHOUSE:
                feed.add(location, "stock", gift_id, {"gift_id": gift_id, "location": location, "qty": qty,
                                                      "as_of": as_of})
        self.moves, self.dirty, self._new = [], set(), set()
