"""Stores and tills: the store list, a new store (the chain's admin), a store's tills with their last
sync, events waiting and offline window left, an enrolment token shown as a QR the till's scanner
types into its enrolment form, revoking a till. A store manager sees only their own store."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from hq_server import roles as R
from hq_server.auth import Staff, now
from hq_server.console import nav
from hq_server.console.actor import actor_of
from hq_server.console.field_errors import field_errors
from hq_server.console.lists import show
from hq_server.console.pages import PAGES, PREFIX
from hq_server.programme import store_admin, store_staff
from hq_server.programme.listing import ListQuery
from hq_server.programme.refusals import BadField
from hq_server.web import flash
from hq_server.web.i18n import N_
from hq_server.web.listing import Column
from hq_server.web.qr import qr_svg
from hq_server.web.staff import StaffForm, staff_form, staff_page

router = APIRouter(prefix=PREFIX + "/stores", include_in_schema=False)
# operators read every store too: they set its offline limits
Reader = Annotated[Staff, Depends(staff_page(R.STORES | R.CATALOGUE))]
StoreForm = Annotated[StaffForm, Depends(staff_form(R.STORES))]
AdminForm = Annotated[StaffForm, Depends(staff_form(R.USERS))]
nav.add(PREFIX + "/stores", N_("Stores and tills"), R.STORES | R.CATALOGUE)

COLUMNS = [
    Column("store_id", N_("Store"), link=lambda r: f"{PREFIX}/stores/{r['store_id']}"),
    Column("name", N_("Name")),
    Column("tills", N_("Tills"), "points"),
    Column("last_seen", N_("Last sync"), "time"),
    Column("created_at", N_("Created"), "time"),
]


@router.get("")
def stores(request: Request, who: Reader) -> Response:
    db = request.app.state.db
    return show(request, title=N_("Stores and tills"), columns=COLUMNS, filename="stores",
                fetch=lambda q: store_admin.find(db, who, q), search_hint=N_("store id or name"),
                template="console/stores.html", extra=_stores_extra(request, who))


def _stores_extra(request: Request, who: Staff, errors: dict[str, str] | None = None,
                  typed: dict[str, Any] | None = None) -> dict[str, Any]:
    may_set = who.may(R.CATALOGUE)
    return {"may_create": who.may(R.USERS), "errors": errors or {}, "typed": typed or {}, "may_set_limits": may_set,
            "chain_limits": store_admin.chain_limits(request.app.state.db) if may_set else None}


@router.post("/chain-offline-limits")
def chain_limits(request: Request, posted: Annotated[StaffForm, Depends(staff_form(R.CATALOGUE))]) -> Response:
    form = {k: posted.text(k, 20) for k in store_admin.LIMIT_FIELDS}
    try:
        store_admin.set_offline_limits(request.app.state.db, actor_of(posted.who), None, form, now())
    except BadField as bad:
        return _stores_again(request, posted.who, bad, {"limits": form})
    return flash.redirect(request, f"{PREFIX}/stores",
                          N_("The chain's offline limits are saved: every till gets them at its next sync."))


@router.post("/create")
def create(request: Request, posted: AdminForm) -> Response:
    typed = {"store_id": posted.text("store_id", 36), "name": posted.text("name", 80)}
    try:
        store_admin.create(request.app.state.db, actor_of(posted.who), typed["store_id"], typed["name"], now())
    except BadField as bad:
        return _stores_again(request, posted.who, bad, typed)
    response = RedirectResponse(f"{PREFIX}/stores/{typed['store_id']}", status_code=303)
    flash.add(response, request, request.state.session_secret, "ok", N_("Store %(id)s created."), id=typed["store_id"])
    return response


def _stores_again(request: Request, who: Staff, bad: BadField, typed: dict[str, Any]) -> Response:
    page = store_admin.find(request.app.state.db, who, ListQuery())
    return PAGES.render(request, "console/stores.html", {
        "title": N_("Stores and tills"), "page": page, "columns": COLUMNS, "filters": [], "search_hint": "",
        **_stores_extra(request, who, field_errors(bad), typed)}, status=bad.status)


def _store_page(request: Request, who: Staff, store_id: str, *, token: dict[str, Any] | None = None, status: int = 200,
                errors: dict[str, str] | None = None, typed: dict[str, Any] | None = None) -> Response:
    store = store_admin.store(request.app.state.db, who, store_id, now())
    if typed is None:  # "change" on a staff row opens the form with that person's name and role
        chosen = request.query_params.get("staff")
        typed = next(({**p, "active": "yes" if p["active"] else ""} for p in store["staff"]
                      if p["staff_id"] == chosen), {"active": "yes"})
    return PAGES.render(request, "console/store.html", {
        "store": store, "token": token, "may_set_limits": who.may(R.CATALOGUE),
        "may_work_tills": who.manages(store_id), "errors": errors or {}, "typed": typed,
        "till_roles": STAFF_ROLES}, status=status)


STAFF_ROLES = [("cashier", N_("Cashier")), ("manager", N_("Store's manager")), ("admin", N_("Store admin"))]


@router.post("/{store_id}/staff")
def save_staff(store_id: str, request: Request, posted: StoreForm) -> Response:
    typed = {k: posted.text(k, 60) for k in ("staff_id", "name", "role", "pin", "active")}
    try:
        store_staff.save_staff(request.app.state.db, actor_of(posted.who), store_id, typed["staff_id"],
                               name=typed["name"], role=typed["role"], pin=typed["pin"] or None,
                               active=typed["active"] == "yes", now=now())
    except BadField as bad:
        return _store_page(request, posted.who, store_id, status=bad.status, errors=field_errors(bad),
                           typed={**typed, "pin": ""})
    return flash.redirect(request, f"{PREFIX}/stores/{store_id}#staff",
                          N_("%(name)s saved: the store's tills get it at their next sync."), name=typed["name"])


@router.get("/{store_id}")
def store(store_id: str, request: Request, who: Reader) -> Response:
    return _store_page(request, who, store_id)


@router.post("/{store_id}/offline-limits")
def store_limits(store_id: str, request: Request, posted: Annotated[StaffForm, Depends(staff_form(R.CATALOGUE))]
                 ) -> Response:
    form = {k: posted.text(k, 20) for k in store_admin.LIMIT_FIELDS}
    try:
        store_admin.set_offline_limits(request.app.state.db, actor_of(posted.who), store_id, form, now())
    except BadField as bad:
        return _store_page(request, posted.who, store_id, status=bad.status, errors=field_errors(bad))
    response = RedirectResponse(f"{PREFIX}/stores/{store_id}", status_code=303)
    flash.add(response, request, request.state.session_secret, "ok",
              N_("Offline limits saved: the store's tills get them at their next sync."))
    return response


@router.post("/{store_id}/enrolment-token")
def token(store_id: str, request: Request, posted: StoreForm) -> Response:
    hours = posted.text("hours", 4)
    made = store_admin.enrolment_token(request.app.state.db, posted.who, store_id,
                                       int(hours) if hours.isdigit() else 0, now())
    # shown once, on this answer only (never in a redirect's address or a cookie)
    return _store_page(request, posted.who, store_id,
                       token={**made, "qr": qr_svg(made["token"]), "hq_url": str(request.base_url).rstrip("/")})


@router.post("/tills/{device_id}/revoke")
def revoke(device_id: str, request: Request, posted: StoreForm) -> Response:
    store_id = store_admin.revoke_till(request.app.state.db, posted.who, device_id, now())
    response = RedirectResponse(f"{PREFIX}/stores/{store_id}", status_code=303)
    flash.add(response, request, request.state.session_secret, "ok", N_("The till is revoked: it can no longer sync."))
    return response
