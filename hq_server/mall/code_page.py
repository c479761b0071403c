"""The member code, full screen (DESIGN.md 4): the phone makes and signs it (static/mall/membercode.js);
this page hands it the member's id and card, whether HQ holds this phone's key, and registers the key
(programme.phone_keys) when the phone makes one. The static card code is the fallback."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from hq_server.auth import now
from hq_server.errors import HQProblem
from hq_server.mall import words
from hq_server.mall.member import MemberForm, member_form, member_page
from hq_server.mall.pages import PAGES
from hq_server.programme.member_sessions import MemberSession
from hq_server.programme.phone_keys import register_phone_key
from hq_server.programme.statement import card

router = APIRouter(include_in_schema=False)  # under PREFIX (pages.mount)


@router.get("/code")
def code_page(request: Request, who: MemberSession = Depends(member_page)) -> Response:
    state = request.app.state
    data = card(state.db, who.member_id, now())
    return _no_store(PAGES.render(request, "mall/code.html", {
        "member": data, "here": "/m/code", "fresh": who.fresh(now(), state.mall.fresh_minutes)}))


def _no_store(response: Response) -> Response:
    # the browser's HTTP cache must not keep a member's page; the service worker keeps its own copy
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/phone-key")
async def phone_key(request: Request, posted: MemberForm = Depends(member_form)) -> Response:
    """Called by the code page's script (fetch): JSON in both directions, a problem's hint translated."""
    state = request.app.state
    try:
        kid = await run_in_threadpool(lambda: register_phone_key(
            state.db, state.mall, posted.who, public_key=posted.text("public_key", 64), proof=posted.text("proof", 400),
            now=now()))
    except HQProblem as p:
        _ = PAGES.gettext(request)
        return JSONResponse({"code": p.code, "message": _(words.hint(p.code))}, status_code=p.status)
    return JSONResponse({"key_id": kid})
