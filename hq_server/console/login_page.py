"""Signing in and out of the console: the same throttled login as the API (hq_server.login), its
session kept in an HttpOnly cookie."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from hq_server import admin_users
from hq_server.auth import now, session_staff
from hq_server.console.pages import PAGES, PREFIX
from hq_server.errors import HQProblem
from hq_server.login import Login, client_address
from hq_server.web import csrf
from hq_server.web.cookies import clear_cookie, set_cookie
from hq_server.web.faces import safe_next
from hq_server.web.staff import COOKIE, _signed_in

router = APIRouter(prefix=PREFIX, include_in_schema=False)


def address_of(request: Request) -> str:
    peer = request.client.host if request.client else None
    return client_address(peer, request.headers.get("x-forwarded-for"), request.app.state.settings.trusted_proxies)


def _form(request: Request, *, status: int = 200, error: str | None = None, username: str = "",
          next_: str | None = None) -> Response:
    secret = csrf.pre_session_secret(request)
    request.state.session_secret = None
    return PAGES.render(request, "console/login.html", {"error": error, "username": username,
                                                        "login_csrf": csrf.token_for(secret),
                                                        "next": safe_next(next_, PREFIX + "/")}, status=status)


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    token = request.cookies.get(COOKIE)
    if token and session_staff(request.app.state.db, token):
        return RedirectResponse(safe_next(next, PREFIX + "/"), status_code=303)
    return _form(request, next_=next)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    username, password = str(form.get("username") or "").strip(), str(form.get("password") or "")
    next_ = str(form.get("next") or "")
    if not csrf.matches(request.cookies.get(csrf.PRE_COOKIE), str(form.get(csrf.FIELD) or "")):
        return _form(request, status=403, error="stale_form", username=username, next_=next_)
    if not username or not password or len(username) > 40 or len(password) > 200:
        return _form(request, status=422, error="missing", username=username, next_=next_)
    state = request.app.state
    use = Login(state.db, state.settings, state.hash_gate)
    try:
        session = await run_in_threadpool(use.login, username, password, address_of(request), now())
    except HQProblem as p:
        return _form(request, status=p.status, error=p.code, username=username, next_=next_)
    response = RedirectResponse(safe_next(next_, PREFIX + "/"), status_code=303)
    set_cookie(response, request, COOKIE, session.token, max_age=int((session.expires_at - now()).total_seconds()))
    clear_cookie(response, request, csrf.PRE_COOKIE)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    who = _signed_in(request)
    await csrf.checked_form(request, request.state.session_secret)
    admin_users.logout(request.app.state.db, who.token_hash)
    response = RedirectResponse(PREFIX + "/login", status_code=303)
    clear_cookie(response, request, COOKIE)
    return response
