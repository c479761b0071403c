"""Guides' and agents' page (我的团队): points per type, the team by level (programme.team), withdrawal
requests and their state (programme.withdrawals). A request is keyed by its form, so a double tap asks once."""

from __future__ import annotations

import secrets
import uuid

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from hq_server.auth import now
from hq_server.errors import HQProblem
from hq_server.mall import words
from hq_server.mall.member import MemberForm, member_form, member_page
from hq_server.mall.pages import PAGES, PREFIX
from hq_server.programme.member_sessions import MemberSession
from hq_server.programme.team import guide_of, team, team_page as level_page
from hq_server.programme.withdrawals import Withdrawal, list_withdrawals, point_policies, request_withdrawal
from hq_server.web import flash
from pos_app.domain.ledger import PointType

router = APIRouter(include_in_schema=False)  # under PREFIX (pages.mount)
KEYS = uuid.UUID("0b8e5a3c-6f41-5d2e-9a7b-3c1d2e4f5a60")  # a form's key -> its withdrawal's id


def _page(request: Request, who: MemberSession, *, status: int = 200, error: str | None = None,
          form: dict[str, str] | None = None) -> Response:
    state = request.app.state
    got = team(state.db, who.member_id, now=now())
    policies = point_policies(state.db)
    holders = [who.member_id] + ([got.guide_id] if got.guide_id else [])
    mine = sorted((w for h in holders for w in list_withdrawals(state.db, holder=h, limit=20)),
                  key=lambda w: w.requested_at, reverse=True)[:20]
    types = [t for t in PointType if policies[t].withdraw and (t != PointType.GUIDE or got.guide_id)
             and got.balances.get(str(t), 0) > 0]
    return PAGES.render(request, "mall/team.html", {
        "member": who, "here": "/m/me", "team": got, "policies": {str(t): p for t, p in policies.items()},
        "types": [str(t) for t in types], "withdrawals": mine, "key": secrets.token_hex(16), "form": form or {},
        "error": error, "error_hint": words.hint(error) if error else None}, status=status)


@router.get("/team")
def team_page(request: Request, who: MemberSession = Depends(member_page)) -> Response:
    return _page(request, who)


@router.get("/team/{kind}")
def team_list(request: Request, kind: str, who: MemberSession = Depends(member_page), level: str = "1",
              page: str = "1", q: str = "") -> Response:
    """One level of the team (or the recruited stores), paged; stores searched by name."""
    got = level_page(request.app.state.db, who.member_id, kind=kind, level=_int(level), page=_int(page), q=q)
    return PAGES.render(request, "mall/team_list.html", {"member": who, "here": "/m/me", "got": got})


def _int(value: str) -> int:
    return int(value) if value.isdigit() and len(value) < 6 else 1


@router.post("/withdrawals")
async def withdraw(request: Request, posted: MemberForm = Depends(member_form)) -> Response:
    state, who = request.app.state, posted.who
    form = {k: posted.text(k, 64) for k in ("point_type", "points", "key")}
    points = int(form["points"]) if form["points"].isdigit() and len(form["points"]) < 10 else -1

    def ask() -> Withdrawal:
        ptype = form["point_type"]
        holder = who.member_id
        if ptype == PointType.GUIDE:
            guide = guide_of(state.db, who.member_id)
            if guide is None:
                raise HQProblem(409, "withdraw_not_allowed", "point_type: this member is not a guide")
            holder = guide
        wid = str(uuid.uuid5(KEYS, f"{who.member_id}:{form['key']}")) if form["key"] else None
        return request_withdrawal(state.db, holder=holder, point_type=ptype, points=points,
                                  requested_by="mall", withdrawal_id=wid, now=now())
    try:
        await run_in_threadpool(ask)
    except HQProblem as p:
        return await run_in_threadpool(_page, request, who, status=p.status, error=p.code, form=form)
    response = RedirectResponse(PREFIX + "/team", status_code=303)
    flash.add(response, request, request.state.session_secret, "ok", words.WITHDRAWAL_SENT)
    return response
