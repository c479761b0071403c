"""Pull: catalogue, rules, staff and limits changed through HQ's admin API reach the
store, applied with the cursor in one transaction; a crash mid-page applies nothing;
applying a page again changes nothing; an item the store cannot use is recorded and
never blocks the cursor."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from hq_server import models as M
from hq_server.db import Database
from hq_server.feed import FeedWriter
from pos_app.services.sync_attention import sync_attention
from pos_app.domain.rules import rules_to_doc
from pos_app.services.demo import DEMO_RULES
from pos_app.store import repos
from pos_app.store import tables as T
from pos_app.sync import pull, state
from pos_app.sync.cycle import client_for, sync_once
from pos_app.sync.scheduler import SyncScheduler


VOLATILE = {"sync.handshake_at", "sync.pulled_at"}  # when, not what


def _snapshot(ctx) -> dict:
    with ctx.db.read() as conn:
        snap = {t.name: sorted(map(tuple, conn.execute(select(t)).all()), key=repr)
                for t in (T.products, T.gifts, T.coupon_types, T.campaigns, T.lotteries, T.staff, T.rules,
                          T.hq_records, T.members, T.events, T.balances, T.lots, T.meta)}
    snap["meta"] = [r for r in snap["meta"] if r[0] not in VOLATILE]
    return snap


def test_admin_changes_reach_the_store_with_the_cursor(hq, make_store):
    ctx = make_store("a")
    sync_once(ctx.db)
    sid, tag = ctx.who.store_id, uuid.uuid4().hex[:6]
    sku, gift, ctype, camp, lot = (f"{p}-{tag}" for p in ("SKU", "GIFT", "CPN", "CAMP", "LOTTO"))
    puts = [("product", sku, {"name": "新茶", "category": "tea", "price_fen": 2200, "barcode": f"69{tag}"}),
            ("gift", gift, {"name": "保温杯", "points_cost": 900}),
            ("coupon_type", ctype, {"name": "满100减10", "points_cost": 500, "kind": "amount", "value": 1000,
                                    "min_spend_fen": 10000}),
            ("campaign", camp, {"name": "周末三倍", "starts_at": "2026-01-01T00:00:00",
                                "ends_at": "2030-01-01T00:00:00", "multiplier_pct": 300, "categories": ["tea"]}),
            ("lottery", lot, {"name": "抽奖", "points_per_draw": 50,
                              "prizes": [{"code": "P0", "name": "谢谢", "weight": 9, "points": 0}]})]
    for type_, key, data in puts:
        assert hq.admin("PUT", f"/catalog/{type_}/{key}", json=data).status_code == 200
    assert hq.admin("PUT", f"/catalog/product/OLD-{tag}", json={"name": "旧", "category": "x",
                                                                "price_fen": 1}).status_code == 200
    assert hq.admin("DELETE", f"/catalog/product/OLD-{tag}").status_code == 204
    doc = {**rules_to_doc(DEMO_RULES), "daily_cap": 777}
    version = hq.admin("POST", "/rules", json={"doc": doc}).json()["version"]
    try:
        _check_changes_reached(hq, ctx, sid, tag, sku, gift, ctype, camp, lot, version)
    finally:
        # The session's HQ is shared: a daily cap of 777 made a later test's second earning of the day
        # 777 at one till and nothing at the other (test_merge_seams: debt -19 against -796), and the
        # triple points on tea changed what later tests earn. The demo rules again, the campaign gone.
        assert hq.admin("POST", "/rules", json={"doc": rules_to_doc(DEMO_RULES)}).status_code in (200, 201)
        assert hq.admin("DELETE", f"/catalog/campaign/{camp}").status_code == 204


def _check_changes_reached(hq, ctx, sid, tag, sku, gift, ctype, camp, lot, version) -> None:
    assert hq.admin("PUT", f"/stores/{sid}/staff/st-{tag}", json={"name": "新店员", "role": "cashier",
                                                                  "pin": "4321"}).status_code == 200
    # the store's own stock of the gift (DESIGN.md 11), never a number in the gift's record
    assert hq.admin("POST", "/stock/allot", json={"gift_id": gift, "location": sid, "qty": 7}).status_code == 200
    report = sync_once(ctx.db)
    assert not report.pulled.problems
    with ctx.db.read() as conn:
        p = repos.product_by_code(conn, f"69{tag}")
        assert (p.sku, p.price_fen, p.active) == (sku, 2200, True)
        assert repos.product_by_code(conn, f"OLD-{tag}").active is False
        g, stock = repos.gift_with_stock(conn, gift)
        assert (g.points_cost, stock) == (900, 7)
        assert repos.coupon_type(conn, ctype).value == 1000
        assert repos.lottery(conn, lot).points_per_draw == 50
        rules = repos.current_rules(conn)
        assert (rules.version, rules.daily_cap) == (version, 777)
        st = repos.staff_by_id(conn, f"st-{tag}")
        assert st.name == "新店员" and st.active
        from pos_app.domain.staff import verify_pin
        assert verify_pin(st.pin_hash, "4321")
        assert conn.execute(select(T.campaigns.c.multiplier_pct).where(T.campaigns.c.campaign_id == camp)).scalar() \
            == 300
        cursor = state.cursor(conn)
    page = client_for(ctx.db).pull(cursor)
    assert page.items == [] and page.cursor == cursor  # the cursor is HQ's latest


def test_a_crash_mid_page_applies_nothing_and_a_second_apply_changes_nothing(hq, make_store, monkeypatch):
    ctx = make_store("a")
    sync_once(ctx.db)
    tag = uuid.uuid4().hex[:6]
    for i in range(3):
        assert hq.admin("PUT", f"/catalog/product/P{i}-{tag}", json={"name": f"茶{i}", "category": "tea",
                                                                     "price_fen": 100 + i}).status_code == 200
    with ctx.db.read() as conn:
        cursor = state.cursor(conn)
    before = _snapshot(ctx)
    real = pull.APPLY["product"]
    seen = []

    def dies_on_the_second(conn, key, data):
        seen.append(key)
        if key.endswith(tag) and len([k for k in seen if k.endswith(tag)]) == 2:
            raise RuntimeError("power cut")
        real(conn, key, data)

    monkeypatch.setitem(pull.APPLY, "product", dies_on_the_second)
    with pytest.raises(RuntimeError, match="power cut"):
        sync_once(ctx.db)
    assert _snapshot(ctx) == before  # neither the first product nor the cursor moved
    monkeypatch.setitem(pull.APPLY, "product", real)
    page = client_for(ctx.db).pull(cursor)
    pull.apply_page(ctx.db, page)
    with ctx.db.read() as conn:
        assert [repos.product_by_code(conn, f"P{i}-{tag}").price_fen for i in range(3)] == [100, 101, 102]
        assert state.cursor(conn) == page.cursor
    once = _snapshot(ctx)
    again = pull.apply_page(ctx.db, page)
    assert again.applied == 0 and again.skipped == len(page.items)
    assert _snapshot(ctx) == once


def legacy_record(hq, type_: str, key: str, data: dict) -> None:
    """A record HQ kept before it checked records with the tills' parsers (HQ refuses one now): written
    into HQ's catalogue and feed as the old admin API did."""
    db = Database(hq.db_url)
    try:
        with db.write() as (conn, seq):
            feed = FeedWriter(seq)
            n = feed.add(M.CHAIN, type_, key, {"key": key, **data})
            conn.execute(M.catalog.insert().values(type=type_, key=key, data=json.dumps(data), seq=n,
                                                   updated_at=datetime.now(UTC).replace(tzinfo=None)))
            feed.flush(conn)
    finally:
        db.dispose()


