"""The member's own page: their card, the member code on this phone, the PIN the tills ask for
(programme.member_pin), the language, help, and signing out."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from hq_server.auth import now
from hq_server.errors import HQProblem
from hq_server.mall import words
from hq_server.mall.member import MemberForm, member_form, member_page
from hq_server.mall.pages import PAGES, PREFIX
from hq_server.programme.member_pin import set_pin
from hq_server.programme.member_sessions import MemberSession
from hq_server.programme.statement import card
from hq_server.web import flash

router = APIRouter(include_in_schema=False)  # under PREFIX (pages.mount)


def _page(request: Request, who: MemberSession, *, status: int = 200, error: str | None = None) -> Response:
    state = request.app.state
    return PAGES.render(request, "mall/me.html", {
        "member": card(state.db, who.member_id, now()), "here": "/m/me",
        "fresh": who.fresh(now(), state.mall.fresh_minutes), "error": error,
        "error_hint": words.hint(error) if error else None}, status=status)


@router.get("/me")
def me_page(request: Request, who: MemberSession = Depends(member_page)) -> Response:
    return _page(request, who)


@router.post("/pin")
async def change_pin(request: Request, posted: MemberForm = Depends(member_form)) -> Response:
    state = request.app.state
    new_pin, again = posted.text("new_pin", 20), posted.text("new_pin_again", 20)
    current = posted.text("current_pin", 20) or None
    if new_pin != again:
        return await run_in_threadpool(_page, request, posted.who, status=422, error="pins_differ")
    try:
        await run_in_threadpool(lambda: set_pin(state.db, state.hash_gate, state.mall, posted.who, new_pin=new_pin,
                                                current_pin=current, now=now()))
    except HQProblem as p:
        return await run_in_threadpool(_page, request, posted.who, status=p.status, error=p.code)
    response = RedirectResponse(PREFIX + "/me", status_code=303)
    flash.add(response, request, request.state.session_secret, "ok", words.PIN_SAVED)
    return response
