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


def _field(posted: MemberForm, name: str, most: int, code: str) -> str:
    """The field as typed; one longer than the form takes is the use case's own refusal of it (`code`),
    so the member reads on the form what to write, not a bare "too long" page that loses the message."""
    try:
        return posted.text(name, most)
    except HQProblem:
        raise HQProblem(422, code, f"the {name} is at most {most} characters") from None


@router.post("/help")
async def send_message(request: Request, posted: MemberForm = Depends(member_form)) -> Response:
    # what the member typed goes back into the form with the refusal (the textarea's own limit, at most)
    typed = {k: v[:H.MAX_MESSAGE] if isinstance(v := posted.form.get(k), str) else "" for k in ("topic", "message")}
    try:
        topic = _field(posted, "topic", 20, "invalid_topic")
        message = _field(posted, "message", H.MAX_MESSAGE + 100, "invalid_message")
        await run_in_threadpool(lambda: H.open_ticket(request.app.state.db, posted.who.member_id, topic=topic,
                                                      message=message, now=now()))
    except HQProblem as p:
        return await run_in_threadpool(_page, request, posted.who, status=p.status, error=p.code,
                                       topic=typed["topic"].strip(), message=typed["message"].strip())
    response = RedirectResponse(PREFIX + "/help", status_code=303)
    flash.add(response, request, request.state.session_secret, "ok", words.MESSAGE_SENT)
    return response
