"""Invitations: the member's invitation link and its QR, who joined with it and what each brought
(programme.referrals)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from hq_server.mall.member import member_page
from hq_server.mall.pages import PAGES, PREFIX
from hq_server.programme.member_sessions import MemberSession
from hq_server.programme.referrals import referrals

router = APIRouter(include_in_schema=False)  # under PREFIX (pages.mount)


@router.get("/invite")
def invite_page(request: Request, who: MemberSession = Depends(member_page)) -> Response:
    state = request.app.state
    got = referrals(state.db, who.member_id)
    link = str(request.base_url).rstrip("/") + f"{PREFIX}/join?ref={got.referral_code}"
    return PAGES.render(request, "mall/invite.html", {"member": who, "here": "/m/invite", "got": got, "link": link})
