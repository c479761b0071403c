"""The dashboard's rollup (hq_server.programme.dashboard_rollup) against the ledger itself, on SQLite and
PostgreSQL: after a day of work pushed by two tills (sales, gift redemptions, events dated days back),
the dashboard's figures for every period, chain-wide and per store, equal sums made here in Python from
the events, postings and balances HQ holds; they still do after more work is folded in; and a rollup
made again from scratch equals the one folded in step by step."""

from __future__ import annotations

import json
import secrets
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from hq_server import models as M
from hq_server.db import Database
from hq_server.programme import dashboard_rollup
from hq_server.programme.dashboard_figures import PERIODS, figures
from hq_server.programme.dashboard_tables import (dashboard_active, dashboard_days, dashboard_gifts,
                                                  dashboard_last_active, dashboard_new, dashboard_state)
from pos_app.domain import entries as E
from pos_app.domain import ledger as L
from pos_app.domain.ids import new_id
from pos_app.domain.ledger import Entry, Kind
from pos_app.domain.lots import Lot
from tests.hq.test_merges import all_conflicts
from tests.hq.wire_events import FakeDevice, now

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def db(hq):
    database = Database(hq.db_url)
    yield database
    database.dispose()


def sale(dev: FakeDevice, member: str, points: int, paid_fen: int, days_ago: float = 0) -> dict:
    entry = E.earn(Kind.EARN, member_id=member, points=points, store_id=dev.store_id, owed=0, lot_id=new_id(),
                   now=now(), rules=dev_rules(), payload={"sale_id": new_id(), "paid_fen": paid_fen})
    return dev.event(entry, at=now() - timedelta(days=days_ago))


def dev_rules():
    from tests.hq.wire_events import RULES
    return RULES


def redemption(dev: FakeDevice, member: str, lot: str, points: int, gift: str, qty: int) -> dict:
    far = now() + timedelta(days=300)
    entry = E.spend(Kind.REDEEM_POST, member_id=member, lots=[Lot(lot, L.member_account(member), points,
                                                                  now() - timedelta(days=1), far)],
                    points=points, to_account=L.store_redeemed(dev.store_id), now=now(),
                    payload={"gift_id": gift, "qty": qty})
    assert isinstance(entry, Entry)
    return dev.event(entry)


def pushed(dev: FakeDevice, events: list[dict]) -> None:
    answers = dev.push(events).json()["answers"]
    assert all(a["status"] == "ok" for a in answers), answers


def ledger_figures(db: Database, period: str, store: str | None, at: datetime) -> dict:
    """The dashboard's figures summed here from every event and posting HQ holds."""
    today = at.replace(tzinfo=UTC).astimezone(TZ).date()
    first = today - timedelta(days=PERIODS[period] - 1)
    with db.read() as conn:
        events = conn.execute(select(M.events)).all()
        postings = conn.execute(select(M.postings)).all()
        balances = conn.execute(select(M.balances)).all()
    day_of = {e.event_id: (e.device_time + timedelta(hours=8)).date() for e in events}
    store_of = {e.event_id: e.store_id for e in events}
    inside = {e.event_id for e in events if first <= day_of[e.event_id] <= today}
    series: dict = defaultdict(lambda: [0, 0, 0])
    issued_at: Counter = Counter()
    for p in postings:
        if p.event_id not in inside:
            continue
        d, s = day_of[p.event_id], store_of[p.event_id]
        issued = p.account.startswith("store:") and p.account.endswith(":issued") and p.amount < 0
        if issued:
            issued_at[p.account] -= p.amount
        if store is not None and s != store:
            continue
        mine = (lambda acct: acct == L.store_issued(store)) if store else (lambda acct: True)
        if issued and mine(p.account):
            series[d][0] -= p.amount
        if p.account.startswith("store:") and p.account.endswith(":redeemed") and p.amount > 0 and \
                (store is None or p.account == L.store_redeemed(store)):
            series[d][1] += p.amount
        if p.account == L.BREAKAGE and p.amount > 0:
            series[d][2] += p.amount
    mine_events = [e for e in events if e.event_id in inside and (store is None or e.store_id == store)]
    gifts: Counter = Counter()
    for e in mine_events:
        payload = json.loads(e.payload)
        if e.kind == Kind.REDEEM_POST and payload.get("gift_id") is not None:
            gifts[payload["gift_id"]] += payload.get("qty", 1)
    ranked: dict = defaultdict(lambda: [0, set()])
    for e in (e for e in events if e.event_id in inside and e.store_id != M.HQ_ORIGIN):
        if store is None or e.store_id == store:
            ranked[e.store_id][0] += 1
            if e.member_id is not None:
                ranked[e.store_id][1].add(e.member_id)
    return {
        "active_members": len({e.member_id for e in mine_events if e.member_id is not None}),
        "series": [{"day": (first + timedelta(days=i)).isoformat(),
                    **dict(zip(("issued", "redeemed", "expired"), series[first + timedelta(days=i)]))}
                   for i in range(PERIODS[period])],
        "sales_fen": sum(json.loads(e.payload).get("paid_fen", 0) for e in mine_events if e.kind == Kind.EARN),
        "top_gifts": sorted(gifts.items(), key=lambda g: (-g[1], g[0]))[:10],
        "ranked": {s: (n, len(ms), issued_at[L.store_issued(s)]) for s, (n, ms) in ranked.items()},
        "points_outstanding": sum(b.balance for b in balances if b.account.startswith("member:") and b.balance > 0),
    }


