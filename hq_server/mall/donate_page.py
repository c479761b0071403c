"""Donating points to a charity HQ lists (programme.charities, programme.donations), and the member's
donations so far."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from hq_server.auth import now
from hq_server.errors import HQProblem
from hq_server.mall import words
from hq_server.mall.member import MemberForm, member_form, member_page
from hq_server.mall.pages import PAGES, PREFIX
from hq_server.programme.charities import charities
from hq_server.programme.donations import MAX_DONATION, donate, donations_of
from hq_server.programme.member_sessions import MemberSession
from hq_server.programme.statement import card
from hq_server.web import flash

router = APIRouter(include_in_schema=False)  # under PREFIX (pages.mount)
PRESETS = (10, 50, 100, 500)


def _page(request: Request, who: MemberSession, *, status: int = 200, error: str | None = None, chosen: str = "",
          points: str = "") -> Response:
    state = request.app.state
    listed = charities(state.db)
    names = {c.key: c for c in charities(state.db, listed_only=False)}
    return PAGES.render(request, "mall/donate.html", {
        "member": card(state.db, who.member_id, now()), "here": "/m/donate",
        "charities": listed, "names": names, "donations": donations_of(state.db, who.member_id),
        "presets": PRESETS, "max_points": MAX_DONATION, "chosen": chosen or (listed[0].key if len(listed) == 1 else ""),
        "points": points, "error": error, "error_hint": words.hint(error) if error else None}, status=status)


@router.get("/donate")
def donate_page(request: Request, who: MemberSession = Depends(member_page)) -> Response:
    return _page(request, who)


@router.post("/donate")
async def give(request: Request, posted: MemberForm = Depends(member_form)) -> Response:
    state = request.app.state
    chosen, points = posted.text("charity", 40), posted.text("points", 20)
    try:
        got = await run_in_threadpool(donate, state.db, posted.who.member_id, chosen, points, now())
    except HQProblem as p:
        return await run_in_threadpool(_page, request, posted.who, status=p.status, error=p.code, chosen=chosen, points=points)
    response = RedirectResponse(PREFIX + "/donate", status_code=303)
    flash.add(response, request, request.state.session_secret, "ok", words.DONATED, n=got.points)
    return response
