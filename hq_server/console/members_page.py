"""Members: search (phone prefix, name, card, id); a member's page with balances per point type,
lots and when they expire, the statement; adjust points with a reason (a second person approves
above the threshold); freeze and unfreeze. Adjustments waiting for approval have their own list."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from hq_server import roles as R
from hq_server.auth import Staff, now
from hq_server.console import nav
from hq_server.console.actor import actor_of
from hq_server.console.field_errors import field_errors
from hq_server.console.lists import show
from hq_server.console.pages import PAGES, PREFIX
from hq_server.console.words import COUPON_STATES, EVENT_KINDS, EVENT_STATES, ORDER_STATES, TIER_REASONS
from hq_server.programme import coupons, member_care, orders, tiers
from hq_server.programme.member_standing import FROZEN
from hq_server.programme.listing import ListQuery, Page
from hq_server.programme.refusals import BadField
from hq_server.web import flash
from hq_server.web.i18n import N_
from hq_server.web.listing import Column, csv_response, list_query, wants_csv
from hq_server.web.staff import StaffForm, staff_form, staff_page

router = APIRouter(prefix=PREFIX + "/members", include_in_schema=False)
Reader = Annotated[Staff, Depends(staff_page(R.MEMBERS_READ))]
Carer = Annotated[StaffForm, Depends(staff_form(R.MEMBERS))]
nav.add(PREFIX + "/members", N_("Members"), R.MEMBERS_READ)
nav.add(PREFIX + "/members/approvals", N_("Approvals"), R.MEMBERS)

COLUMNS = [
    Column("name", N_("Name"), link=lambda r: f"{PREFIX}/members/{r['member_id']}"),
    Column("phone", N_("Phone")),
    Column("card_no", N_("Card"), "code", sortable=False),
    Column("tier", N_("Tier")),
    Column("home_store", N_("Home store")),
    Column("created_at", N_("Registered"), "time"),
    Column("risk_flag", N_("Risk"), sortable=False),
]
STATEMENT = [
    Column("device_time", N_("Time"), "time"),
    Column("kind", N_("Kind")),
    Column("points", N_("Points"), "points", sortable=False),
    Column("store_id", N_("Store"), sortable=False),
    Column("staff_id", N_("Staff"), sortable=False),
    Column("status", N_("State"), "word", sortable=False),
    Column("event_id", N_("Event"), "code", sortable=False),
]
APPROVALS = [
    Column("requested_at", N_("Asked at"), "time"),
    Column("requested_by", N_("Asked by")),
    Column("member_id", N_("Member"), "code", sortable=False, link=lambda r: f"{PREFIX}/members/{r['member_id']}"),
    Column("points", N_("Points"), "points", sortable=False),
    Column("reason", N_("Reason"), sortable=False),
    Column("status", N_("State"), "word", sortable=False),
    Column("decided_by", N_("Decided by"), sortable=False),
]


@router.get("")
def members(request: Request, _who: Reader) -> Response:
    db = request.app.state.db
    gettext = PAGES.gettext(request)

    def fetch(q: ListQuery) -> Page:
        page = member_care.find(db, q)
        return type(page)([{**r, "risk_flag": risk_text(r.get("risk_flag"), gettext)} for r in page.rows],
                          page.total, page.query)
    return show(request, title=N_("Members"), columns=COLUMNS, filename="members", fetch=fetch,
                search_hint=N_("phone (first digits), name, card number or member id"),
                filters=[("store", N_("Home store"), None), ("tier", N_("Tier"), None),
                         ("flagged", N_("Risk"), [("1", PAGES.gettext(request)(N_("Flagged")))])])


@router.get("/approvals")
def approvals(request: Request, _who: Annotated[Staff, Depends(staff_page(R.MEMBERS))]) -> Response:
    db = request.app.state.db

    gettext = PAGES.gettext(request)
    names = {"pending": N_("Waiting"), "approved": N_("Approved"), "refused": N_("Refused")}

    def fetch(q: ListQuery) -> Page:
        page = member_care.pending(db, q)
        return type(page)([{**r, **r["request"], "status": gettext(names.get(r["status"], r["status"]))}
                           for r in page.rows], page.total, page.query)
    return show(request, title=N_("Approvals"), columns=APPROVALS, filename="approvals", fetch=fetch,
                filters=[("state", N_("State"), [(v, PAGES.gettext(request)(t)) for v, t in
                                                  (("pending", N_("Waiting")), ("approved", N_("Approved")),
                                                   ("refused", N_("Refused")))])])


def _page(request: Request, who: Staff, member_id: str, *, status: int = 200, errors: dict[str, str] | None = None,
          typed: dict[str, Any] | None = None) -> Response:
    db = request.app.state.db
    query = list_query(request, filters=["kind"], sorts=[c.key for c in STATEMENT if c.sortable])
    if wants_csv(request):
        return csv_response(f"statement-{member_id}", STATEMENT,
                            member_care.statement(db, member_id, query.everything()).rows, PAGES.gettext(request))
    statement = member_care.statement(db, member_id, query)
    return PAGES.render(request, "console/member.html", {
        "m": member_care.member(db, member_id), "statement": _said_statement(statement, PAGES.gettext(request)),
        "tier_history": tiers.tier_history(db, member_id, limit=20), "coupons": coupons.member_coupons(db, member_id),
        "orders": orders.member_orders(db, member_id, limit=20),
        "columns": STATEMENT, "may_care": who.may(R.MEMBERS), "errors": errors or {}, "typed": typed or {},
        "approval_above": request.app.state.settings.adjust_approval_above, "me": who.username,
        "order_states": ORDER_STATES, "coupon_states": COUPON_STATES, "tier_reasons": TIER_REASONS,
        "frozen_mark": FROZEN}, status=status)


def risk_text(flag: str | None, gettext: Any) -> str:
    """A member's risk flag in the reader's language: member_care's freeze mark ("frozen: why") said."""
    if flag and flag.startswith(FROZEN):
        return str(gettext(N_("Frozen: %(reason)s")) % {"reason": flag[len(FROZEN):]})
    return flag or ""


