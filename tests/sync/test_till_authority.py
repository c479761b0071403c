"""A till's authority from an honest till's side (docs/till-authority.md): a new phone or PIN made at a
till carries the member's proof, which HQ checks and applies; what HQ refuses all the same (a PIN changed
meanwhile at another store) reaches the manager behind the "sync problems" button."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text

from pos_app.domain.staff import verify_pin
from pos_app.scanner.formats import dynamic_member_payload, public_bytes
from pos_app.services import members
from pos_app.services.demo import CASHIER_ID
from pos_app.services.sync_attention import sync_attention
from pos_app.store import repos
from pos_app.sync import state
from pos_app.sync.cycle import client_for, sync_once
from pos_app.sync.lookup import find_or_fetch
from tests.hq.ledger_check import HQLedger
from tests.sync.conftest import SEED_PIN, member_ids, unique_phone


def hq_member(hq, member_id: str):
    book = HQLedger(hq.db_url)
    try:
        (row,) = book.rows("SELECT phone, pin_hash FROM members WHERE member_id = :m", m=member_id)
        return row
    finally:
        book.close()


def answers(ctx) -> dict[str, tuple[str, str | None]]:
    """The till's record of HQ's answers: event id -> (outbox status, reason)."""
    with ctx.db.read() as conn:
        rows = conn.execute(text("SELECT o.event_id, o.status, o.answer FROM outbox o")).all()
    return {r.event_id: (r.status, r.answer) for r in rows}


def last_patch(ctx) -> str:
    with ctx.db.read() as conn:
        return conn.execute(text("SELECT event_id FROM events WHERE kind = 'member_patch' AND device_seq > 0 "
                                 "ORDER BY device_seq DESC LIMIT 1")).scalar()


def fetched_at_another_store(make_store):
    """Stores a and b, synced (each has HQ's proof key); a's first member, fetched at b. (a, b, member, phone)"""
    a, b = make_store("a"), make_store("b")
    sync_once(a.db)
    sync_once(b.db)
    member = member_ids(a)[0]
    with a.db.read() as conn:
        phone = repos.member_by_id(conn, member).phone
    assert find_or_fetch(b.db, client_for(b.db), phone) == member
    return a, b, member, phone


def test_a_phone_and_pin_changed_at_another_store_with_the_members_pin_reach_hq(hq, make_store):
    a, b, member, phone = fetched_at_another_store(make_store)
    with b.db.read() as conn:
        assert len(state.get(conn, "proof_key") or "") == 64  # from the handshake
    new_phone = unique_phone()
    members.patch_member(b, staff_id=CASHIER_ID, member_id=member, phone=new_phone, new_pin="8642",
                         member_pin=SEED_PIN)
    patch = last_patch(b)
    sync_once(b.db)
    assert answers(b)[patch][0] == "sent"
    row = hq_member(hq, member)
    assert row.phone == new_phone and verify_pin(row.pin_hash, "8642")
    sync_once(a.db)  # store a follows its member: HQ's record arrives with the new PIN
    with a.db.read() as conn:
        here = repos.member_by_id(conn, member)
    assert here.phone == new_phone and here.pin_hash == row.pin_hash
    members.check_member_pin(here, "8642")
    assert [x for x in sync_attention(b) if x.subject == patch] == []


def test_a_pin_changed_meanwhile_elsewhere_makes_hq_refuse_and_the_manager_sees_it(hq, make_store):
    a, b, member, phone = fetched_at_another_store(make_store)
    # the member sets a new PIN at a; b, offline meanwhile, still knows the old one
    members.patch_member(a, staff_id=CASHIER_ID, member_id=member, new_pin="1357", member_pin=SEED_PIN)
    sync_once(a.db)
    members.patch_member(b, staff_id=CASHIER_ID, member_id=member, phone=unique_phone(), member_pin=SEED_PIN)
    patch = last_patch(b)
    sync_once(b.db)
    status, answer = answers(b)[patch]
    assert status == "rejected" and "PIN in the proof is wrong" in answer
    (seen,) = [x for x in sync_attention(b) if x.subject == patch]
    assert seen.what == "rejected" and "PIN in the proof is wrong" in seen.reason
    assert hq_member(hq, member).phone == phone
    tasks = [c for c in hq.admin("GET", "/conflicts", params={"rule": 7, "limit": 1000}).json()
             if c["event_id"] == patch]
    assert [(t["kind"], t["status"], t["store_id"]) for t in tasks] == [("wrong_member_pin", "open", b.who.store_id)]


def test_the_members_dynamic_code_proves_a_change_at_any_till(hq, make_store):
    a, b, member, phone = fetched_at_another_store(make_store)
    key = Ed25519PrivateKey.generate()
    assert hq.admin("PUT", f"/members/{member}/key", json={"public_key": public_bytes(key).hex()}).status_code == 200
    sync_once(b.db)  # every till pulls the member's phone key
    new_phone = unique_phone()
    code = dynamic_member_payload(member, key, b.now())
    members.patch_member(b, staff_id=CASHIER_ID, member_id=member, phone=new_phone, member_code=code)
    sync_once(b.db)
    assert answers(b)[last_patch(b)][0] == "sent"
    assert hq_member(hq, member).phone == new_phone
