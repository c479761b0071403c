"""A list page's address (page, per, sort, filters, q) parsed into a ListQuery, links that change
one of them, and the same list as a CSV file.

A list's columns are declared once (Column) and serve both the HTML table and the CSV export, so
the two always agree. CSV money is in yuan with two decimals, headers are in the reader's
language, and the file starts with a UTF-8 byte order mark so Excel (what finance opens it with)
reads the Chinese right.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from starlette.responses import Response

from hq_server.errors import HQProblem
from hq_server.programme.listing import MAX_PER_PAGE, ListQuery, Page
from hq_server.programme.refusals import said
from hq_server.web.formats import cell

PER_CHOICES = (25, 50, 100, 200)


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # a msgid
    kind: str = "text"  # text | word (a state, a mode: never wrapped) | id (long: may wrap) | yuan | points | time | bool | code
    sortable: bool = True
    link: Callable[[dict[str, Any]], str] | None = None  # the row's page, for the HTML table


def list_query(request: Request, *, filters: Iterable[str] = (), sorts: Iterable[str] = (),
               per: int = 25) -> ListQuery:
    """The list the address asks for; a malformed value is a 422 that says which."""
    qp = request.query_params
    page = _int(qp.get("page"), "page", 1, 1, 10**7)
    per = _int(qp.get("per"), "per", per, 1, MAX_PER_PAGE)
    sort, desc = qp.get("sort") or None, False
    if sort and sort.startswith("-"):
        sort, desc = sort[1:], True
    if sort is not None and sort not in set(sorts):
        raise HQProblem(422, "bad_sort", said("this list cannot be sorted by %(sort)r", sort=sort))
    q = (qp.get("q") or "").strip()
    if len(q) > 80:
        raise HQProblem(422, "bad_search", "a search is at most 80 characters")
    found = {}
    for key in filters:
        value = (qp.get(key) or "").strip()
        if len(value) > 80:
            raise HQProblem(422, "bad_filter", said("the %(key)s filter is at most 80 characters", key=key))
        if value:
            found[key] = value
    return ListQuery(page=page, per=per, sort=sort, desc=desc, q=q, filters=found)


def _int(raw: str | None, name: str, default: int, low: int, high: int) -> int:
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or not (low <= int(raw) <= high):
        raise HQProblem(422, "bad_paging", said("%(name)s must be a whole number from %(low)s to %(high)s",
                                                       name=name, low=low, high=high))
    return int(raw)


def link(request: Request, **changes: object) -> str:
    """This page's address with some query parameters changed (None removes one). Changing the sort,
    a filter or the search goes back to page 1."""
    params = dict(request.query_params)
    if any(k != "page" for k in changes):
        params.pop("page", None)
    for k, v in changes.items():
        if v is None or v == "":
            params.pop(k, None)
        else:
            params[k] = str(v)
    params.pop("format", None)
    qs = urlencode(params)
    return request.url.path + ("?" + qs if qs else "")


def sort_link(request: Request, key: str) -> tuple[str, str]:
    """(address, arrow) for a column header: ascending first, then descending."""
    current = request.query_params.get("sort") or ""
    if current == key:
        return link(request, sort="-" + key), "▲"
    if current == "-" + key:
        return link(request, sort=key), "▼"
    return link(request, sort=key), ""


def wants_csv(request: Request) -> bool:
    return request.query_params.get("format") == "csv"


def csv_response(filename: str, columns: Sequence[Column], rows: Iterable[dict[str, Any]],
                 gettext: Callable[[str], str]) -> Response:
    buf = io.StringIO()
    buf.write("\ufeff")
    w = csv.writer(buf)
    w.writerow([gettext(c.label) for c in columns])
    for r in rows:
        w.writerow([_safe(cell(r.get(c.key), c.kind)) for c in columns])
    return Response(buf.getvalue().encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'})


def _safe(text: str) -> str:
    """A cell a spreadsheet would run as a formula (=, +, -, @ first) is written as text: a member's
    name is typed by anyone. Negative numbers stay numbers."""
    if text[:1] in ("=", "+", "@", "\t", "\r") or (text[:1] == "-" and not _number(text)):
        return "'" + text
    return text


def _number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def pages_around(page: Page, width: int = 2) -> list[int | None]:
    """Page numbers for the pager: the first, the last, and `width` either side of this one (None is a gap)."""
    n, cur = page.pages, page.query.page
    keep = sorted({1, n, *range(max(1, cur - width), min(n, cur + width) + 1)})
    out: list[int | None] = []
    for i, p in enumerate(keep):
        if i and p != keep[i - 1] + 1:
            out.append(None)
        out.append(p)
    return out
