"""The JSON routes of online exchange orders and of the codes HQ signs (coupon QR, general coupons), for
a JSON client doing what the console and the mall do: thin over hq_server.programme.orders and
hq_server.programme.chain_codes (DESIGN.md 10, 11)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from hq_server import roles as R
from hq_server.auth import Staff, get_db, now, require
from hq_server.db import Database
from hq_server.programme import chain_codes, orders
from hq_server.programme.audit import Actor
from hq_server.programme.listing import ListQuery
from hq_server.wire_time import UtcDateTime
from pos_app.domain.gifts import MAX_GIFT_QTY
from pos_app.domain.ids import ID_PATTERN
from pos_app.sync.wire import Problem

router = APIRouter(prefix="/api/v1/admin", tags=["orders"])
PROBLEMS: dict[int | str, dict[str, Any]] = {code: {"model": Problem} for code in (401, 403, 404, 409, 422)}
OrdersRead = Depends(require(R.MEMBERS_READ | R.CATALOGUE_READ))
OrdersWork = Depends(require(R.MEMBERS | R.CATALOGUE))  # customer service cancels, the warehouse ships
Members = Depends(require(R.MEMBERS))
Catalogue = Depends(require(R.CATALOGUE))
Status = Literal["placed", "picking", "shipped", "delivered", "picked_up", "cancelled"]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AddressIO(Body):
    name: str = Field(min_length=1, max_length=40)
    phone: str = Field(min_length=1, max_length=20)
    address: str = Field(min_length=1, max_length=orders.MAX_ADDRESS)


class OrderIn(Body):
    gift_id: str = Field(min_length=1, max_length=64)
    qty: int = Field(strict=True, ge=1, le=MAX_GIFT_QTY)
    mode: Literal["pickup", "delivery"]
    store_id: str | None = Field(None, min_length=1, max_length=36, description="pickup: the store to collect at")
    address: AddressIO | None = Field(None, description="delivery: where to send it")
    idempotency_key: str = Field(min_length=1, max_length=64, description="the same key again: the same order")


class OrderOut(BaseModel):
    order_id: str
    member_id: str
    gift_id: str
    gift_name: str
    qty: int
    points: int
    copay_fen: int
    mode: str
    location: str
    address: AddressIO | None
    status: Status
    carrier: str | None
    tracking_no: str | None
    created_at: UtcDateTime
    updated_at: UtcDateTime
    pickup_code: str | None = Field(None, description="a pickup still to collect: the signed code to show as QR")
    collected_at: str | None = Field(None, description="the store whose till handed it over")


class OrdersPage(BaseModel):
    rows: list[OrderOut]
    total: int
    page: int
    per: int


class CancelIn(Body):
    reason: str = Field("", max_length=orders.MAX_REASON)


class ShipIn(Body):
    carrier: str = Field(min_length=1, max_length=40)
    tracking_no: str = Field(min_length=4, max_length=64)


class StockOut(BaseModel):
    location: str
    qty: int


class CouponQrOut(BaseModel):
    code: str
    qr: str


class GeneralIn(Body):
    type_id: str = Field(min_length=1, max_length=64)
    count: int = Field(strict=True, ge=1, le=chain_codes.MAX_GENERAL)


class GeneralOut(BaseModel):
    code: str
    type_id: str
    expires_at: UtcDateTime
    qr: str


def _actor(who: Staff) -> Actor:
    return Actor(who.username, who.role, who.store_id)


def _out(o: orders.Order) -> dict[str, Any]:
    return {**o.__dict__, "address": o.address.__dict__ if o.address else None}


@router.post("/members/{member_id}/orders", response_model=OrderOut, status_code=201, responses=PROBLEMS)
def place_order(body: OrderIn, member_id: str = Path(pattern=ID_PATTERN), _who: Staff = Members,
                db: Database = Depends(get_db)) -> dict[str, Any]:
    """An exchange order on the member's behalf (customer service), as the mall places it: the points held,
    the units reserved where they leave from; the same idempotency_key again answers the same order."""
    address = orders.Address(**body.address.model_dump()) if body.address else None
    return _out(orders.place_order(db, member_id=member_id, gift_id=body.gift_id, qty=body.qty, mode=body.mode,
                                   idempotency_key=body.idempotency_key, now=now(), store_id=body.store_id,
                                   address=address))


@router.get("/orders", response_model=OrdersPage, responses=PROBLEMS)
def list_orders(status: Status | None = None, mode: Literal["pickup", "delivery"] | None = None,
                location: str | None = Query(None, max_length=36), member_id: str | None = Query(None, max_length=36),
                gift_id: str | None = Query(None, max_length=64), q: str = Query("", max_length=64),
                page: int = Query(1, ge=1, le=10**6), per: int = Query(25, ge=1, le=200),
                _who: Staff = OrdersRead, db: Database = Depends(get_db)) -> dict[str, Any]:
    """Online orders, newest first (q: an order id, tracking number or member id)."""
    filters = {k: v for k, v in {"status": status, "mode": mode, "location": location, "member_id": member_id,
                                 "gift_id": gift_id}.items() if v}
    got = orders.orders_page(db, ListQuery(page=page, per=per, q=q, filters=filters))
    return {"rows": [{**r, "address": r["address"].__dict__ if r["address"] else None} for r in got.rows],
            "total": got.total, "page": got.query.page, "per": got.query.per}


@router.get("/orders/{order_id}", response_model=OrderOut, responses=PROBLEMS)
def get_order(order_id: str = Path(pattern=ID_PATTERN), _who: Staff = OrdersRead,
              db: Database = Depends(get_db)) -> dict[str, Any]:
    return _out(orders.order(db, order_id))


@router.post("/orders/{order_id}/cancel", response_model=OrderOut, responses=PROBLEMS)
def cancel_order(body: CancelIn | None = None, order_id: str = Path(pattern=ID_PATTERN), who: Staff = OrdersWork,
                 db: Database = Depends(get_db)) -> dict[str, Any]:
    """Before it is shipped or collected: the points back into their lots, the units back (409 after)."""
    return _out(orders.cancel_order(db, order_id, now=now(), actor=_actor(who), reason=body.reason if body else ""))


@router.post("/orders/{order_id}/pick", response_model=OrderOut, responses=PROBLEMS)
def pick_order(order_id: str = Path(pattern=ID_PATTERN), who: Staff = OrdersWork,
               db: Database = Depends(get_db)) -> dict[str, Any]:
    return _out(orders.pick_order(db, _actor(who), order_id, now=now()))


@router.post("/orders/{order_id}/ship", response_model=OrderOut, responses=PROBLEMS)
def ship_order(body: ShipIn, order_id: str = Path(pattern=ID_PATTERN), who: Staff = OrdersWork,
               db: Database = Depends(get_db)) -> dict[str, Any]:
    """Shipped with a tracking number: the order's points are redeemed."""
    return _out(orders.ship_order(db, _actor(who), order_id, carrier=body.carrier, tracking_no=body.tracking_no,
                                  now=now()))


