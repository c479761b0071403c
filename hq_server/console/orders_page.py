"""Online orders from the members' mall: the list (by state, mode, pickup store, gift; an order,
tracking or member id searched), one order with what can be done next: pick, ship with a carrier and
tracking number, mark delivered, cancel with the points given back. Customer service works them;
finance and operators read them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from hq_server import roles as R
from hq_server.auth import Staff, now
from hq_server.console import nav
from hq_server.console.actor import actor_of
from hq_server.console.field_errors import field_errors
from hq_server.console.lists import show
from hq_server.console.pages import PAGES, PREFIX
from hq_server.console.words import ORDER_STATES
from hq_server.programme import orders as O
from hq_server.programme.listing import Page
from hq_server.programme.refusals import BadField
from hq_server.web import flash
from hq_server.web.i18n import N_
from hq_server.web.listing import Column
from hq_server.web.staff import StaffForm, staff_form, staff_page

BASE = PREFIX + "/orders"
WORK = R.MEMBERS  # customer service
READ = R.MEMBERS_READ | R.CATALOGUE
router = APIRouter(prefix=BASE, include_in_schema=False)
Reader = Annotated[Staff, Depends(staff_page(READ))]
Worker = Annotated[StaffForm, Depends(staff_form(WORK))]
nav.add(BASE, N_("Online orders"), READ)

STATES = ORDER_STATES
MODES = {O.PICKUP: N_("Pickup at a store"), O.DELIVERY: N_("Delivery")}
COLUMNS = [
    Column("created_at", N_("Ordered at"), "time"),
    Column("order_id", N_("Order"), "code", sortable=False, link=lambda r: f"{BASE}/{r['order_id']}"),
    Column("gift_name", N_("Gift"), sortable=False),
    Column("qty", N_("Quantity"), "points", sortable=False),
    Column("points", N_("Points"), "points", sortable=False),
    Column("mode_text", N_("Mode"), "word", sortable=False),
    Column("location", N_("From"), "word", sortable=False),
    Column("status", N_("State"), "word"),
    Column("tracking_no", N_("Tracking number"), "code", sortable=False),
    Column("member_id", N_("Member"), "id", sortable=False),
]


def _worded(page: Page, gettext: Callable[[str], str]) -> Page:
    return Page([{**r, "status": gettext(STATES.get(r["status"], r["status"])),
                  "mode_text": gettext(MODES.get(r["mode"], r["mode"]))} for r in page.rows], page.total, page.query)


@router.get("")
def orders(request: Request, _who: Reader) -> Response:
    db = request.app.state.db
    gettext = PAGES.gettext(request)
    return show(request, title=N_("Online orders"), columns=COLUMNS, filename="orders",
                fetch=lambda q: _worded(O.orders_page(db, q), gettext),
                search_hint=N_("order id, tracking number or member id"),
                filters=[("status", N_("State"), [(k, gettext(v)) for k, v in STATES.items() if k != O.PICKED_UP]),
                         ("mode", N_("Mode"), [(k, gettext(v)) for k, v in MODES.items()]),
                         ("location", N_("From"), None), ("gift_id", N_("Gift"), None)])


def _page(request: Request, who: Staff, order_id: str, *, status: int = 200, errors: dict[str, str] | None = None,
          typed: dict[str, Any] | None = None) -> Response:
    order = O.order(request.app.state.db, order_id)
    return PAGES.render(request, "console/order.html", {
        "o": order, "states": STATES, "modes": MODES, "may_work": who.may(WORK), "errors": errors or {},
        "typed": typed or {}}, status=status)


@router.get("/{order_id}")
def order(order_id: str, request: Request, who: Reader) -> Response:
    return _page(request, who, order_id)


def _back(request: Request, order_id: str, text: str, **params: Any) -> Response:
    return flash.redirect(request, f"{BASE}/{order_id}", text, **params)


@router.post("/{order_id}/pick")
def pick(order_id: str, request: Request, posted: Worker) -> Response:
    O.pick_order(request.app.state.db, actor_of(posted.who), order_id, now=now())
    return _back(request, order_id, N_("Picking started."))


@router.post("/{order_id}/ship")
def ship(order_id: str, request: Request, posted: Worker) -> Response:
    typed = {"carrier": posted.text("carrier", 60), "tracking_no": posted.text("tracking_no", 80)}
    try:
        O.ship_order(request.app.state.db, actor_of(posted.who), order_id, now=now(), **typed)
    except BadField as bad:
        return _page(request, posted.who, order_id, status=bad.status, errors=field_errors(bad), typed=typed)
    return _back(request, order_id, N_("Shipped with %(carrier)s %(no)s: the points are redeemed."),
                 carrier=typed["carrier"], no=typed["tracking_no"])


@router.post("/{order_id}/delivered")
def delivered(order_id: str, request: Request, posted: Worker) -> Response:
    O.mark_delivered(request.app.state.db, actor_of(posted.who), order_id, now=now())
    return _back(request, order_id, N_("Marked delivered."))


@router.post("/{order_id}/cancel")
def cancel(order_id: str, request: Request, posted: Worker) -> Response:
    typed = {"reason": posted.text("reason", 400)}
    try:
        done = O.cancel_order(request.app.state.db, order_id, actor=actor_of(posted.who), reason=typed["reason"],
                              now=now())
    except BadField as bad:
        return _page(request, posted.who, order_id, status=bad.status, errors=field_errors(bad), typed=typed)
    return _back(request, order_id, N_("Cancelled: %(points)s points are back with the member."), points=done.points)
