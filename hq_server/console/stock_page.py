"""Gift stock per location: every location's count (the warehouse "hq" and the stores), allot stock
to a location (goods received, or a count corrected) and move stock between locations, and the
history of the counts. Operators work on every location; a store manager sees and works on their own
store only (the use case checks it too)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from hq_server import roles as R
from hq_server.auth import Staff, now
from hq_server.console import nav
from hq_server.console.actor import actor_of
from hq_server.console.field_errors import field_errors
from hq_server.console.lists import Filter, show
from hq_server.console.pages import PAGES, PREFIX
from hq_server.programme import catalogue_admin, stock
from hq_server.programme.listing import ListQuery, Page
from hq_server.programme.refusals import BadField
from hq_server.roles import StaffRole
from hq_server.programme.stock import WAREHOUSE
from hq_server.web import flash
from hq_server.web.i18n import N_
from hq_server.web.listing import Column, list_query
from hq_server.web.staff import StaffForm, staff_form, staff_page

BASE = PREFIX + "/stock"
WORK = R.CATALOGUE | R.STORES  # operators; a store manager for their own store
READ = R.CATALOGUE_READ
router = APIRouter(prefix=BASE, include_in_schema=False)
Reader = Annotated[Staff, Depends(staff_page(READ))]
Worker = Annotated[StaffForm, Depends(staff_form(WORK))]
nav.add(BASE, N_("Gift stock"), READ)

COLUMNS = [
    Column("location", N_("Location")),
    Column("gift_id", N_("Gift"), "code"),
    Column("gift_name", N_("Name"), sortable=False),
    Column("qty", N_("In stock"), "points"),
]
MOVES = [
    Column("at", N_("Time"), "time"),
    Column("location", N_("Location")),
    Column("gift_id", N_("Gift"), "code"),
    Column("delta", N_("Change"), "points", sortable=False),
    Column("qty_after", N_("Then in stock"), "points", sortable=False),
    Column("reason_text", N_("Why"), sortable=False),
    Column("by", N_("By"), sortable=False),
    Column("note", N_("Note"), sortable=False),
    Column("ref", N_("Reference"), "code", sortable=False),
]
REASONS = {"allot": N_("Allotted"), "move_out": N_("Sent"), "move_in": N_("Received"), "redeem": N_("Redeemed"),
           "void": N_("Redemption voided"), "reserve": N_("Reserved by an online order"),
           "release": N_("Released by a cancelled order"), "pickup": N_("Picked up"), "return": N_("Returned")}


def _own(who: Staff, query: ListQuery) -> ListQuery:
    """A store manager's lists hold their own store's rows only, whatever the address asks."""
    if who.role != StaffRole.STORE_MANAGER:
        return query
    return ListQuery(query.page, query.per, query.sort, query.desc, query.q,
                     {**query.filters, "location": who.store_id or "-"})


def _choices(request: Request, who: Staff) -> dict[str, Any]:
    db = request.app.state.db
    gifts = [(g["key"], g.get("name", g["key"])) for g in catalogue_admin.find(db, "gift", ListQuery(per=200)).rows]
    stores = stock.store_locations(db)  # a store manager sends to any store too
    mine = [who.store_id] if who.role == StaffRole.STORE_MANAGER else [WAREHOUSE, *[s for s, _ in stores]]
    return {"gifts": gifts, "locations": [(WAREHOUSE, PAGES.gettext(request)(N_("Warehouse"))), *stores],
            "mine": mine}


def _list(request: Request, who: Staff, *, status: int = 200, errors: dict[str, str] | None = None,
          typed: dict[str, Any] | None = None) -> Response:
    db = request.app.state.db
    extra = {"may_work": who.may(WORK), "errors": errors or {}, "typed": typed or {}, **_choices(request, who)}
    if status != 200:  # a refused form: the list as it was, the form with what was typed and the wrong field
        page = stock.stock_levels_page(db, _own(who, list_query(request, filters=["gift_id", "location", "short"])))
        return PAGES.render(request, "console/stock.html", {
            "title": N_("Gift stock"), "page": page, "columns": COLUMNS, "filters": _filters(request, who),
            "search_hint": N_("first letters of a gift or location id"), **extra}, status=status)
    return show(request, title=N_("Gift stock"), columns=COLUMNS, filename="stock",
                fetch=lambda q: stock.stock_levels_page(db, _own(who, q)),
                search_hint=N_("first letters of a gift or location id"), filters=_filters(request, who),
                template="console/stock.html", extra=extra)


def _filters(request: Request, who: Staff) -> list[Filter]:
    gettext = PAGES.gettext(request)
    found: list[Filter] = [("gift_id", N_("Gift"), None)]
    if who.role != StaffRole.STORE_MANAGER:
        found.append(("location", N_("Location"), None))
    return [*found, ("short", N_("Stock"), [("yes", gettext(N_("None left")))])]


@router.get("")
def levels(request: Request, who: Reader) -> Response:
    return _list(request, who)


@router.get("/moves")
def moves(request: Request, who: Reader) -> Response:
    db = request.app.state.db
    gettext = PAGES.gettext(request)

    def fetch(q: ListQuery) -> Page:
        page = stock.stock_moves_page(db, _own(who, q))
        return Page([{**r, "reason_text": gettext(REASONS.get(r["reason"], r["reason"]))} for r in page.rows],
                    page.total, page.query)
    return show(request, title=N_("Stock history"), columns=MOVES, filename="stock-moves", fetch=fetch,
                search_hint=N_("transfer, order or redemption id"),
                filters=[("gift_id", N_("Gift"), None),
                         *([] if who.role == StaffRole.STORE_MANAGER else [("location", N_("Location"), None)]),
                         ("reason", N_("Why"), [(k, gettext(v)) for k, v in REASONS.items()])],
                template="console/stock_moves.html")


def _done(request: Request, text: str, **params: Any) -> Response:
    return flash.redirect(request, BASE, text, **params)


@router.post("/allot")
def allot(request: Request, posted: Worker) -> Response:
    typed = {k: posted.text(k, 200) for k in ("gift_id", "location", "qty", "note")}
    typed["form"] = "allot"
    try:
        level = stock.allot_stock(request.app.state.db, actor_of(posted.who), gift_id=typed["gift_id"],
                                  location=typed["location"], qty=typed["qty"], note=typed["note"], now=now())
    except BadField as bad:
        return _list(request, posted.who, status=bad.status, errors=field_errors(bad), typed=typed)
    return _done(request, N_("%(location)s now holds %(qty)s of %(gift)s."), location=level.location,
                 qty=level.qty, gift=level.gift_id)


@router.post("/move")
def move(request: Request, posted: Worker) -> Response:
    typed = {k: posted.text(k, 200) for k in ("gift_id", "from_location", "to_location", "qty", "note")}
    typed["form"] = "move"
    try:
        there, here = stock.move_stock(request.app.state.db, actor_of(posted.who), gift_id=typed["gift_id"],
                                       from_location=typed["from_location"], to_location=typed["to_location"],
                                       qty=typed["qty"], note=typed["note"], now=now())
    except BadField as bad:
        return _list(request, posted.who, status=bad.status, errors=field_errors(bad), typed=typed)
    return _done(request, N_("Moved: %(from)s now holds %(a)s, %(to)s holds %(b)s of %(gift)s."),
                 **{"from": there.location, "a": there.qty, "to": here.location, "b": here.qty, "gift": here.gift_id})
