"""A console list page: the address parsed into a ListQuery, the use case's page of rows shown in a
table (or the whole list as CSV when ?format=csv), with its search box and filters."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import Request
from starlette.responses import Response

from hq_server.console.pages import PAGES
from hq_server.programme.listing import ListQuery, Page
from hq_server.web.listing import Column, csv_response, list_query, wants_csv

# A filter: (query parameter, label msgid, choices as (value, text) or None for free text)
Filter = tuple[str, str, Sequence[tuple[str, str]] | None]


def show(request: Request, *, title: str, columns: Sequence[Column], fetch: Callable[[ListQuery], Page],
         filename: str, filters: Sequence[Filter] = (), search_hint: str = "", template: str = "console/list.html",
         extra: dict[str, Any] | None = None) -> Response:
    query = list_query(request, filters=[f[0] for f in filters], sorts=[c.key for c in columns if c.sortable])
    if wants_csv(request):
        return csv_response(filename, columns, fetch(query.everything()).rows, PAGES.gettext(request))
    # htmx asks for the list alone (the search box stays as it is typed in): one block of the same page
    block = "results" if request.headers.get("hx-target") == "results" else None
    return PAGES.render(request, template, {"title": title, "page": fetch(query), "columns": columns,
                                            "filters": filters, "search_hint": search_hint, **(extra or {})},
                        block=block)
