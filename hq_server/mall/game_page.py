"""The points game "grab the rice" (programme.points_game): the rules HQ set and the plays left today; a
play starts at HQ (a signed ticket), runs on the page (static/mall/rice_game.js) and ends by sending
what it caught with the ticket; HQ counts the award. Each step redirects, so a reload repeats nothing."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from hq_server.auth import now
from hq_server.errors import HQProblem
from hq_server.mall import words
from hq_server.mall.member import MemberForm, member_form, member_page
from hq_server.mall.pages import PAGES, PREFIX
from hq_server.programme.member_sessions import MemberSession
from hq_server.programme.points_game import Play, finish_play, game_day, open_play, start_play

router = APIRouter(include_in_schema=False)  # under PREFIX (pages.mount)


def _page(request: Request, who: MemberSession, *, status: int = 200, error: str | None = None) -> Response:
    state = request.app.state
    return PAGES.render(request, "mall/game.html", {
        "member": who, "here": "/m/game",
        "day": game_day(state.db, who.member_id, now()), "error": error,
        "error_hint": words.hint(error) if error else None}, status=status)


@router.get("/game")
def game_page(request: Request, who: MemberSession = Depends(member_page)) -> Response:
    return _page(request, who)


@router.post("/game/start")
async def start(request: Request, posted: MemberForm = Depends(member_form)) -> Response:
    try:
        play = await run_in_threadpool(start_play, request.app.state.db, posted.who.member_id, now())
    except HQProblem as p:
        return await run_in_threadpool(_page, request, posted.who, status=p.status, error=p.code)
    return RedirectResponse(f"{PREFIX}/game/play/{play.play_id}", status_code=303)


@router.get("/game/play/{play_id}")
def play_page(request: Request, play_id: str, who: MemberSession = Depends(member_page)) -> Response:
    state = request.app.state
    got = open_play(state.db, who.member_id, play_id)
    template = "mall/game_play.html" if isinstance(got, Play) else "mall/game_result.html"
    return PAGES.render(request, template, {
        "member": who, "here": "/m/game", "got": got,
        "day": game_day(state.db, who.member_id, now())})


@router.post("/game/finish")
async def finish(request: Request, posted: MemberForm = Depends(member_form)) -> Response:
    ticket, catches = posted.text("ticket", 100), posted.text("catches", 20)
    try:
        got = await run_in_threadpool(finish_play, request.app.state.db, posted.who.member_id, ticket, catches, now())
    except HQProblem as p:
        return await run_in_threadpool(_page, request, posted.who, status=p.status, error=p.code)
    return RedirectResponse(f"{PREFIX}/game/play/{got.play_id}", status_code=303)
