"""A list that counts its matches only up to a bound (programme.listing, ListShape.count_up_to): a page
of a million members says "10000+" instead of counting them all, and still pages and sorts as before."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, event, select

from hq_server.programme.listing import ListQuery, ListShape, fetch

things = Table("things", MetaData(), Column("id", Integer, primary_key=True), Column("name", String(10)))


def shape(up_to: int | None) -> ListShape:
    return ListShape(sorts={"id": things.c.id}, default_sort=(things.c.id,), count_up_to=up_to,
                     search=lambda s, q: s.where(things.c.name.startswith(q)))


def test_a_count_stops_at_its_bound_and_says_so():
    engine = create_engine("sqlite://")
    things.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(things.insert(), [{"id": i, "name": "a" if i % 2 else "b"} for i in range(1, 31)])
        every = select(things.c.id)
        exact = fetch(conn, every, ListQuery(per=10), shape(None))
        assert (exact.total, exact.at_least) == (30, False)
        capped = fetch(conn, every, ListQuery(page=2, per=10), shape(12))
        assert (capped.total, capped.at_least, capped.pages) == (12, True, 2)
        assert [r["id"] for r in capped.rows] == list(range(11, 21))  # the rows of the page are not capped
        few = fetch(conn, every, ListQuery(per=10, q="a"), shape(15))  # 15 matches: counted exactly
        assert (few.total, few.at_least) == (15, False)
    engine.dispose()


def test_a_first_page_holding_the_whole_list_is_its_own_count():
    engine = create_engine("sqlite://")
    things.metadata.create_all(engine)
    selects: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: selects.append(a[2]) if a[2].startswith("SELECT") else None)
    with engine.begin() as conn:
        conn.execute(things.insert(), [{"id": i, "name": "a" if i < 8 else "b"} for i in range(1, 31)])
        short = fetch(conn, select(things.c.id), ListQuery(per=10, q="a"), shape(None))
        assert (short.total, short.pages, [r["id"] for r in short.rows]) == (7, 1, list(range(1, 8)))
        assert len(selects) == 1 and "count" not in selects[0]  # the page only
        full = fetch(conn, select(things.c.id), ListQuery(per=7, q="a"), shape(None))  # a full page: counted
        assert (full.total, len(selects)) == (7, 3)
        past = fetch(conn, select(things.c.id), ListQuery(page=3, per=10, q="a"), shape(None))  # past the end
        assert (past.total, past.rows) == (7, [])
    engine.dispose()
