"""The dashboard's rollup of the ledger: per day and store what the dashboard shows, so that its figures
read a few hundred rows instead of summing millions of events and postings on every page (measured on
10,000,000 events: the direct sums took seconds a page; bench.console).

Folded in by hq_seq: `catch_up` takes HQ's writer lock, folds the events numbered after the rollup's
cursor into its tables and moves the cursor to HQ's counter. hq_seq numbers are handed out under that
lock and the rows of an event (its postings, the balances they move) are written with it, so under the
lock every event at or below the counter is committed and nothing else moves the ledger: the fold reads
a ledger at rest, and a later fold starts exactly where this one stopped. An event's postings never
change after it is written (corrections are new events), so what is folded in stays right; a status
change does not matter (the dashboard counts events whatever their status, as the chain report does).

The dashboard calls catch_up first (nothing to do, one cheap read, when the ledger has not moved), so its
figures are as of its request, as before. `rebuild` makes the whole rollup again from the ledger
(migration 0011C on an existing HQ, a bulk load such as the benches'); tests check both against sums of
the ledger itself (tests/hq/test_dashboard_rollup.py).

What each table holds: hq_server.programme.dashboard_tables. Active members are counted by their last
day with an event (per scope: chain-wide and each store): since a period always ends today, the members
active in it are those whose last day is on or after its first day. (A member whose latest event carries
a device time after today, a till's clock ahead, counts from that day.)

New members are counted per local day of their created_at and home store, merged members not. A fold
finds the days its registrations (member_register) and merges (member_merge: the member merged away) fall
on, and counts those days again from the members themselves (under the lock, at rest): a count that is
right whatever happened before (a register sent twice, a member merged twice), for the price of a day's
members by an index (ix_members_created_live), once a fold; usually one day, today.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (BigInteger, ColumnElement, Connection, Select, Table, case, delete, func, literal_column,
                        select, tuple_)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import JSONB

from hq_server import models as M
from hq_server.db import Database
from hq_server.programme.dashboard_tables import (CHAIN, dashboard_active, dashboard_days, dashboard_gifts,
                                                  dashboard_last_active, dashboard_new, dashboard_state)
from pos_app.domain import ledger as L

DAY_COLUMNS = ("events", "sales_fen", "issued_any", "issued_own", "issued_acct", "redeemed_any", "redeemed_own",
               "expired")


def json_text(conn: Connection, column: ColumnElement[Any], key: str) -> ColumnElement[Any]:
    """A payload's top-level text field, read by the database (payloads are JSON text)."""
    if conn.dialect.name == "sqlite":
        return func.json_extract(column, f"$.{key}")
    return func.cast(column, JSONB).op("->>")(key)


def json_int(conn: Connection, column: ColumnElement[Any], key: str) -> ColumnElement[Any]:
    if conn.dialect.name == "sqlite":
        return func.json_extract(column, f"$.{key}")
    # a payload's field is checked by the tills' parsers; only digits are summed here, whatever HQ holds
    text_ = func.cast(column, JSONB).op("->>")(key)
    return case((text_.op("~")(r"^-?\d{1,18}$"), func.cast(text_, BigInteger)), else_=None)


def local_day(conn: Connection, column: ColumnElement[Any]) -> ColumnElement[Any]:
    """The chain's local calendar day of a stored UTC time, in SQL (China has no daylight saving)."""
    if conn.dialect.name == "sqlite":
        return func.date(column, "+8 hours")
    return func.date(column + literal_column("interval '8 hours'"))


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _state(conn: Connection, name: str) -> int | None:
    return conn.execute(select(dashboard_state.c.value).where(dashboard_state.c.name == name)).scalar()


def _set_state(conn: Connection, name: str, value: int) -> None:
    _add(conn, dashboard_state, ("name",), [{"name": name, "value": value}], replace=True)


