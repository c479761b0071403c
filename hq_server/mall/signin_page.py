"""Signing in to the mall with a phone number and an SMS code (programme.sms, programme.member_signin):
a new phone registers a member, a phone registered at a counter claims its member. Also signing out,
and the invitation link (/m/join?ref=<referral code>) that brings a friend to the sign-in form."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from hq_server.auth import now
from hq_server.errors import HQProblem
from hq_server.mall.member import COOKIE, MemberForm, address_of, member_form, signed_in
from hq_server.mall.pages import PAGES, PREFIX
from hq_server.programme import sms
from hq_server.programme.member_sessions import log_out
from hq_server.programme.member_signin import sign_in
from hq_server.web import csrf
from hq_server.web.cookies import clear_cookie, set_cookie
from hq_server.web.faces import safe_next

router = APIRouter(include_in_schema=False)  # under PREFIX (pages.mount)
MAX_FIELD = 40


def _form(request: Request, *, step: str = "phone", status: int = 200, error: str | None = None, phone: str = "",
          ref: str = "", next_: str | None = None, bye: bool = False) -> Response:
    secret = csrf.pre_session_secret(request)
    state = request.app.state
    return PAGES.render(request, "mall/signin.html", {
        "step": step, "error": error, "phone": phone, "ref": ref, "next": safe_next(next_, PREFIX + "/"),
        "login_csrf": csrf.token_for(secret), "bye": bye, "dev_sms": state.sms.provider == "dev",
        "resend_s": state.sms.resend_s, "member": None}, status=status)


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip()[:MAX_FIELD] if isinstance(value, str) else ""


@router.get("/login")
def login_form(request: Request, next: str | None = None, ref: str = "", bye: bool = False,
               again: bool = False) -> Response:
    """The phone form. `again`: a signed-in member confirming with a new code (to turn on the code)."""
    if not again and signed_in(request) is not None:
        return RedirectResponse(safe_next(next, PREFIX + "/"), status_code=303)
    request.state.session_secret = None
    return _form(request, next_=next, ref=ref[:MAX_FIELD], bye=bye)


@router.get("/join")
def join(ref: str = "") -> Response:
    return RedirectResponse(f"{PREFIX}/login?ref={ref[:MAX_FIELD]}", status_code=303)


async def _posted(request: Request) -> FormData:
    form = await request.form()
    request.state.session_secret = None
    if not csrf.matches(request.cookies.get(csrf.PRE_COOKIE), str(form.get(csrf.FIELD) or "")):
        raise HQProblem(403, "stale_form", "the sign-in form was out of date")
    return form


@router.post("/login/code")
async def send_code(request: Request) -> Response:
    form = await _posted(request)
    phone, ref, next_ = _field(form, "phone"), _field(form, "ref"), _field(form, "next") or None
    state = request.app.state
    try:
        sent = await run_in_threadpool(sms.request_code, state.db, state.sms, state.sms_sender, phone,
                                       address_of(request), now())
    except HQProblem as p:
        if p.code == "sms_too_soon":  # a code is on its way: let them type it
            return _form(request, step="code", status=429, error=p.code, phone=phone, ref=ref, next_=next_)
        return _form(request, status=p.status, error=p.code, phone=phone, ref=ref, next_=next_)
    return _form(request, step="code", phone=sent.phone, ref=ref, next_=next_)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await _posted(request)
    phone, code, ref = _field(form, "phone"), _field(form, "code"), _field(form, "ref")
    next_ = safe_next(_field(form, "next") or None, PREFIX + "/")
    state = request.app.state
    try:
        got = await run_in_threadpool(lambda: sign_in(state.db, state.mall, sms.CodeCheck(state.sms), phone=phone,
                                                      code=code, address=address_of(request), now=now(),
                                                      referral_code=ref or None))
    except HQProblem as p:
        step = "phone" if p.code in ("invalid_phone", "code_expired", "no_code") else "code"
        return _form(request, step=step, status=p.status, error=p.code, phone=phone, ref=ref, next_=next_)
    response = RedirectResponse(next_, status_code=303)
    set_cookie(response, request, COOKIE, got.token, max_age=state.mall.session_days * 86400, path=PREFIX)
    clear_cookie(response, request, csrf.PRE_COOKIE)
    return response


@router.post("/logout")
async def logout(request: Request, posted: MemberForm = Depends(member_form)) -> Response:
    await run_in_threadpool(log_out, request.app.state.db, posted.who)
    response = RedirectResponse(PREFIX + "/login?bye=1", status_code=303)
    clear_cookie(response, request, COOKIE, path=PREFIX)
    return response