def shown(got: dict) -> dict:
    return {"active_members": got["active_members"], "series": got["series"], "sales_fen": got["sales_fen"],
            "top_gifts": [(g["gift_id"], g["qty"]) for g in got["top_gifts"]],
            "ranked": {r["store_id"]: (r["events"], r["members"], r["points_issued"]) for r in got["stores_ranked"]},
            "points_outstanding": got["points_outstanding"]}


def assert_agree(db: Database, stores: list[str]) -> None:
    at = now()
    for period in PERIODS:
        for store in (None, *stores):
            got = shown(figures(db, period, store, at))
            want = ledger_figures(db, period, store, at)
            if store is None:  # the chain's ranking stops at 20 stores: compare those it shows
                want["ranked"] = {s: v for s, v in want["ranked"].items() if s in got["ranked"]}
                assert len(got["ranked"]) == min(20, len(ledger_figures(db, period, None, at)["ranked"]))
            assert got == want, (period, store)


def rollup_rows(db: Database) -> dict:
    with db.read() as conn:
        return {t.name: sorted(tuple(r) for r in conn.execute(select(t)).all())
                for t in (dashboard_days, dashboard_gifts, dashboard_last_active, dashboard_active, dashboard_state)}


def test_the_rollup_folded_in_step_by_step_equals_the_ledger_and_a_rollup_made_again(hq, db, store_id):
    a, b = FakeDevice(hq, store_id), FakeDevice(hq, store_id + "-b")
    try:
        members = [new_id() for _ in range(4)]
        first = [a.register(m, f"139{i:08d}") for i, m in enumerate(members[:2])] + \
                [b.register(m, f"138{i:08d}") for i, m in enumerate(members[2:])]
        pushed(a, first[:2])
        pushed(b, first[2:])
        grant = sale(a, members[0], 300, 30_000)
        pushed(a, [grant, sale(a, members[1], 50, 5_000, days_ago=3), sale(a, members[1], 20, 2_000, days_ago=12)])
        pushed(b, [sale(b, members[2], 70, 7_000, days_ago=0.2), sale(b, members[0], 10, 1_000, days_ago=40)])
        assert_agree(db, [a.store_id, b.store_id])

        # more work: a redemption, a member active again at another store, an older sale arriving late
        pushed(a, [redemption(a, members[0], FakeDevice.lot_of(grant), 120, "G-CUP", 2),
                   sale(a, members[3], 15, 1_500, days_ago=5)])
        pushed(b, [sale(b, members[1], 40, 4_000), sale(b, members[3], 5, 500, days_ago=29)])
        assert_agree(db, [a.store_id, b.store_id])

        folded = rollup_rows(db)
        with db.write() as (conn, _seq):
            dashboard_rollup.rebuild(conn)
        again = rollup_rows(db)
        # counts of zero left behind by the folds are rows a rebuild does not make
        folded["dashboard_active"] = [r for r in folded["dashboard_active"] if r[2] != 0]
        assert again == folded
    finally:
        a.close()
        b.close()


