"""HQ's corrections of this store's events reach it: a label serial scanned at two stores
while offline earns once; the later store hears `duplicate_serial` and pulls HQ's reversal."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from pos_app.services import points
from pos_app.services.demo import CASHIER_ID
from pos_app.store import tables as T
from pos_app.sync import outbox
from pos_app.sync.cycle import sync_once
from tests.sync.conftest import SEED_PIN, hq_balances, local_balances, local_ledger_ok, member_ids, once, seed_staff


def test_a_serial_scanned_at_two_stores_is_reversed_at_the_later_one(hq, make_store):
    a, b = make_store("a"), make_store("b")
    serial = f"SN-{uuid.uuid4().hex[:12]}"
    ma, mb = member_ids(a)[0], member_ids(b)[0]
    points.label_earn(a, staff_id=CASHIER_ID, member_id=ma, serial=serial, sku="TEA-OOLONG", points=38)
    points.label_earn(b, staff_id=CASHIER_ID, member_id=mb, serial=serial, sku="TEA-OOLONG", points=38)
    before_b = local_balances(b, mb)
    sync_once(a.db)
    sync_once(b.db)
    with b.db.read() as conn:
        status = conn.execute(select(T.outbox.c.hq_status, T.outbox.c.hq_note)
                              .join(T.events, T.events.c.event_id == T.outbox.c.event_id)
                              .where(T.events.c.kind == "label_earn")).one()
        problems = outbox.problems(conn)
    assert status.hq_status == "duplicate_serial" and serial in status.hq_note
    assert [p["hq_status"] for p in problems] == ["duplicate_serial"]
    after_b = local_balances(b, mb)
    assert after_b[f"member:{mb}:consumer"] == before_b[f"member:{mb}:consumer"] - 38
    assert after_b == hq_balances(hq, mb)
    assert local_balances(a, ma) == hq_balances(hq, ma)
    local_ledger_ok(a)
    local_ledger_ok(b)


def test_a_member_merge_decided_at_hq_reaches_both_stores(hq, make_store):
    from pos_app.services import checkout, members
    from pos_app.sync.cycle import client_for
    from pos_app.sync.lookup import find_or_fetch
    from tests.sync.conftest import unique_phone
    a, b = make_store("a"), make_store("b")
    phone = unique_phone()  # the same person registered at two stores while offline
    ma = members.register_member(a, staff_id=CASHIER_ID, phone=phone, name="张三", member_pin=SEED_PIN).member_id
    mb = members.register_member(b, staff_id=CASHIER_ID, phone=phone, name="张三", member_pin=SEED_PIN).member_id
    checkout.checkout(a, staff_id=CASHIER_ID, items=[("TEA-PUER", 1)], member_id=ma)
    checkout.checkout(b, staff_id=CASHIER_ID, items=[("TEA-OOLONG", 1)], member_id=mb)
    sync_once(a.db)
    sync_once(b.db)
    tasks = [c for c in hq.admin("GET", "/conflicts", params={"rule": 6, "status": "open"}).json()
             if set(c["detail"]["members"]) == {ma, mb}]
    assert len(tasks) == 1
    r = hq.admin("POST", f"/conflicts/{tasks[0]['conflict_id']}/merge", json={"keep": ma})
    assert r.status_code == 200, r.text
    sync_once(a.db)
    sync_once(b.db)
    kept = hq_balances(hq, ma)
    assert kept[f"member:{ma}:consumer"] == 268 + 128 and not hq_balances(hq, mb)
    assert local_balances(a, ma) == kept  # A never knew B's member: only the kept side moved
    assert local_balances(b, mb) == hq_balances(hq, mb) == {}
    assert local_balances(b, ma) == kept  # B fetched the member its own was merged into
    with b.db.read() as conn:
        old_card = conn.execute(select(T.members.c.card_no).where(T.members.c.member_id == mb)).scalar()
    assert find_or_fetch(b.db, None, old_card) == ma  # the old card finds the kept member, offline too
    assert find_or_fetch(b.db, client_for(b.db), old_card) == ma
    checkout.checkout(b, staff_id=CASHIER_ID, items=[("TEA-GREEN", 1)], member_id=ma, cash_points=100,
                      member_pin=SEED_PIN)
    checkout.checkout(a, staff_id=CASHIER_ID, items=[("SNACK-NUTS", 1)], member_id=ma, cash_points=100,
                      member_pin=SEED_PIN)
    for _ in range(2):
        sync_once(a.db)
        sync_once(b.db)
    assert local_balances(a, ma) == hq_balances(hq, ma) == local_balances(b, ma)
    with b.db.read() as conn:
        assert conn.execute(select(T.members.c.merged_into).where(T.members.c.member_id == mb)).scalar() == ma
    local_ledger_ok(a)
    local_ledger_ok(b)


def test_a_label_claimed_at_another_store_is_refused_here_after_a_pull(hq, make_store):
    import pytest

    from pos_app.domain.problems import Refused
    a, b = make_store("a"), make_store("b")
    serial = f"SN-{uuid.uuid4().hex[:12]}"
    points.label_earn(a, staff_id=CASHIER_ID, member_id=member_ids(a)[0], serial=serial, sku="TEA-OOLONG", points=8)
    sync_once(a.db)
    sync_once(b.db)
    with pytest.raises(Refused, match="already scanned"):
        points.label_earn(b, staff_id=CASHIER_ID, member_id=member_ids(b)[0], serial=serial, sku="TEA-OOLONG",
                          points=8)


def test_points_expire_once_when_two_stores_hold_the_member(hq, make_store, request):
    once(request)
    from datetime import timedelta

    from pos_app.sync.cycle import client_for
    from pos_app.sync.lookup import find_or_fetch
    from pos_app.store import repos
    from tests.sync.conftest import Clock
    clock_a, clock_b = Clock(), Clock()
    a, b = make_store("a", clock=clock_a), make_store("b", clock=clock_b)
    sync_once(a.db)
    member = member_ids(a)[0]
    with a.db.read() as conn:
        phone = repos.member_by_id(conn, member).phone
    assert find_or_fetch(b.db, client_for(b.db), phone) == member
    clock_a.offset = clock_b.offset = timedelta(days=400)  # past the demo rules' 365-day expiry
    assert points.expire_due(a) > 0
    points.expire_due(b)
    sync_once(a.db)
    sync_once(b.db)
    assert hq_balances(hq, member) == {}  # expired, and nothing owed


def test_a_merged_members_old_card_finds_the_kept_member_at_a_third_store(hq, make_store):
    # on both backends: HQ's lookup query follows merged_into
    from pos_app.services import members
    from pos_app.sync.cycle import client_for
    from pos_app.sync.lookup import find_or_fetch
    from tests.sync.conftest import unique_phone
    a, b, c = make_store("a", demo=False), make_store("b", demo=False), make_store("c", demo=False)
    for ctx in (a, b):
        seed_staff(ctx)
    phone = unique_phone()
    ma = members.register_member(a, staff_id=CASHIER_ID, phone=phone, name="张三", member_pin=SEED_PIN)
    mb = members.register_member(b, staff_id=CASHIER_ID, phone=phone, name="张三", member_pin=SEED_PIN)
    sync_once(a.db)
    sync_once(b.db)
    task = next(t for t in hq.admin("GET", "/conflicts", params={"rule": 6, "status": "open"}).json()
                if set(t["detail"]["members"]) == {ma.member_id, mb.member_id})
    assert hq.admin("POST", f"/conflicts/{task['conflict_id']}/merge", json={"keep": ma.member_id}).status_code == 200
    assert find_or_fetch(c.db, client_for(c.db), mb.card_no) == ma.member_id
    for q in (mb.member_id, mb.card_no, phone, ma.card_no):  # HQ answers with the kept member, whichever is asked
        assert client_for(c.db).lookup(q).member["member_id"] == ma.member_id
