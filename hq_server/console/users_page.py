"""Users and roles (the chain's admin alone): the staff list, a user's form (role, store, password,
active), unlock a login lock, end a user's sessions."""

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
from hq_server.console.words import ROLE_NAMES
from hq_server.programme import staff_accounts
from hq_server.programme.listing import ListQuery, Page
from hq_server.programme.refusals import BadField
from hq_server.roles import StaffRole
from hq_server.web import flash
from hq_server.web.i18n import N_
from hq_server.web.listing import Column
from hq_server.web.staff import StaffForm, staff_form, staff_page

router = APIRouter(prefix=PREFIX + "/users", include_in_schema=False)
Admin = Annotated[Staff, Depends(staff_page(R.USERS))]
AdminForm = Annotated[StaffForm, Depends(staff_form(R.USERS))]
nav.add(PREFIX + "/users", N_("Users and roles"), R.USERS)

COLUMNS = [
    Column("username", N_("Username"), link=lambda r: f"{PREFIX}/users/{r['username']}"),
    Column("role", N_("Role")),
    Column("store_id", N_("Store")),
    Column("active", N_("Active"), "bool"),
    Column("locked", N_("Locked"), "bool", sortable=False),
    Column("created_at", N_("Created"), "time"),
]


def _roles(request: Request) -> list[tuple[str, str]]:
    gettext = PAGES.gettext(request)
    return [(str(r), gettext(ROLE_NAMES[r])) for r in StaffRole]


@router.get("")
def users(request: Request, _who: Admin) -> Response:
    db = request.app.state.db
    gettext = PAGES.gettext(request)

    def fetch(q: ListQuery) -> Page:
        page = staff_accounts.find(db, q)
        return type(page)([{**r, "role": gettext(ROLE_NAMES[StaffRole(r["role"])])} for r in page.rows], page.total,
                          page.query)
    return show(request, title=N_("Users and roles"), columns=COLUMNS, filename="users",
                fetch=fetch, search_hint=N_("username"),
                filters=[("role", N_("Role"), _roles(request)),
                         ("active", N_("Active"), [("1", PAGES.gettext(request)(N_("Yes"))),
                                                    ("0", PAGES.gettext(request)(N_("No")))])],
                template="console/users.html")


def _form(request: Request, user: dict[str, Any] | None, *, status: int = 200,
          errors: dict[str, str] | None = None) -> Response:
    return PAGES.render(request, "console/user.html", {
        "user": user, "errors": errors or {}, "roles": _roles(request),
        "stores": staff_accounts.store_choices(request.app.state.db)}, status=status)


@router.get("/new")
def new_user(request: Request, _who: Admin) -> Response:
    return _form(request, None)


@router.get("/{username}")
def edit_user(username: str, request: Request, _who: Admin) -> Response:
    return _form(request, staff_accounts.user(request.app.state.db, username))


@router.post("/save")
def save_user(request: Request, posted: AdminForm) -> Response:
    username = posted.text("username", 40)
    typed: dict[str, Any] = {"username": username, "role": posted.text("role", 20),
                             "store_id": posted.text("store_id", 36) or None,
                             "active": posted.form.get("active") == "1"}
    try:
        staff_accounts.save(request.app.state.db, actor_of(posted.who), username, role=typed["role"],
                            store_id=typed["store_id"], password=posted.text("password", 200) or None,
                            active=typed["active"], now=now())
    except BadField as bad:
        new = posted.form.get("new") == "1"
        stored = {} if new else staff_accounts.user(request.app.state.db, username)
        return _form(request, {**stored, **typed, "new": new}, status=422, errors=field_errors(bad))
    response = RedirectResponse(f"{PREFIX}/users", status_code=303)
    flash.add(response, request, request.state.session_secret, "ok", N_("User %(name)s saved."), name=username)
    return response


@router.post("/{username}/unlock")
def unlock(username: str, request: Request, posted: AdminForm) -> Response:
    staff_accounts.unlock(request.app.state.db, actor_of(posted.who), username, now())
    response = RedirectResponse(f"{PREFIX}/users/{username}", status_code=303)
    flash.add(response, request, request.state.session_secret, "ok", N_("%(name)s can sign in again."), name=username)
    return response


@router.post("/{username}/end-sessions")
def end_sessions(username: str, request: Request, posted: AdminForm) -> Response:
    n = staff_accounts.end_sessions(request.app.state.db, actor_of(posted.who), username, now())
    response = RedirectResponse(f"{PREFIX}/users/{username}", status_code=303)
    flash.add(response, request, request.state.session_secret, "ok", N_("%(n)s sessions ended."), n=n)
    return response
