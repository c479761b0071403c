"""What a till's event does to its store's gift stock at HQ (hq_server.ledger.stock_book), and rule 11.

A till's redemption, void or return carries in its payload the change it made to its own store's
count ("stock": -qty or +qty, with "gift_id"). HQ applies it to the store's count when the event is
admitted, whether or not its points can be applied yet (rule 5): the goods left the counter. A store
HQ never stocked with the gift keeps its own count alone, so nothing moves at HQ. The move's id is
made from the event's, so the event pushed again moves nothing again.

Rule 11 (docs/design-additions.md, section 6): a store's count below zero after a till's event is
kept (the goods were handed over) and shown to HQ as an open `stock_short` task.
"""

from __future__ import annotations

from typing import Any, TYPE_CHECKING

from hq_server import models as M
from hq_server.ledger.stock_book import move_id
from hq_server.ledger.decisions import ConflictStatus
from hq_server.ledger.event_row import EventRow
from pos_app.domain.ledger import Kind

if TYPE_CHECKING:
    from hq_server.ledger.ingest import Ingest

MAX_EVENT_QTY = 1000  # a redemption moves at most MAX_GIFT_QTY (20) units: anything far beyond is not one
REASONS: dict[str, str] = {Kind.REDEEM_HOLD: "redeem", Kind.REDEEM_VOID: "void", Kind.REVERSE: "return", Kind.REDEEM_POST: "pickup"}


def event_delta(payload: dict[str, Any]) -> tuple[str, int] | None:
    """(gift_id, change) an event's payload says it made to its store's stock, or None."""
    gift_id, delta = payload.get("gift_id"), payload.get("stock")
    if not isinstance(gift_id, str) or not 0 < len(gift_id) <= 64:
        return None
    if not isinstance(delta, int) or isinstance(delta, bool) or delta == 0 or abs(delta) > MAX_EVENT_QTY:
        return None
    return gift_id, delta


def from_event(ing: Ingest, row: EventRow, payload: dict[str, Any]) -> None:
    store_id = row.store_id
    if store_id == M.HQ_ORIGIN or row.kind not in REASONS:
        return  # HQ's own use cases move stock themselves (an order's reservation)
    found = event_delta(payload)
    if found is None:
        return
    gift_id, delta = found
    moved = ing.stock.move(gift_id, store_id, delta, REASONS[row.kind], mid=move_id(row.event_id, "stock"),
                           ref=payload.get("redemption_id"), event_id=row.event_id, by=row.staff_id,
                           start=False, fresh=True)  # called as the event is admitted: new to HQ
    if moved is not None and delta < 0 and moved.qty_after < 0:
        ing.conflict(11, "stock_short", row, {"gift_id": gift_id, "location": store_id, "qty": moved.qty_after,
                                              "delta": delta}, status=ConflictStatus.OPEN, tag=f"stock_short:{gift_id}")
