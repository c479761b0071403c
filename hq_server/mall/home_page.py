"""The mall's home: points per type, tier and what is left to the next, points expiring soon, and how
to earn and use points (programme.statement.home)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from hq_server.auth import now
from hq_server.mall.member import member_page
from hq_server.mall.pages import PAGES
from hq_server.programme.member_sessions import MemberSession
from hq_server.programme.statement import home

router = APIRouter(include_in_schema=False)  # under PREFIX (pages.mount)


@router.get("/")
def home_page(request: Request, who: MemberSession = Depends(member_page)) -> Response:
    state = request.app.state
    data = home(state.db, who.member_id, now(), state.mall.expiring_days)
    return PAGES.render(request, "mall/home.html", {"member": data, "here": "/m/"})
