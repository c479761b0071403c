"""A list that counts its matches only up to a bound (programme.listing, ListShape.count_up_to): a page
of a million members says "10000+" instead of counting them all, and still pages and sorts as before."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, select

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