@router.post("/orders/{order_id}/delivered", response_model=OrderOut, responses=PROBLEMS)
def mark_delivered(order_id: str = Path(pattern=ID_PATTERN), who: Staff = OrdersWork,
                   db: Database = Depends(get_db)) -> dict[str, Any]:
    return _out(orders.mark_delivered(db, _actor(who), order_id, now=now()))


@router.get("/gifts/{gift_id}/pickup-stores", response_model=list[StockOut], responses=PROBLEMS)
def pickup_stores(gift_id: str = Path(min_length=1, max_length=64), _who: Staff = OrdersRead,
                  db: Database = Depends(get_db)) -> list[dict[str, Any]]:
    """The stores holding the gift now, most first: where a pickup order can be collected."""
    return [{"location": s.location, "qty": s.qty} for s in orders.pickup_stores(db, gift_id)]


@router.get("/coupons/{code}/qr", response_model=CouponQrOut, responses=PROBLEMS)
def coupon_qr(code: str = Path(min_length=1, max_length=24, pattern=r"^[A-Za-z0-9]+$"), _who: Staff = Members,
              db: Database = Depends(get_db)) -> dict[str, Any]:
    """The signed code (PM1:C:...) of a coupon HQ issued to a member, which any store takes once."""
    return {"code": code, "qr": chain_codes.coupon_qr(db, code=code, now=now())}


@router.post("/general-coupons", response_model=list[GeneralOut], status_code=201, responses=PROBLEMS)
def general_coupons(body: GeneralIn, who: Staff = Catalogue, db: Database = Depends(get_db)) -> list[dict[str, Any]]:
    """General coupons of a type (for any member, or none), each with its signed code to print."""
    return [g.__dict__ for g in chain_codes.issue_general_coupons(db, _actor(who), type_id=body.type_id,
                                                                  count=body.count, now=now())]
