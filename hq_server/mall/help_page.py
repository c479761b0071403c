"""Help: how points work, and a message to customer service that becomes a ticket in HQ's console
(programme.help_tickets); the member's earlier messages with their answers."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from hq_server.auth import now
from hq_server.errors import HQProblem
from hq_server.mall import words
from hq_server.mall.member import MemberForm, member_form, member_page
from hq_server.mall.pages import PAGES, PREFIX
from hq_server.programme import help_tickets as H
from hq_server.programme.member_sessions import MemberSession
from hq_server.web import flash

router = APIRouter(include_in_schema=False)  # under PREFIX (pages.mount)


def _page(request: Request, who: MemberSession, *, status: int = 200, error: str | None = None, topic: str = "",
          message: str = "") -> Response:
    state = request.app.state
    return PAGES.render(request, "mall/help.html", {
        "member": who, "here": "/m/help",
        "tickets": H.member_tickets(state.db, who.member_id), "topics": H.TOPICS, "error": error,
        "error_hint": words.hint(error) if error else None, "topic": topic, "message": message,
        "max_message": H.MAX_MESSAGE}, status=status)


@router.get("/help")
def help_page(request: Request, who: MemberSession = Depends(member_page)) -> Response:
    return _page(request, who)


@router.post("/help")
async def send_message(request: Request, posted: MemberForm = Depends(member_form)) -> Response:
    topic, message = posted.text("topic", 20), posted.text("message", H.MAX_MESSAGE + 100)
    try:
        await run_in_threadpool(lambda: H.open_ticket(request.app.state.db, posted.who.member_id, topic=topic,
                                                      message=message, now=now()))
    except HQProblem as p:
        return await run_in_threadpool(_page, request, posted.who, status=p.status, error=p.code, topic=topic, message=message)
    response = RedirectResponse(PREFIX + "/help", status_code=303)
    flash.add(response, request, request.state.session_secret, "ok", words.MESSAGE_SENT)
    return response
