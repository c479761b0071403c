"""Conflicts: the merge rules' tasks, filtered by kind, store and state; one task with its events;
resolve with a note (or merge a same-phone pair)."""

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
from hq_server.console.words import CONFLICT_KINDS, EVENT_KINDS, EVENT_STATES
from hq_server.programme import conflict_tasks
from hq_server.programme.listing import ListQuery, Page
from hq_server.programme.refusals import BadField
from hq_server.web import flash
from hq_server.web.i18n import N_
from hq_server.web.listing import Column
from hq_server.web.staff import StaffForm, staff_form, staff_page

router = APIRouter(prefix=PREFIX + "/conflicts", include_in_schema=False)
Reader = Annotated[Staff, Depends(staff_page(R.CONFLICTS_READ))]
Worker = Annotated[StaffForm, Depends(staff_form(R.CONFLICTS))]
nav.add(PREFIX + "/conflicts", N_("Conflicts"), R.CONFLICTS_READ)

COLUMNS = [
    Column("created_at", N_("Found at"), "time"),
    Column("kind", N_("Kind"), link=lambda r: f"{PREFIX}/conflicts/{r['conflict_id']}"),
    Column("rule", N_("Rule")),
    Column("store_id", N_("Store")),
    Column("member_id", N_("Member"), "code", sortable=False),
    Column("status", N_("State"), "word"),
]
STATES = [("open", N_("Open")), ("resolved", N_("Resolved"))]


def kind_text(kind: str, gettext: Any) -> str:
    """A task's kind in the reader's language (a kind no word lists as it is)."""
    return str(gettext(CONFLICT_KINDS[kind])) if kind in CONFLICT_KINDS else kind


@router.get("")
def conflicts(request: Request, _who: Reader) -> Response:
    db = request.app.state.db
    gettext = PAGES.gettext(request)
    states = dict(STATES)

    def fetch(q: ListQuery) -> Page:
        page = conflict_tasks.find(db, q)
        return type(page)([{**r, "status": gettext(states.get(r["status"], r["status"])),
                            "kind": kind_text(r["kind"], gettext)} for r in page.rows], page.total, page.query)
    return show(request, title=N_("Conflicts"), columns=COLUMNS, filename="conflicts", fetch=fetch, search_hint=N_("member, event or task id"),
                filters=[("kind", N_("Kind"), [(k, kind_text(k, gettext)) for k in conflict_tasks.kinds(db)]),
                         ("store", N_("Store"), None),
                         ("state", N_("State"), [(v, gettext(t)) for v, t in STATES])])


@router.get("/{conflict_id}")
def conflict(conflict_id: str, request: Request, who: Reader) -> Response:
    return _task_page(conflict_id, request, who)


def _task_page(conflict_id: str, request: Request, who: Staff, status: int = 200, errors: dict[str, str] | None = None,
               note: str = "") -> Response:
    task = conflict_tasks.task(request.app.state.db, conflict_id)
    return PAGES.render(request, "console/conflict.html", {
        "task": task, "errors": errors or {}, "note": note, "may_work": who.may(R.CONFLICTS),
        "kind": kind_text(task["kind"], PAGES.gettext(request)), "event_kinds": EVENT_KINDS, "event_states": EVENT_STATES}, status=status)


@router.post("/{conflict_id}/resolve")
def resolve(conflict_id: str, request: Request, posted: Worker) -> Response:
    note = posted.text("note", 2000)
    try:
        conflict_tasks.resolve(request.app.state.db, actor_of(posted.who), conflict_id, note, now())
    except BadField as bad:
        return _task_page(conflict_id, request, posted.who, status=422, errors=field_errors(bad), note=note)
    response = RedirectResponse(f"{PREFIX}/conflicts/{conflict_id}", status_code=303)
    flash.add(response, request, request.state.session_secret, "ok", N_("The task is resolved."))
    return response


@router.post("/{conflict_id}/merge")
def merge(conflict_id: str, request: Request, posted: Worker) -> Response:
    done = conflict_tasks.merge(request.app.state.db, actor_of(posted.who), conflict_id, posted.text("keep", 36),
                                now())
    response = RedirectResponse(f"{PREFIX}/conflicts/{conflict_id}", status_code=303)
    flash.add(response, request, request.state.session_secret, "ok",
              N_("Member %(merged)s was merged into %(kept)s."), merged=done["merged"], kept=done["kept"])
    return response