def members_counted_here(db: Database, period: str, store: str | None, at: datetime) -> int:
    """A period's new members counted here from every member HQ holds (merged ones not)."""
    today = at.replace(tzinfo=UTC).astimezone(TZ).date()
    first = today - timedelta(days=PERIODS[period] - 1)
    with db.read() as conn:
        rows = conn.execute(select(M.members.c.created_at, M.members.c.home_store, M.members.c.merged_into)).all()
    return sum(1 for r in rows if r.merged_into is None and first <= (r.created_at + timedelta(hours=8)).date() <= today
               and (store is None or r.home_store == store))


def new_members_shown(db: Database, stores: list[str]) -> dict:
    at = now()
    got = {(p, s): figures(db, p, s, at)["new_members"] for p in PERIODS for s in (None, *stores)}
    assert got == {(p, s): members_counted_here(db, p, s, at) for p in PERIODS for s in (None, *stores)}
    return got


def registered(dev: FakeDevice, member: str, phone: str, days_ago: float = 0) -> dict:
    ev = dev.register(member, phone)
    ev["device_time"] = (now() - timedelta(days=days_ago)).isoformat()
    return ev


def merged(hq, member: str, into: str) -> None:
    task = next(t for t in all_conflicts(hq) if t["kind"] == "same_phone" and t["status"] == "open"
                and {member, into} <= set(t["detail"]["members"]))
    done = hq.admin("POST", f"/conflicts/{task['conflict_id']}/merge", json={"keep": into})
    assert done.status_code == 200, done.text


def test_new_members_after_registrations_and_merges(hq, db, store_id):
    a, b = FakeDevice(hq, store_id), FakeDevice(hq, store_id + "-b")
    stores = [a.store_id, b.store_id]
    try:
        before = new_members_shown(db, stores)
        m = [new_id() for _ in range(5)]
        phones = [f"137{secrets.randbelow(10**8):08d}" for _ in range(3)]
        pushed(a, [registered(a, m[0], phones[0]), registered(a, m[1], phones[1], days_ago=3),
                   registered(a, m[2], phones[2], days_ago=12)])
        pushed(b, [registered(b, m[3], phones[0]), registered(b, m[4], phones[2], days_ago=40)])
        # the same member registered again by the other till: refused, counted once
        again = b.push([registered(b, m[1], phones[1], days_ago=1)]).json()["answers"]
        assert [x["status"] for x in again] == ["rejected"]
        after = new_members_shown(db, stores)
        assert after[("today", a.store_id)] == before[("today", a.store_id)] + 1
        assert after[("today", None)] == before[("today", None)] + 2
        assert after[("7d", a.store_id)] == before[("7d", a.store_id)] + 2
        assert after[("30d", None)] == before[("30d", None)] + 4  # m[4] registered 40 days ago
        assert after[("30d", b.store_id)] == before[("30d", b.store_id)] + 1

        merged(hq, m[3], into=m[0])  # today's at b, merged into a's
        merged(hq, m[2], into=m[4])  # 12 days ago at a, into one of 40 days ago
        once = new_members_shown(db, stores)
        assert once[("today", None)] == after[("today", None)] - 1
        assert once[("today", b.store_id)] == after[("today", b.store_id)] - 1
        assert once[("30d", a.store_id)] == after[("30d", a.store_id)] - 1
        assert once[("7d", a.store_id)] == after[("7d", a.store_id)]

        with db.read() as conn:
            folded = sorted(tuple(r) for r in conn.execute(select(dashboard_new)).all())
        with db.write() as (conn, _seq):
            dashboard_rollup.rebuild(conn)
        with db.read() as conn:
            again = sorted(tuple(r) for r in conn.execute(select(dashboard_new)).all())
        assert again == [r for r in folded if r[2] != 0]
    finally:
        a.close()
        b.close()