def _said_statement(page: Page, gettext: Any) -> Page:
    """The statement's event kinds and states in the reader's language (a code no word lists as it is)."""
    return type(page)([{**r, "kind": gettext(EVENT_KINDS[r["kind"]]) if r["kind"] in EVENT_KINDS else r["kind"],
                        "status": gettext(EVENT_STATES[r["status"]]) if r["status"] in EVENT_STATES else r["status"]}
                       for r in page.rows], page.total, page.query)


@router.get("/{member_id}")
def member(member_id: str, request: Request, who: Reader) -> Response:
    return _page(request, who, member_id)


def _back(request: Request, member_id: str, kind: str, text: str, **params: Any) -> Response:
    response = RedirectResponse(f"{PREFIX}/members/{member_id}", status_code=303)
    flash.add(response, request, request.state.session_secret, kind, text, **params)
    return response


@router.post("/{member_id}/adjust")
def adjust(member_id: str, request: Request, posted: Carer) -> Response:
    typed = {"points": posted.text("points", 20), "reason": posted.text("reason", 400)}
    try:
        done = member_care.adjust(request.app.state.db, actor_of(posted.who), member_id, typed["points"],
                                  typed["reason"], approval_above=request.app.state.settings.adjust_approval_above,
                                  now=now())
    except BadField as bad:
        return _page(request, posted.who, member_id, status=bad.status, errors=field_errors(bad), typed=typed)
    if "pending" in done:
        return _back(request, member_id, "info", N_("%(points)s points is above the threshold: the adjustment waits "
                                                    "for a second person's approval."), points=done["points"])
    return _back(request, member_id, "ok", N_("Adjusted by %(points)s points."), points=done["points"])


@router.post("/approvals/{approval_id}")
def decide(approval_id: str, request: Request, posted: Carer) -> Response:
    decision = posted.text("decision", 10)
    if decision not in ("approve", "refuse"):
        raise BadField("decision", "approve or refuse")
    done = member_care.decide(request.app.state.db, actor_of(posted.who), approval_id, decision == "approve", now())
    text = N_("Approved: the adjustment is written.") if done["status"] == "approved" else N_(
        "Refused: nothing was written.")
    return _back(request, done["member_id"], "ok", text)


@router.post("/{member_id}/freeze")
def freeze(member_id: str, request: Request, posted: Carer) -> Response:
    reason = posted.text("freeze_reason", 400)
    try:
        member_care.freeze(request.app.state.db, actor_of(posted.who), member_id, reason, now())
    except BadField as bad:
        return _page(request, posted.who, member_id, status=bad.status, errors=field_errors(bad),
                     typed={"freeze_reason": reason})
    return _back(request, member_id, "ok", N_("The member is frozen."))


@router.post("/{member_id}/unfreeze")
def unfreeze(member_id: str, request: Request, posted: Carer) -> Response:
    member_care.unfreeze(request.app.state.db, actor_of(posted.who), member_id, now())
    return _back(request, member_id, "ok", N_("The member is unfrozen."))
