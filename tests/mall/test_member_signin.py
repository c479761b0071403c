"""Signing in to the mall with a phone and an SMS code (HQ's use cases, on SQLite and PostgreSQL): codes
kept hashed, expiring and rate-limited; a new phone registers a member by HQ's own ledger event; a phone
registered at a counter claims that member; wrong codes change nothing and are throttled."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hq_server.ledger import hq_events
from hq_server import models as M
from hq_server.errors import HQProblem
from hq_server.programme import sms
from hq_server.programme.mall_tables import member_sessions, sms_codes
from hq_server.programme.member_sessions import log_out, session_of
from hq_server.programme.member_signin import sign_in
from pos_app.domain.ids import new_id
from pos_app.domain.members import card_no_for, referral_code_for
from tests.hq.wire_events import FakeDevice, now
from tests.mall.conftest import last_code


def ask(db, sms_settings, phone, address, at=None):
    return sms.request_code(db, sms_settings, sms.DevSender(db), phone, address, at or now())


def enter(db, mall, sms_settings, phone, code, address, at=None, **kw):
    return sign_in(db, mall, sms.CodeCheck(sms_settings), phone=phone, code=code, address=address, now=at or now(),
                   **kw)


def refused(fn, *args, **kw) -> HQProblem:
    with pytest.raises(HQProblem) as err:
        fn(*args, **kw)
    return err.value


def counts(db):
    with db.read() as conn:
        return (conn.execute(select(func.count()).select_from(M.members)).scalar(),
                conn.execute(select(func.count()).select_from(M.events)).scalar(),
                conn.execute(select(func.count()).select_from(member_sessions)).scalar())


def test_a_new_phone_registers_a_member_by_hq_s_own_event_and_opens_a_session(db, mall, sms_settings, phone, address):
    ask(db, sms_settings, phone, address)
    code = last_code(db, phone)
    with db.read() as conn:
        stored = conn.execute(select(sms_codes.c.code_hash).where(sms_codes.c.phone == phone)).scalar()
    assert code not in stored and stored != hashlib.sha256(code.encode()).hexdigest()  # HMAC, not a bare hash
    got = enter(db, mall, sms_settings, f"+86 {phone[:3]} {phone[3:]}", code, address, name="李雷")
    assert got.registered
    with db.read() as conn:
        m = conn.execute(select(M.members).where(M.members.c.member_id == got.member_id)).first()
        ev = conn.execute(select(M.events).where(M.events.c.member_id == got.member_id)).first()
    assert (m.phone, m.name, m.home_store, m.card_no, m.referral_code) == (
        phone, "李雷", M.HQ_ORIGIN, card_no_for(got.member_id), referral_code_for(got.member_id))
    assert (ev.kind, ev.device_id, ev.status) == ("member_register", hq_events.ONLINE_DEVICE, "applied")
    who = session_of(db, got.token, now())
    assert who.member_id == got.member_id and who.fresh(now(), mall.fresh_minutes)
    log_out(db, who)
    assert session_of(db, got.token, now()) is None


def test_a_member_registered_at_a_counter_claims_their_account_by_phone(hq, db, mall, sms_settings, phone, address,
                                                                       store_id):
    till = FakeDevice(hq, store_id)
    member = new_id()
    assert till.push([till.register(member, phone), till.earn(member, 120)]).status_code == 200
    ask(db, sms_settings, phone, address)
    got = enter(db, mall, sms_settings, phone, last_code(db, phone), address)
    assert (got.member_id, got.registered) == (member, False)
    with db.read() as conn:
        assert conn.execute(select(func.count()).select_from(M.members).where(M.members.c.phone == phone)).scalar() == 1


def test_a_wrong_code_changes_nothing_and_enough_of_them_use_the_code_up(db, mall, sms_settings, phone, address):
    ask(db, sms_settings, phone, address)
    code = last_code(db, phone)
    wrong = f"{(int(code) + 1) % 10 ** 6:06d}"
    before = counts(db)
    for _ in range(sms_settings.tries_per_code):
        assert refused(enter, db, mall, sms_settings, phone, wrong, address).code == "wrong_code"
    assert counts(db) == before
    assert refused(enter, db, mall, sms_settings, phone, code, address).code == "code_expired"
    assert counts(db) == before


def test_codes_expire_are_used_once_and_a_new_one_replaces_the_old(db, mall, sms_settings, phone, address):
    t0 = now()
    ask(db, sms_settings, phone, address, t0)
    first = last_code(db, phone)
    assert refused(enter, db, mall, sms_settings, phone, first, address,
                   t0 + timedelta(seconds=sms_settings.code_ttl_s + 1)).code == "code_expired"
    ask(db, sms_settings, phone, address, t0 + timedelta(seconds=sms_settings.resend_s + 1))
    second = last_code(db, phone)
    if second != first:  # one in a million they are the same digits
        assert refused(enter, db, mall, sms_settings, phone, first, address,
                       t0 + timedelta(seconds=sms_settings.resend_s + 2)).code in ("wrong_code", "code_expired")
    enter(db, mall, sms_settings, phone, second, address, t0 + timedelta(seconds=sms_settings.resend_s + 3))
    assert refused(enter, db, mall, sms_settings, phone, second, address,
                   t0 + timedelta(seconds=sms_settings.resend_s + 4)).code == "code_expired"


def test_sends_are_limited_per_phone_and_per_address(db, sms_settings, phone, address):
    t0 = now()
    ask(db, sms_settings, phone, address, t0)
    too_soon = refused(ask, db, sms_settings, phone, address, t0 + timedelta(seconds=5))
    assert too_soon.status == 429 and too_soon.code == "sms_too_soon" and 0 < too_soon.retry_after <= 60
    step = timedelta(seconds=sms_settings.resend_s + 1)
    for i in range(1, sms_settings.per_phone):
        ask(db, sms_settings, phone, f"{address}-{i}", t0 + i * step)
    over = refused(ask, db, sms_settings, phone, "elsewhere-" + address, t0 + sms_settings.per_phone * step)
    assert (over.status, over.code) == (429, "sms_limit") and "phone" in over.message
    # one address asking for many phones
    other = "20" + address
    for i in range(sms_settings.per_address):
        ask(db, sms_settings, f"139{i:08d}"[:11], other, t0)
    assert "address" in refused(ask, db, sms_settings, "13799999999", other, t0).message


def test_wrong_codes_are_throttled_per_phone_before_any_check(db, mall, sms_settings, phone, address):
    ask(db, sms_settings, phone, address)
    for i in range(sms_settings.wrong_per_phone):
        refused(enter, db, mall, sms_settings, phone, "000000" if i % 2 else "111111", f"{address}-{i}")
    code = last_code(db, phone)
    assert refused(enter, db, mall, sms_settings, phone, code, address).status == 429


@pytest.mark.parametrize("phone_in, code_in, field", [("12345", "123456", "invalid_phone"),
                                                     ("13800138000", "12345", "invalid_code"),
                                                     ("13800138000", "１２３４５６", "invalid_code")])
def test_bad_input_is_refused_with_a_clear_message(db, mall, sms_settings, address, phone_in, code_in, field):
    before = counts(db)
    assert refused(enter, db, mall, sms_settings, phone_in, code_in, address).code == field
    assert counts(db) == before


def test_an_invitation_code_names_the_referrer_and_an_unknown_one_is_refused(db, mall, sms_settings, phone, address):
    ask(db, sms_settings, phone, address)
    inviter = enter(db, mall, sms_settings, phone, last_code(db, phone), address)
    friend = "15" + phone[2:]
    ask(db, sms_settings, friend, address + "x")
    code = last_code(db, friend)
    before = counts(db)
    assert refused(enter, db, mall, sms_settings, friend, code, address + "x",
                   referral_code="RNOSUCH22").code == "referrer_unknown"
    assert counts(db) == before
    got = enter(db, mall, sms_settings, friend, code, address + "x", referral_code=referral_code_for(inviter.member_id))
    with db.read() as conn:
        assert conn.execute(select(M.members.c.referred_by).where(M.members.c.member_id == got.member_id)
                            ).scalar() == inviter.member_id
