"""Exchange orders in the mall: placing one from a gift's page (programme.orders.place_order, keyed by the
form so a double tap is one order), the member's orders by status, one order with its pickup code as QR
(the chosen store's till writes it off) or its delivery, and cancelling before it ships."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from hq_server.auth import now
from hq_server.errors import HQProblem
from hq_server.mall import words
from hq_server.mall.gifts_page import render_gift
from hq_server.mall.member import MemberForm, member_form, member_page
from hq_server.mall.pages import PAGES, PREFIX
from hq_server.programme import orders as O
from hq_server.programme.address_book import saved_address
from hq_server.programme.member_sessions import MemberSession
from hq_server.programme.refusals import BadField
from hq_server.web import flash
from hq_server.web.qr import qr_svg

router = APIRouter(include_in_schema=False)  # under PREFIX (pages.mount)
PER_PAGE = 20
TABS = ("", "open", "closed")


def _code(p: HQProblem) -> str:
    """What the page says: a bad field by its name (invalid_qty), else the refusal's own code."""
    return f"invalid_{p.field}" if isinstance(p, BadField) and p.code == "invalid_field" else p.code


@router.post("/gift/{gift_id}/order")
async def place(request: Request, gift_id: str, posted: MemberForm = Depends(member_form)) -> Response:
    state, who = request.app.state, posted.who
    form = {name: posted.text(name, 80) for name in ("qty", "mode", "store_id", "address_id", "key")}
    qty = int(form["qty"]) if form["qty"].isdigit() and len(form["qty"]) < 4 else -1

    def order() -> O.Order:
        address = None
        if form["mode"] == O.DELIVERY and form["address_id"]:
            address = saved_address(state.db, who.member_id, form["address_id"]).as_address()
        return O.place_order(state.db, member_id=who.member_id, gift_id=gift_id, qty=qty, mode=form["mode"],
                             store_id=form["store_id"] or None, address=address, idempotency_key=form["key"],
                             now=now())
    try:
        placed = await run_in_threadpool(order)
    except HQProblem as p:
        if p.code in ("gift.unknown", "gift_unknown"):
            raise
        return await run_in_threadpool(render_gift, request, who, gift_id, status=p.status, error=_code(p), form=form)
    return RedirectResponse(f"{PREFIX}/orders/{placed.order_id}?new=1", status_code=303)


@router.get("/orders")
def orders_list(request: Request, who: MemberSession = Depends(member_page), status: str = "",
                page: str = "1") -> Response:
    status = status if status in TABS else ""
    n = int(page) if page.isdigit() and len(page) < 5 and int(page) > 0 else 1
    rows = O.member_orders(request.app.state.db, who.member_id, limit=PER_PAGE + 1, offset=(n - 1) * PER_PAGE,
                           status=status or None)
    return PAGES.render(request, "mall/orders.html", {
        "member": who, "here": "/m/mall", "orders": rows[:PER_PAGE], "more": len(rows) > PER_PAGE, "page": n,
        "status": status})


@router.get("/orders/{order_id}")
def one_order(request: Request, order_id: str, who: MemberSession = Depends(member_page), new: str = "") -> Response:
    got = O.order(request.app.state.db, order_id, member_id=who.member_id)
    return PAGES.render(request, "mall/order.html", {
        "member": who, "here": "/m/mall", "order": got, "new": new == "1",
        "qr": qr_svg(got.pickup_code, box=6) if got.pickup_code else None})


@router.post("/orders/{order_id}/cancel")
async def cancel(request: Request, order_id: str, posted: MemberForm = Depends(member_form)) -> Response:
    state = request.app.state
    got = await run_in_threadpool(lambda: O.cancel_order(state.db, order_id, member_id=posted.who.member_id,
                                                         reason="cancelled by the member", now=now()))
    response = RedirectResponse(f"{PREFIX}/orders/{got.order_id}", status_code=303)
    flash.add(response, request, request.state.session_secret, "ok", words.ORDER_CANCELLED, n=got.points)
    return response
