"""Withdrawals of earned points as cash: the list (by state, point type, holder, exported or not),
one request approved or refused with a note (finance), and the approved ones not paid yet exported as
the payout file (then marked, so none is paid twice). Every decision and export is in the audit log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from hq_server import roles as R
from hq_server.auth import Staff, now
from hq_server.console import nav
from hq_server.console.actor import actor_of
from hq_server.console.field_errors import field_errors
from hq_server.console.lists import show
from hq_server.console.pages import PAGES, PREFIX
from hq_server.console.words import POINT_TYPES
from hq_server.programme import withdrawals as W
from hq_server.programme.listing import ListQuery, Page
from hq_server.programme.refusals import BadField
from hq_server.web import flash
from hq_server.web.i18n import N_
from hq_server.web.listing import Column
from hq_server.web.staff import StaffForm, staff_form, staff_page

BASE = PREFIX + "/withdrawals"
FINANCE = frozenset({R.FINANCE})
router = APIRouter(prefix=BASE, include_in_schema=False)
Reader = Annotated[Staff, Depends(staff_page(FINANCE))]
Worker = Annotated[StaffForm, Depends(staff_form(FINANCE))]
nav.add(BASE, N_("Withdrawals"), FINANCE)

STATES = {"pending": N_("Waiting"), "approved": N_("Approved"), "refused": N_("Refused")}
COLUMNS = [
    Column("requested_at", N_("Asked at"), "time"),
    Column("withdrawal_id", N_("Withdrawal"), "code", sortable=False, link=lambda r: f"{BASE}/{r['withdrawal_id']}"),
    Column("holder", N_("Holder"), "code"),
    Column("type_text", N_("Point type"), sortable=False),
    Column("points", N_("Points"), "points"),
    Column("amount_fen", N_("Amount (yuan)"), "yuan"),
    Column("state_text", N_("State"), "word", sortable=False),
    Column("decided_by", N_("Decided by"), sortable=False),
    Column("exported_at", N_("Exported"), "time", sortable=False),
]


def _worded(page: Page, gettext: Callable[[str], str]) -> Page:
    return Page([{**r, "state_text": gettext(STATES.get(r["status"], r["status"])),
                  "type_text": gettext(POINT_TYPES.get(r["point_type"], r["point_type"]))} for r in page.rows],
                page.total, page.query)


@router.get("")
def withdrawals(request: Request, _who: Reader) -> Response:
    db = request.app.state.db
    gettext = PAGES.gettext(request)
    waiting = W.withdrawals_page(db, ListQuery(per=1, filters={"status": "approved", "exported": "no"})).total
    return show(request, title=N_("Withdrawals"), columns=COLUMNS, filename="withdrawals",
                fetch=lambda q: _worded(W.withdrawals_page(db, q), gettext),
                search_hint=N_("withdrawal or holder id"), template="console/withdrawals.html",
                filters=[("status", N_("State"), [(k, gettext(v)) for k, v in STATES.items()]),
                         ("point_type", N_("Point type"), [(k, gettext(v)) for k, v in POINT_TYPES.items()]),
                         ("exported", N_("Exported"), [("yes", gettext(N_("Yes"))), ("no", gettext(N_("No")))])],
                extra={"to_pay": waiting})


def _page(request: Request, withdrawal_id: str, *, status: int = 200, errors: dict[str, str] | None = None,
          typed: dict[str, Any] | None = None) -> Response:
    w = W.withdrawal(request.app.state.db, withdrawal_id)
    return PAGES.render(request, "console/withdrawal.html", {"w": w, "states": STATES, "errors": errors or {},
                                                             "typed": typed or {}}, status=status)


@router.get("/{withdrawal_id}")
def withdrawal(withdrawal_id: str, request: Request, _who: Reader) -> Response:
    return _page(request, withdrawal_id)


def _back(request: Request, withdrawal_id: str, text: str) -> Response:
    return flash.redirect(request, f"{BASE}/{withdrawal_id}", text)


@router.post("/{withdrawal_id}/approve")
def approve(withdrawal_id: str, request: Request, posted: Worker) -> Response:
    W.approve_withdrawal(request.app.state.db, withdrawal_id=withdrawal_id, staff=posted.who.username, now=now(),
                         actor=actor_of(posted.who))
    return _back(request, withdrawal_id, N_("Approved: it is in the next payout file."))


@router.post("/{withdrawal_id}/refuse")
def refuse(withdrawal_id: str, request: Request, posted: Worker) -> Response:
    note = posted.text("note", 400)
    try:
        W.refuse_withdrawal(request.app.state.db, withdrawal_id=withdrawal_id, staff=posted.who.username, note=note,
                            now=now(), actor=actor_of(posted.who))
    except BadField as bad:
        return _page(request, withdrawal_id, status=bad.status, errors=field_errors(bad), typed={"note": note})
    return _back(request, withdrawal_id, N_("Refused: the points are back with the holder."))


@router.post("/payouts.csv")
def payouts(request: Request, posted: Worker) -> Response:
    """A POST: exporting marks the payouts exported (a GET must change nothing)."""
    again = posted.text("again", 3) == "yes"
    text = W.payout_csv(request.app.state.db, now=now(), again=again, actor=actor_of(posted.who))
    stamp = now().strftime("%Y%m%d-%H%M")
    return Response(("\ufeff" + text).encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="payouts-{stamp}.csv"'})
