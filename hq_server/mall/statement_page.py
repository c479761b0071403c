"""The statement: every earning and spending, by store and date, with filters (programme.statement)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from hq_server.auth import now
from hq_server.errors import HQProblem
from hq_server.mall.member import member_page
from hq_server.mall.pages import PAGES
from hq_server.programme.member_sessions import MemberSession
from hq_server.programme.statement import card, statement

router = APIRouter(include_in_schema=False)  # under PREFIX (pages.mount)


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise HQProblem(422, "invalid_filter", f"{text[:20]!r} is not a date (YYYY-MM-DD)") from None


@router.get("/statement")
def statement_page(request: Request, who: MemberSession = Depends(member_page),
                   type: str | None = Query(None, max_length=10), dir: str | None = Query(None, max_length=4),
                   store: str | None = Query(None, max_length=36), start: str | None = Query(None, max_length=10),
                   end: str | None = Query(None, max_length=10),
                   before: int | None = Query(None, ge=1, le=2**62)) -> Response:
    state = request.app.state
    got = statement(state.db, who.member_id, point_type=type or None, direction=dir or None, store_id=store or None,
                    first=_day(start), last=_day(end), before=before)
    data = card(state.db, who.member_id, now())
    filters = {"type": type or "", "dir": dir or "", "store": store or "", "start": start or "", "end": end or ""}
    more = None
    if got.next_before:
        more = "?" + "&".join(f"{k}={v}" for k, v in {**filters, "before": got.next_before}.items() if v)
    return PAGES.render(request, "mall/statement.html", {"member": data, "here": "/m/statement", "got": got,
                                                         "filters": filters, "more": more,
                                                         "filtered": any(filters.values())})
