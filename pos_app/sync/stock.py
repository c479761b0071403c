"""This store's gift stock as HQ counts it (DESIGN.md 11; HQ's side: hq_server.ledger.stock_book).

A `stock` pull item is HQ's count of one gift at this store after everything up to hq_seq `as_of`:
its allotments and moves, and the redemptions, voids and returns of every till of the store that HQ
had by then. This till's count is that, less this device's own changes HQ had not applied by then
(stock_own: sent later than as_of, or not yet sent). So an item is absolute and idempotent: the latest
wins, an item pulled twice or an answer lost changes nothing for long (refresh recomputes every
count HQ keeps at the end of each pull page). A gift HQ never stocked here keeps the till's own
count, moved by its redemptions alone. A count HQ says is below zero (rule 11) is 0 here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, or_, select, update

from pos_app.store import tables as T
from pos_app.sync.catalogue import upsert
from pos_app.sync.outbox import PENDING, SENT
from pos_app.sync.wire import StockDocument


def apply_stock(conn: Connection, key: str, data: dict[str, Any]) -> None:
    doc = StockDocument.model_validate({"gift_id": key, **data})
    gift_id, qty, as_of = doc.gift_id, doc.qty, doc.as_of
    current = conn.execute(select(T.stock_hq.c.as_of).where(T.stock_hq.c.gift_id == gift_id)).scalar()
    if current is not None and current > as_of:
        return  # an older count than the one held (pulled out of order): the newer stands
    upsert(conn, T.stock_hq, {"gift_id": gift_id}, {"qty": qty, "as_of": as_of})
    refresh(conn, gift_id)


def unapplied(conn: Connection, gift_id: str, as_of: int) -> int:
    """This device's changes of the gift's stock that HQ's count as of `as_of` does not hold yet."""
    s, o = T.stock_own.c, T.outbox.c
    return int(conn.execute(select(func.coalesce(func.sum(s.delta), 0)).join_from(
        T.stock_own, T.outbox, o.event_id == s.event_id).where(
        s.gift_id == gift_id, or_(o.status == PENDING, (o.status == SENT) & (o.hq_seq.is_(None) | (o.hq_seq > as_of)))
    )).scalar_one())


def refresh(conn: Connection, gift_id: str | None = None) -> None:
    """Set the till's count of every gift HQ keeps here (or of one) from HQ's latest count."""
    h = T.stock_hq.c
    q = select(h.gift_id, h.qty, h.as_of)
    if gift_id is not None:
        q = q.where(h.gift_id == gift_id)
    for gid, qty, as_of in conn.execute(q).all():
        conn.execute(update(T.gifts).where(T.gifts.c.gift_id == gid)
                     .values(stock=max(0, qty + unapplied(conn, gid, as_of))))


def hq_count(conn: Connection, gift_id: str) -> int | None:
    """HQ's last count of the gift here (None: HQ keeps none), for the store's screens."""
    return conn.execute(select(T.stock_hq.c.qty).where(T.stock_hq.c.gift_id == gift_id)).scalar()
