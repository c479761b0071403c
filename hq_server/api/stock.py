"""The admin API of gift stock per location (DESIGN.md 11): thin over hq_server.programme.stock."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from hq_server.ledger.stock_book import MAX_QTY
from hq_server import roles as R
from hq_server.auth import Staff, get_db, now, require
from hq_server.db import Database
from hq_server.programme import stock
from hq_server.programme.audit import Actor
from pos_app.sync.wire import Problem

router = APIRouter(prefix="/api/v1/admin/stock", tags=["stock"])
PROBLEMS: dict[int | str, dict[str, Any]] = {code: {"model": Problem} for code in (401, 403, 422)}
StockWork = Depends(require(R.CATALOGUE | R.STORES))  # operators; a store manager for their own store
StockRead = Depends(require(R.CATALOGUE_READ))

_ID = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
_PLACE = Field(min_length=1, max_length=36, pattern=r"^[A-Za-z0-9_-]+$",
               description='"hq" (the warehouse) or a store id')


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AllotIn(Body):
    gift_id: str = _ID
    location: str = _PLACE
    qty: int = Field(ge=-MAX_QTY, le=MAX_QTY, description="units received (> 0) or taken away (< 0)")
    note: str | None = Field(default=None, max_length=stock.MAX_NOTE)


class MoveIn(Body):
    gift_id: str = _ID
    from_location: str = _PLACE
    to_location: str = _PLACE
    qty: int = Field(ge=1, le=MAX_QTY)
    note: str | None = Field(default=None, max_length=stock.MAX_NOTE)


class StockLevelOut(BaseModel):
    location: str
    gift_id: str
    qty: int
    updated_seq: int


def _actor(who: Staff) -> Actor:
    return Actor(who.username, who.role, who.store_id)


def _out(level: stock.StockLevel) -> StockLevelOut:
    return StockLevelOut(location=level.location, gift_id=level.gift_id, qty=level.qty, updated_seq=level.updated_seq)


@router.get("", response_model=list[StockLevelOut], responses=PROBLEMS)
def stock_by_location(gift_id: str | None = Query(None, max_length=64), location: str | None = Query(None, max_length=36),
                      _who: Staff = StockRead, db: Database = Depends(get_db)) -> list[StockLevelOut]:
    """Every location's count HQ keeps (the warehouse first), of one gift or at one location."""
    return [_out(level) for level in stock.stock_by_location(db, gift_id=gift_id, location=location)]


@router.post("/allot", response_model=StockLevelOut, responses=PROBLEMS)
def allot(body: AllotIn, who: Staff = StockWork, db: Database = Depends(get_db)) -> StockLevelOut:
    """Goods received at a location, or its count corrected; the location's tills pull the new count."""
    return _out(stock.allot_stock(db, _actor(who), gift_id=body.gift_id, location=body.location, qty=body.qty,
                                  note=body.note, now=now()))


@router.post("/move", response_model=list[StockLevelOut], responses=PROBLEMS)
def move(body: MoveIn, who: Staff = StockWork, db: Database = Depends(get_db)) -> list[StockLevelOut]:
    """Goods sent from one location to another (never more than HQ counts at the first)."""
    return [_out(level) for level in stock.move_stock(db, _actor(who), gift_id=body.gift_id,
                                                      from_location=body.from_location,
                                                      to_location=body.to_location, qty=body.qty, note=body.note,
                                                      now=now())]