def test_an_item_the_store_cannot_use_is_recorded_counted_and_the_cursor_moves_on(hq, make_store):
    ctx = make_store("a")
    sched = SyncScheduler(ctx.db)
    assert sched.run_once().problems == 0
    tag = uuid.uuid4().hex[:6]
    bad = {"name": "坏日期", "starts_at": "next monday", "ends_at": "2030-01-01", "multiplier_pct": 200}
    r = hq.admin("PUT", f"/catalog/campaign/BAD-{tag}", json=bad)
    assert r.status_code == 422 and "starts_at" in r.json()["message"]  # HQ refuses it today
    legacy_record(hq, "campaign", f"BAD-{tag}", bad)
    assert hq.admin("PUT", f"/catalog/product/OK-{tag}", json={"name": "好", "category": "tea",
                                                               "price_fen": 5}).status_code == 200
    report = sync_once(ctx.db)
    assert [(t, k) for t, k, _ in report.pulled.problems] == [("campaign", f"BAD-{tag}")]
    problems = pull.problems(ctx.db)
    assert any(p["key"] == f"BAD-{tag}" and "starts_at: not an ISO 8601 time" in p["problem"] for p in problems)
    assert sched.run_once().problems == 1  # the manager's status counts it ...
    shown = [a for a in sync_attention(ctx) if a.subject == f"BAD-{tag}"]
    assert [(a.what, a.kind) for a in shown] == [("unapplied", "campaign")] and "starts_at" in shown[0].reason
    with ctx.db.read() as conn:
        assert repos.product_by_code(conn, f"OK-{tag}") is not None
        cursor = state.cursor(conn)
    assert client_for(ctx.db).pull(cursor).items == []
    # fixed at HQ: the record is applied and its problem cleared
    assert hq.admin("PUT", f"/catalog/campaign/BAD-{tag}", json={
        "name": "好日期", "starts_at": "2026-01-01T00:00:00", "ends_at": "2030-01-01T00:00:00",
        "multiplier_pct": 200}).status_code == 200
    assert sched.run_once().problems == 0
    assert not [p for p in pull.problems(ctx.db) if p["key"] == f"BAD-{tag}"]
    # the session's HQ is shared: leave no double-points campaign running for the tests after this one
    assert hq.admin("DELETE", f"/catalog/campaign/BAD-{tag}").status_code == 204
