"""The lottery (programme.lottery_draws): the lotteries open, their prizes and the draws left today; a
draw answers with a redirect to its result, which shows the prize (never the seed)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from hq_server.auth import now
from hq_server.errors import HQProblem
from hq_server.mall import words
from hq_server.mall.member import MemberForm, member_form, member_page
from hq_server.mall.pages import PAGES, PREFIX
from hq_server.programme.lottery_draws import draw_lottery, drawn, lotteries_open
from hq_server.programme.member_sessions import MemberSession
from hq_server.programme.statement import card

router = APIRouter(include_in_schema=False)  # under PREFIX (pages.mount)


def _page(request: Request, who: MemberSession, *, status: int = 200, error: str | None = None) -> Response:
    state = request.app.state
    return PAGES.render(request, "mall/lottery.html", {
        "member": card(state.db, who.member_id, now()), "here": "/m/lottery",
        "offers": lotteries_open(state.db, who.member_id, now(), state.mall.lottery_draws_per_day),
        "error": error, "error_hint": words.hint(error) if error else None}, status=status)


@router.get("/lottery")
def lottery_page(request: Request, who: MemberSession = Depends(member_page)) -> Response:
    return _page(request, who)


@router.post("/lottery/draw")
async def draw(request: Request, posted: MemberForm = Depends(member_form)) -> Response:
    state = request.app.state
    lottery_id = posted.text("lottery", 64)
    try:
        got = await run_in_threadpool(draw_lottery, state.db, posted.who.member_id, lottery_id, now(),
                                      state.mall.lottery_draws_per_day)
    except HQProblem as p:
        return await run_in_threadpool(_page, request, posted.who, status=p.status, error=p.code)
    return RedirectResponse(f"{PREFIX}/lottery/drawn/{got.event_id}", status_code=303)


@router.get("/lottery/drawn/{event_id}")
def drawn_page(request: Request, event_id: str, who: MemberSession = Depends(member_page)) -> Response:
    state = request.app.state
    got = drawn(state.db, who.member_id, event_id)
    if got is None:
        raise HQProblem(404, "not_found", "no draw of yours with this id")
    offers = [o for o in lotteries_open(state.db, who.member_id, now(), state.mall.lottery_draws_per_day)
              if o.lottery.lottery_id == got.lottery_id]
    return PAGES.render(request, "mall/lottery_drawn.html", {
        "member": card(state.db, who.member_id, now()), "here": "/m/lottery", "got": got,
        "offer": offers[0] if offers else None})
