"""Lists the faces page through: a query (page, sort, filters, search) in, one page of rows out.

The use case owns the SQL: it names which columns a list may be sorted and filtered by, and this
module applies a ListQuery to its SELECT. The faces parse a ListQuery from the address
(hq_server.web.listing) and never see a statement.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Connection, Select, Table, func, literal_column, select

from hq_server.errors import HQProblem

MAX_PER_PAGE = 200
MAX_EXPORT = 100_000  # rows in one CSV export: a bigger one is a job for a report, not a page


@dataclass(frozen=True)
class ListQuery:
    page: int = 1
    per: int = 25
    sort: str | None = None  # a key the list allows; None: the list's own order
    desc: bool = False
    q: str = ""  # free text, each list decides what it searches
    filters: Mapping[str, str] = field(default_factory=dict)

    def everything(self) -> ListQuery:
        """The same list unpaged, for a CSV export."""
        return replace(self, page=1, per=MAX_EXPORT)


@dataclass(frozen=True)
class Page:
    rows: list[dict[str, Any]]
    total: int
    query: ListQuery
    at_least: bool = False  # total is the list's count_up_to: there are more matches than that

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.per))

    @property
    def first_row(self) -> int:
        return 0 if not self.rows else (self.query.page - 1) * self.query.per + 1

    @property
    def last_row(self) -> int:
        return (self.query.page - 1) * self.query.per + len(self.rows)


@dataclass(frozen=True)
class ListShape:
    """What a list may be sorted by (key -> column expression), filtered by (key -> a function that
    narrows the SELECT by the value), and how free text narrows it."""
    sorts: Mapping[str, Any]
    default_sort: tuple[Any, ...]
    filters: Mapping[str, Callable[[Select[Any], str], Select[Any]]] = field(default_factory=dict)
    search: Callable[[Select[Any], str], Select[Any]] | None = None
    tiebreak: tuple[Any, ...] = ()  # a unique column, so pages never overlap when sort keys tie
    # count at most this many matches (the page then says "10000+"): counting a million members on every
    # page of the list cost more than the page itself (bench.console)
    count_up_to: int | None = None
    # the list's order while searching (no sort asked for): the order of the index the search reads, so a
    # page stops after its rows instead of sorting every match (bench.console: the members' search)
    search_sort: Callable[[str], tuple[Any, ...]] | None = None


def fetch(conn: Connection, stmt: Select[Any], query: ListQuery, shape: ListShape,
          row: Callable[[Any], dict[str, Any]] = lambda r: dict(r._mapping)) -> Page:
    """One page of `stmt` narrowed, sorted and sliced by `query`; the total counts every match."""
    for key, value in query.filters.items():
        if key not in shape.filters:
            raise HQProblem(422, "bad_filter", f"this list cannot be filtered by {key!r}")
        if value != "":
            stmt = shape.filters[key](stmt, value)
    if query.q and shape.search is not None:
        stmt = shape.search(stmt, query.q)
    if query.sort is not None:
        if query.sort not in shape.sorts:
            raise HQProblem(422, "bad_sort", f"this list cannot be sorted by {query.sort!r}")
        col = shape.sorts[query.sort]
        order = (col.desc() if query.desc else col.asc(),)
    elif query.q and shape.search_sort is not None:
        order = shape.search_sort(query.q)
    else:
        order = shape.default_sort
    rows = [row(r) for r in conn.execute(stmt.order_by(*order, *shape.tiebreak).limit(query.per)
                                         .offset((query.page - 1) * query.per))]
    if query.page == 1 and len(rows) < query.per:
        return Page(rows, len(rows), query)  # the whole list is on its first page: no count to read
    # the count reads no column of its own: an index that holds the search's columns answers it alone
    counted: Select[Any] = stmt.order_by(None).with_only_columns(literal_column("1"), maintain_column_froms=True)
    if shape.count_up_to is not None:
        counted = counted.limit(shape.count_up_to + 1)
    total = conn.execute(select(func.count()).select_from(counted.subquery())).scalar_one()
    at_least = shape.count_up_to is not None and total > shape.count_up_to
    total = shape.count_up_to if at_least and shape.count_up_to is not None else total
    return Page(rows, total, query, at_least)


def latest_requests(conn: Connection, table: Table, *, key: str, equal: Mapping[str, object | None],
                    limit: int) -> list[dict[str, Any]]:
    """A requests table's rows (adjustments, withdrawals), newest first: those whose columns equal the
    given values (None: any), at most `limit`; ties in time by their key."""
    c = table.c
    q = select(table)
    for column, value in equal.items():
        if value is not None:
            q = q.where(c[column] == value)
    rows = conn.execute(q.order_by(c.requested_at.desc(), c[key]).limit(limit)).all()
    return [dict(r._mapping) for r in rows]