def _add(conn: Connection, table: Table, keys: tuple[str, ...], rows: list[dict[str, Any]],
         replace: bool = False) -> None:
    """Upsert rows, adding their figures to a row already there (or replacing them)."""
    if not rows:
        return
    insert = (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(table)
    figures = [c for c in rows[0] if c not in keys]
    new = {c: insert.excluded[c] if replace else table.c[c] + insert.excluded[c] for c in figures}
    conn.execute(insert.on_conflict_do_update(index_elements=list(keys), set_=new), rows)


def catch_up(db: Database) -> None:
    """Fold the events HQ has numbered since the last fold into the rollup (see the module's doc)."""
    with db.read() as conn:
        at = _state(conn, "seq")
        counter = conn.execute(select(M.hq_counter.c.value).where(M.hq_counter.c.name == "seq")).scalar_one()
    if at is not None and at >= counter:
        return
    with db.write() as (conn, seq):
        at = _state(conn, "seq")
        if at is None:
            rebuild(conn)
        elif at < seq.last:
            _fold(conn, at, seq.last)
            _set_state(conn, "seq", seq.last)


def rebuild(conn: Connection, *, new_members: bool = True) -> None:
    """The whole rollup made again from the ledger (on a connection whose ledger does not move meanwhile:
    under HQ's writer lock, or before HQ serves). new_members False: not the new members' counts (migration
    0011C, older than their table)."""
    if conn.dialect.name == "postgresql":  # the members' last days are one sort of every event: in memory
        conn.exec_driver_sql("SET LOCAL work_mem = '256MB'")
    for table in (dashboard_days, dashboard_gifts, dashboard_last_active, dashboard_active, dashboard_state):
        conn.execute(delete(table))
    if new_members:
        count_new_members(conn)
    upto = conn.execute(select(M.hq_counter.c.value).where(M.hq_counter.c.name == "seq")).scalar_one()
    e = M.events.c
    day = local_day(conn, e.device_time).label("day")
    last = select(e.member_id, e.store_id.label("scope"), func.max(day)).where(e.member_id.is_not(None)) \
        .group_by(e.member_id, e.store_id)
    chain = select(e.member_id, literal_column(f"'{CHAIN}'").label("scope"), func.max(day)) \
        .where(e.member_id.is_not(None)).group_by(e.member_id)
    conn.execute(dashboard_last_active.insert().from_select(["member_id", "scope", "day"], last.union_all(chain)))
    a = dashboard_last_active.c
    conn.execute(dashboard_active.insert().from_select(
        ["scope", "day", "members"], select(a.scope, a.day, func.count()).group_by(a.scope, a.day)))
    _fold(conn, None, upto, with_members=False)
    b = M.balances.c
    _set_state(conn, "outstanding", int(conn.execute(select(func.coalesce(func.sum(b.balance), 0))
                                                     .where(b.account.startswith("member:"), b.balance > 0))
                                         .scalar_one()))
    _set_state(conn, "seq", upto)


def _fold(conn: Connection, since: int | None, upto: int, with_members: bool = True) -> None:
    """Add the events numbered in (since, upto] (all of them when since is None) to the rollup."""
    e, p = M.events.c, M.postings.c
    numbered: list[ColumnElement[bool]] = [e.hq_seq <= upto] + ([e.hq_seq > since] if since is not None else [])
    day = local_day(conn, e.device_time).label("day")
    days: dict[tuple[date, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(DAY_COLUMNS, 0))
    for r in conn.execute(select(day, e.store_id, func.count().label("n"),
                                 func.sum(case((e.kind == str(L.Kind.EARN), json_int(conn, e.payload, "paid_fen")),
                                               else_=None)).label("sales"))
                          .where(*numbered).group_by(day, e.store_id)):
        row = days[(_day(r.day), r.store_id)]
        row["events"] += r.n
        row["sales_fen"] += int(r.sales or 0)
    flows = select(day, e.store_id, p.account,
                   func.sum(case((p.amount < 0, -p.amount), else_=0)).label("out"),
                   func.sum(case((p.amount > 0, p.amount), else_=0)).label("into")) \
        .join_from(M.postings, M.events, e.event_id == p.event_id) \
        .where(*numbered, p.account.startswith("store:") | (p.account == L.BREAKAGE)) \
        .group_by(day, e.store_id, p.account)
    for r in conn.execute(flows):
        d, store, account = _day(r.day), r.store_id, r.account
        row = days[(d, store)]
        if account == L.BREAKAGE:
            row["expired"] += int(r.into)
        elif account.endswith(":issued"):
            row["issued_any"] += int(r.out)
            row["issued_own"] += int(r.out) if account == L.store_issued(store) else 0
            days[(d, account[len("store:"):-len(":issued")])]["issued_acct"] += int(r.out)
        elif account.endswith(":redeemed"):
            row["redeemed_any"] += int(r.into)
            row["redeemed_own"] += int(r.into) if account == L.store_redeemed(store) else 0
    _add(conn, dashboard_days, ("day", "store_id"), [{"day": d, "store_id": s, **v} for (d, s), v in days.items()])
    gift = json_text(conn, e.payload, "gift_id")
    gifts = conn.execute(select(day, e.store_id, gift.label("gift_id"),
                                func.sum(func.coalesce(json_int(conn, e.payload, "qty"), 1)).label("qty"))
                         .where(*numbered, e.kind == str(L.Kind.REDEEM_POST), gift.is_not(None))
                         .group_by(day, e.store_id, gift)).all()
    _add(conn, dashboard_gifts, ("day", "store_id", "gift_id"),
         [{"day": _day(r.day), "store_id": r.store_id, "gift_id": r.gift_id, "qty": int(r.qty)} for r in gifts])
    if with_members:
        _fold_members(conn, numbered, day)
        _fold_outstanding(conn, numbered)
        _fold_new_members(conn, numbered)


def _live_members(conn: Connection, *where: ColumnElement[bool]) -> Select[Any]:
    """The members not merged away, counted per local day of created_at and home store."""
    m = M.members.c
    day = local_day(conn, m.created_at).label("day")
    return select(day, m.home_store, func.count()).where(m.merged_into.is_(None), *where).group_by(day, m.home_store)


def count_new_members(conn: Connection, days: list[date] | None = None) -> None:
    """The new members of these local days (all days: None) counted again from the members."""
    m, n = M.members.c, dashboard_new.c
    if days is None:
        conn.execute(delete(dashboard_new))
        conn.execute(dashboard_new.insert().from_select(["day", "store_id", "members"], _live_members(conn)))
        return
    for d in days:  # a local day's members by the created_at index (China is UTC+8 all year)
        start = datetime.combine(d, time()) - timedelta(hours=8)
        conn.execute(delete(dashboard_new).where(n.day == d))
        conn.execute(dashboard_new.insert().from_select(["day", "store_id", "members"], _live_members(
            conn, m.created_at >= start, m.created_at < start + timedelta(days=1))))


def _fold_new_members(conn: Connection, numbered: list[ColumnElement[bool]]) -> None:
    """Count again the days of the members registered or merged away by the events folded in."""
    e, m = M.events.c, M.members.c
    day = local_day(conn, m.created_at)
    registered = select(day).join_from(M.events, M.members, m.member_id == e.member_id) \
        .where(*numbered, e.kind == str(L.Kind.MEMBER_REGISTER))
    merged = select(day).join_from(M.events, M.members, m.member_id == json_text(conn, e.payload, "from")) \
        .where(*numbered, e.kind == str(L.Kind.MEMBER_MERGE))
    days = sorted({_day(d) for d in conn.execute(registered.union(merged)).scalars()})
    count_new_members(conn, days)


def _fold_members(conn: Connection, numbered: list[ColumnElement[bool]], day: ColumnElement[Any]) -> None:
    """Move the members' last days forward, and the per-day counts with them."""
    e, a = M.events.c, dashboard_last_active.c
    latest: dict[tuple[str, str], date] = {}
    for r in conn.execute(select(e.member_id, e.store_id, func.max(day).label("day"))
                          .where(*numbered, e.member_id.is_not(None)).group_by(e.member_id, e.store_id)):
        d = _day(r.day)
        for key in ((r.member_id, r.store_id), (r.member_id, CHAIN)):
            if latest.get(key, date.min) < d:
                latest[key] = d
    if not latest:
        return
    keys = sorted(latest)
    before: dict[tuple[str, str], date] = {}
    for i in range(0, len(keys), 400):
        chunk = keys[i:i + 400]
        before.update(((r.member_id, r.scope), _day(r.day)) for r in conn.execute(
            select(a.member_id, a.scope, a.day).where(tuple_(a.member_id, a.scope).in_(chunk))))
    moved = {k: d for k, d in latest.items() if before.get(k, date.min) < d}
    counts: dict[tuple[str, date], int] = defaultdict(int)
    for (member, scope), d in moved.items():
        counts[(scope, d)] += 1
        if (member, scope) in before:
            counts[(scope, before[(member, scope)])] -= 1
    _add(conn, dashboard_last_active, ("member_id", "scope"),
         [{"member_id": m, "scope": s, "day": d} for (m, s), d in sorted(moved.items())], replace=True)
    _add(conn, dashboard_active, ("scope", "day"),
         [{"scope": s, "day": d, "members": n} for (s, d), n in sorted(counts.items()) if n])


def _fold_outstanding(conn: Connection, numbered: list[ColumnElement[bool]]) -> None:
    """The members' positive balances after the fold minus before it, for the accounts the events moved
    (each balance now, under the writer lock, is its balance at the fold's end)."""
    e, p, b = M.events.c, M.postings.c, M.balances.c
    moved = select(p.account, func.sum(p.amount).label("delta")) \
        .join_from(M.postings, M.events, e.event_id == p.event_id) \
        .where(*numbered, p.account.startswith("member:")).group_by(p.account).subquery()
    now_ = func.coalesce(b.balance, 0)
    change = conn.execute(select(func.coalesce(func.sum(
        case((now_ > 0, now_), else_=0) - case((now_ - moved.c.delta > 0, now_ - moved.c.delta), else_=0)), 0))
        .select_from(moved.outerjoin(M.balances, b.account == moved.c.account))).scalar_one()
    _set_state(conn, "outstanding", (_state(conn, "outstanding") or 0) + int(change))
