"""A member's credentials set in the mall, which the tills then trust: the PIN (argon2 with the tills'
parameters, a member_patch event HQ writes) and the phone key (a chain-wide member_key item every till
pulls). Both need a fresh SMS sign-in, or (the PIN) the current PIN; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from hq_server.ledger import hq_events
from hq_server import models as M
from hq_server.errors import HQProblem
from hq_server.label_keys import member_key
from hq_server.programme import sms
from hq_server.programme.member_pin import set_pin
from hq_server.programme.member_sessions import session_of
from hq_server.programme.member_signin import sign_in
from hq_server.programme.phone_keys import phone_key_id, register_phone_key
from pos_app.domain import codes as C
from pos_app.domain.label_batches import public_bytes
from pos_app.domain.staff import is_pin_hash, verify_pin
from pos_app.scanner import formats
from tests.hq.wire_events import FakeDevice, now
from tests.mall.conftest import last_code


@pytest.fixture
def member(db, mall, sms_settings, phone, address):
    """A member just signed in: (member id, their session)."""
    sms.request_code(db, sms_settings, sms.DevSender(db), phone, address, now())
    got = sign_in(db, mall, sms.CodeCheck(sms_settings), phone=phone, code=last_code(db, phone), address=address,
                  now=now())
    return got.member_id, session_of(db, got.token, now())


def pin_hash_of(db, member_id):
    with db.read() as conn:
        return conn.execute(select(M.members.c.pin_hash).where(M.members.c.member_id == member_id)).scalar()


def refused(fn, *args, **kw) -> HQProblem:
    with pytest.raises(HQProblem) as err:
        fn(*args, **kw)
    return err.value


def test_a_fresh_sign_in_sets_the_pin_the_tills_check(db, gate, mall, member):
    member_id, who = member
    set_pin(db, gate, mall, who, new_pin="2468", current_pin=None, now=now())
    stored = pin_hash_of(db, member_id)
    assert is_pin_hash(stored) and verify_pin(stored, "2468") and not verify_pin(stored, "1357")
    with db.read() as conn:
        ev = conn.execute(select(M.events).where(M.events.c.member_id == member_id, M.events.c.kind == "member_patch")
                          ).first()
    assert (ev.device_id, ev.status) == (hq_events.ONLINE_DEVICE, "applied") and "2468" not in ev.payload


def test_changing_a_pin_later_needs_the_current_one_and_wrong_ones_are_throttled(db, gate, mall, member):
    member_id, who = member
    set_pin(db, gate, mall, who, new_pin="2468", current_pin=None, now=now())
    later = now() + timedelta(minutes=mall.fresh_minutes + 1)
    assert refused(set_pin, db, gate, mall, who, new_pin="1357", current_pin=None, now=later).code == "pin_needs_proof"
    for _ in range(mall.pin_failures):
        assert refused(set_pin, db, gate, mall, who, new_pin="1357", current_pin="0000", now=later).code == "wrong_pin"
    assert refused(set_pin, db, gate, mall, who, new_pin="1357", current_pin="2468", now=later).status == 429
    assert verify_pin(pin_hash_of(db, member_id), "2468")
    after_window = later + timedelta(seconds=mall.pin_window_s + 1)
    set_pin(db, gate, mall, who, new_pin="1357", current_pin="2468", now=after_window)
    assert verify_pin(pin_hash_of(db, member_id), "1357")


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", "１２３４"])
def test_a_pin_that_is_not_4_to_8_digits_is_refused(db, gate, mall, member, pin):
    member_id, who = member
    assert refused(set_pin, db, gate, mall, who, new_pin=pin, current_pin=None, now=now()).code == "invalid_pin"
    assert pin_hash_of(db, member_id) is None


def test_a_phone_key_reaches_every_till_which_then_verifies_the_phone_s_codes(hq, db, mall, member, store_id):
    member_id, who = member
    till = FakeDevice(hq, store_id)
    _, cursor = till.pull_all()
    key = Ed25519PrivateKey.generate()
    public = public_bytes(key).hex()
    kid = register_phone_key(db, mall, who, public_key=public,
                             proof=formats.dynamic_member_payload(member_id, key, now()), now=now())
    assert kid == C.key_id_for(bytes.fromhex(public)) == phone_key_id(db, member_id)
    items, _ = till.pull_all(cursor)
    pulled = [i for i in items if i["type"] == "member_key" and i["key"] == member_id]
    assert [i["data"] for i in pulled] == [{"member_id": member_id, "key_id": kid, "public_key": public}]
    ring = C.KeyRing()
    ring.trust_member_key(member_id, bytes.fromhex(pulled[0]["data"]["public_key"]))
    scanned = formats.parse(formats.dynamic_member_payload(member_id, key, now()), now=now(),
                            trust=formats.Trust.of(ring))
    assert isinstance(scanned, C.DynamicMemberCode) and scanned.member_id == member_id


def test_a_phone_key_needs_a_fresh_sign_in_and_a_proof_signed_by_it(db, mall, member):
    member_id, who = member
    key, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    public = public_bytes(key).hex()
    late = now() + timedelta(minutes=mall.fresh_minutes + 1)
    assert refused(register_phone_key, db, mall, who, public_key=public,
                   proof=formats.dynamic_member_payload(member_id, key, late), now=late).code == "needs_fresh_sign_in"
    assert refused(register_phone_key, db, mall, who, public_key=public,
                   proof=formats.dynamic_member_payload(member_id, other, now()), now=now()).code == "invalid_proof"
    old = now() - timedelta(minutes=5)
    assert refused(register_phone_key, db, mall, who, public_key=public,
                   proof=formats.dynamic_member_payload(member_id, key, old), now=now()).code == "invalid_proof"
    assert refused(register_phone_key, db, mall, who, public_key="ab" * 31, proof="x", now=now()).code == "invalid_key"
    with db.read() as conn:
        assert member_key(conn, member_id) is None
        assert conn.execute(select(func.count()).select_from(M.feed).where(M.feed.c.key == member_id,
                                                                           M.feed.c.type == "member_key")).scalar() == 0
