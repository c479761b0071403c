"""Registering, finding and editing members; signing staff in (PINs and their lockout)."""

import json

import pytest
from dbcheck import audit_since, last_audit_id, last_seq, rows

from pos_app.domain.members import luhn_ok
from pos_app.domain.problems import Refused
from pos_app.services import members, staff as staff_uc
from pos_app.services.context import PIN_LOCK_SECONDS, PIN_TRIES
from pos_app.services.demo import DEMO_MEMBER_PIN, demo_member_code


def test_register_writes_member_event_outbox_and_audit(ctx, staff, demo_members):
    seq, audit_id = last_seq(ctx), last_audit_id(ctx)
    referrer = demo_members["13800138000"]
    m = members.register_member(ctx, staff_id=staff.cashier, phone="+86 139-0000-0001", name="  周杰  ",
                                referrer_code=referrer.referral_code.lower(), member_pin="654321")
    assert (m.phone, m.name, m.tier, m.referred_by) == ("13900000001", "周杰", "basic", referrer.member_id)
    assert len(m.card_no) == 12 and luhn_ok(m.card_no) and m.first_purchase_at is None
    assert rows(ctx, "SELECT phone, name, tier, home_store FROM members WHERE member_id = :m", m=m.member_id) == [
        ("13900000001", "周杰", "basic", ctx.who.store_id)]
    [(event_id, kind, member_id, seq_no, payload)] = rows(
        ctx, "SELECT event_id, kind, member_id, device_seq, payload FROM events WHERE device_seq > :s", s=seq)
    assert (kind, member_id, seq_no) == ("member_register", m.member_id, seq + 1)
    assert json.loads(payload)["phone"] == "13900000001"
    assert rows(ctx, "SELECT COUNT(*) FROM postings WHERE event_id = :e", e=event_id) == [(0,)]
    assert rows(ctx, "SELECT device_seq, status FROM outbox WHERE event_id = :e", e=event_id) == [(seq + 1, "pending")]
    assert audit_since(ctx, audit_id) == [("member_register", staff.cashier, None, m.member_id)]


def test_find_member_by_phone_card_and_referral_code(ctx, demo_members):
    m = demo_members["13912345678"]
    assert members.find_member(ctx, " 139 1234 5678 ").member_id == m.member_id
    assert members.find_member(ctx, m.card_no).member_id == m.member_id
    assert members.find_member(ctx, m.referral_code.lower()).member_id == m.member_id


@pytest.mark.parametrize("query, code", [
    ("", "member.query"), ("hello", "member.query"), ("13700000000", "member.not_found"),
    ("812345678901", None),  # a 12-digit number with a wrong check digit, or an unknown card
])
def test_find_member_refuses_what_is_not_a_member(ctx, query, code):
    with pytest.raises(Refused) as info:
        members.find_member(ctx, query)
    if code is None:
        code = "member.not_found" if luhn_ok(query) else "member.card_check"
    assert info.value.codes == (code,) and str(info.value)


@pytest.mark.parametrize("kwargs, code", [
    ({"phone": "12345"}, "member.phone"),
    ({"phone": "23900000001"}, "member.phone"),
    ({"phone": "1390000000x"}, "member.phone"),
    ({"name": ""}, "member.name"),
    ({"name": "   "}, "member.name"),
    ({"name": "名" * 41}, "member.name"),
    ({"name": "bad\x07name"}, "member.name"),
    ({"member_pin": "12"}, "pin.format"),
    ({"member_pin": "12ab56"}, "pin.format"),
    ({"member_pin": "1" * 9}, "pin.format"),
    ({"phone": "13800138000"}, "member.exists"),
    ({"referrer_code": "RZZZZZZZZ"}, "member.referrer"),
    ({"staff_id": "nobody"}, "staff.unknown"),
    ({"staff_id": ""}, "staff.unknown"),
])
def test_register_refuses_bad_input_and_changes_nothing(ctx, staff, refused, kwargs, code):
    args = {"staff_id": staff.cashier, "phone": "13900000001", "name": "周杰", "member_pin": "654321", **kwargs}
    refused(code, members.register_member, **args)


def test_patch_member_records_the_change(ctx, staff, demo_members):
    m = demo_members["13688889999"]
    seq, audit_id = last_seq(ctx), last_audit_id(ctx)
    after = members.patch_member(ctx, staff_id=staff.cashier, member_id=m.member_id, name="王强强",
                                 phone="13688880000", member_pin=DEMO_MEMBER_PIN)
    assert (after.name, after.phone) == ("王强强", "13688880000")
    [(kind, payload)] = rows(ctx, "SELECT kind, payload FROM events WHERE device_seq > :s", s=seq)
    assert kind == "member_patch"
    assert json.loads(payload)["fields"] == {"name": "王强强", "phone": "13688880000"}
    assert audit_since(ctx, audit_id) == [("member_patch", staff.cashier, None, m.member_id)]
    assert members.find_member(ctx, "13688880000").member_id == m.member_id


