"""Members: phone numbers, names, card numbers with a Luhn digit, referral codes."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.ids import new_id
from pos_app.domain.members import (MAX_NAME, card_no_for, check_name, check_phone, luhn_digit, luhn_ok,
                                    normalize_phone, referral_code_for)


@pytest.mark.parametrize("typed, phone", [
    ("13800138000", "13800138000"), ("138 0013 8000", "13800138000"), ("138-0013-8000", "13800138000"),
    ("+86 138 0013 8000", "13800138000"), ("+8613800138000", "13800138000"), (" 13800138000 ", "13800138000"),
    ("１３８００１３８０００", "13800138000"),  # full-width digits from a Chinese IME
])
def test_normalize_phone(typed, phone):
    assert normalize_phone(typed) == phone
    assert check_phone(normalize_phone(typed)) == ()


def test_normalize_phone_tolerates_nothing_typed():
    assert normalize_phone("") == "" and normalize_phone(None) == ""


@pytest.mark.parametrize("phone", ["", "1380013800", "138001380000", "12800138000", "23800138000", "1380013800a",
                                   "13800138000\n", "١٣٨٠٠١٣٨٠٠٠", "13８00138000"])
def test_bad_phones_are_refused(phone):
    """Only ASCII digits are stored: a phone with other digits would never be found again."""
    assert [p.code for p in check_phone(phone)] == ["member.phone"]


def test_names():
    assert check_name("张伟") == () and check_name("Li Lei") == () and check_name("x" * MAX_NAME) == ()
    assert check_name("  Wang  ") == ()  # trimmed before checking
    for bad in ("", "   ", None, "x" * (MAX_NAME + 1), "Tab\there", "Bell\x07", "Del\x7f", "Line\u2028break",
                "Zero\u200bwidth"):
        assert [p.code for p in check_name(bad)] == ["member.name"], repr(bad)


def test_luhn_known_numbers():
    assert luhn_ok("79927398713")
    assert not luhn_ok("79927398710")
    assert luhn_digit("7992739871") == "3"
    assert not luhn_ok("7") and not luhn_ok("") and not luhn_ok("7992739871a")
    assert not luhn_ok("７９９２７３９８７１３")  # full-width: not a card number the scanner produces


def test_card_number_is_12_digits_starting_with_8_and_passes_luhn():
    mid = "01936f4e-6a2b-7c3d-8e4f-123456789abc"
    card = card_no_for(mid)
    assert len(card) == 12 and card.isdigit() and card.startswith("8") and luhn_ok(card)
    assert card == card_no_for(mid)  # derived, so the same everywhere without coordination
    assert card[1:11] == str(int("123456789abc", 16) % 10**10).zfill(10)


@given(st.uuids(version=4))
def test_every_card_number_passes_luhn_and_any_single_digit_change_fails(u):
    card = card_no_for(str(u))
    assert luhn_ok(card)
    for i in range(12):
        for d in "0123456789":
            if d != card[i]:
                assert not luhn_ok(card[:i] + d + card[i + 1:])


def test_referral_codes_are_short_unambiguous_and_stable():
    mid = new_id()
    code = referral_code_for(mid)
    assert code == referral_code_for(mid)
    assert len(code) == 9 and code.startswith("R")
    assert not set(code[1:]) & set("01IO")  # nothing to misread aloud at a counter
    assert code == code.upper()


def test_referral_codes_differ_between_members():
    codes = {referral_code_for(new_id()) for _ in range(5000)}
    assert len(codes) == 5000
    assert referral_code_for(str(uuid.UUID(int=1))) != referral_code_for(str(uuid.UUID(int=2)))
