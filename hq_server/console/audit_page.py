"""The audit log, searchable by the chain's admin: who changed what, when, before and after."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from hq_server import roles as R
from hq_server.auth import Staff
from hq_server.console import nav
from hq_server.console.lists import show
from hq_server.console.pages import PAGES, PREFIX
from hq_server.console.words import AUDIT_ACTIONS, ROLE_NAMES
from hq_server.programme import audit
from hq_server.programme.listing import ListQuery, Page
from hq_server.web.i18n import N_
from hq_server.web.listing import Column, wants_csv
from hq_server.web.staff import staff_page

router = APIRouter(prefix=PREFIX + "/audit", include_in_schema=False)
Admin = Annotated[Staff, Depends(staff_page(R.USERS))]
nav.add(PREFIX + "/audit", N_("Audit log"), R.USERS)

COLUMNS = [
    Column("at", N_("When"), "time"),
    Column("actor", N_("Who"), "word"),  # a username, a role's name, an action: never broken over lines
    Column("role", N_("Role"), "word", sortable=False),
    Column("action", N_("Action"), "word"),
    Column("target", N_("Record")),
    Column("before", N_("Before"), "json", sortable=False),
    Column("after", N_("After"), "json", sortable=False),
    Column("note", N_("Note"), sortable=False),
]


def action_text(action: str, gettext: Any) -> str:
    """An entry's action in the reader's language (an action no word lists as its code)."""
    return str(gettext(AUDIT_ACTIONS[action])) if action in AUDIT_ACTIONS else action


@router.get("")
def audit_log(request: Request, _who: Admin) -> Response:
    db = request.app.state.db
    gettext = PAGES.gettext(request)
    csv = wants_csv(request)

    def fetch(q: ListQuery) -> Page:
        page = audit.search(db, q)
        # the page says an action in words; its CSV keeps the code (what support and scripts search for)
        return type(page)([{**r, "role": gettext(ROLE_NAMES.get(r["role"], r["role"])),
                            "action": r["action"] if csv else action_text(r["action"], gettext)} for r in page.rows],
                          page.total, page.query)
    return show(request, title=N_("Audit log"), columns=COLUMNS, filename="audit-log", fetch=fetch, search_hint=N_("record, note or username"),
                filters=[("actor", N_("Who"), None), ("action", N_("Action"), [(a, action_text(a, gettext)) for a in audit.actions(db)]),
                         ("since", N_("From (YYYY-MM-DD)"), None), ("until", N_("To (YYYY-MM-DD)"), None)])