@pytest.mark.parametrize("kwargs, code", [
    ({}, "member.no_change"),
    ({"name": ""}, "member.name"),
    ({"phone": "999"}, "member.phone"),
    ({"phone": "13912345678"}, "member.exists"),  # another member's number
    ({"name": "x", "member_id": "no-such-member"}, "member.unknown"),
    ({"name": "x", "staff_id": "nobody"}, "staff.unknown"),
])
def test_patch_refuses_bad_input_and_changes_nothing(ctx, staff, demo_members, refused, kwargs, code):
    args = {"staff_id": staff.cashier, "member_id": demo_members["13800138000"].member_id, **kwargs}
    refused(code, members.patch_member, **args)


def test_a_new_phone_or_pin_needs_the_member_there(ctx, staff, demo_members, refused):
    """The member's PIN or their phone's dynamic code, checked at the counter (and carried to HQ by an
    enrolled till: tests/sync/test_till_authority.py). A name needs neither."""
    m = demo_members["13688889999"]
    args = {"staff_id": staff.cashier, "member_id": m.member_id}
    refused("member.proof_required", members.patch_member, **args, phone="13688880001")
    refused("member.proof_required", members.patch_member, **args, new_pin="8642")
    refused("member.wrong_pin", members.patch_member, **args, phone="13688880001", member_pin="0000")
    refused("member.code_scan", members.patch_member, **args, phone="13688880001", member_code=f"D:{m.member_id}:1")
    refused("pin.format", members.patch_member, **args, new_pin="12", member_pin=DEMO_MEMBER_PIN)
    assert members.patch_member(ctx, **args, name="王强").name == "王强"
    members.patch_member(ctx, **args, new_pin="8642", member_pin=DEMO_MEMBER_PIN)
    refused("member.wrong_pin", members.patch_member, **args, phone="13688880001", member_pin=DEMO_MEMBER_PIN)
    assert members.patch_member(ctx, **args, phone="13688880001", member_pin="8642").phone == "13688880001"
    code = demo_member_code(ctx, "13688889999")
    assert members.patch_member(ctx, **args, new_pin="9753", member_code=code).phone == "13688880001"
    with ctx.db.read() as conn:
        members.check_member_pin(members.require_member(conn, m.member_id), "9753")
    refused("scan.replayed", members.patch_member, **args, phone="13688880002", member_code=code)
    [(payload,)] = rows(ctx, "SELECT payload FROM events WHERE kind = 'member_patch' ORDER BY device_seq DESC LIMIT 1")
    assert set(json.loads(payload)["fields"]) == {"pin_hash"} and "proof" not in json.loads(payload)  # never enrolled


def test_staff_sign_in_right_and_wrong_pin(ctx, staff, refused):
    assert staff_uc.sign_in(ctx, staff_id=staff.cashier, pin=staff.cashier_pin).staff_id == staff.cashier
    refused("pin.wrong", staff_uc.sign_in, staff_id=staff.cashier, pin="0000")
    refused("pin.wrong", staff_uc.sign_in, staff_id=staff.cashier, pin="")
    refused("staff.unknown", staff_uc.sign_in, staff_id="nobody", pin="1111")


def test_staff_pin_lockout_after_five_wrong_pins_then_released(ctx, staff, ticker, refused):
    for _ in range(PIN_TRIES):
        refused("pin.wrong", staff_uc.sign_in, staff_id=staff.cashier, pin="0000")
    err = refused("pin.locked", staff_uc.sign_in, staff_id=staff.cashier, pin=staff.cashier_pin)
    assert "try again" in str(err)
    # another staff member is not locked out by the cashier's mistakes
    assert staff_uc.sign_in(ctx, staff_id=staff.manager, pin=staff.manager_pin)
    ticker.t += PIN_LOCK_SECONDS - 1
    refused("pin.locked", staff_uc.sign_in, staff_id=staff.cashier, pin=staff.cashier_pin)
    ticker.t += 2
    assert staff_uc.sign_in(ctx, staff_id=staff.cashier, pin=staff.cashier_pin)


def test_right_pin_clears_earlier_failures(ctx, staff, refused):
    for _ in range(PIN_TRIES - 1):
        refused("pin.wrong", staff_uc.sign_in, staff_id=staff.cashier, pin="0000")
    assert staff_uc.sign_in(ctx, staff_id=staff.cashier, pin=staff.cashier_pin)
    for _ in range(PIN_TRIES - 1):
        refused("pin.wrong", staff_uc.sign_in, staff_id=staff.cashier, pin="0000")
    assert staff_uc.sign_in(ctx, staff_id=staff.cashier, pin=staff.cashier_pin)

