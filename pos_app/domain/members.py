"""Members and their profile rules."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from pos_app.domain.problems import Problem, problem

# mainland China mobile numbers; [0-9], not \d (which also matches full-width and other scripts' digits),
# and fullmatch, not $ (which also matches before a trailing newline)
_PHONE = re.compile(r"1[3-9][0-9]{9}")
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９＋", "0123456789+")
_REFERRAL_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud at a counter
MAX_NAME = 40
EDITABLE_FIELDS = ("name", "phone", "birthday", "note")


@dataclass(frozen=True, slots=True)
class Member:
    member_id: str
    phone: str
    name: str
    tier: str
    card_no: str
    referral_code: str
    referred_by: str | None
    created_at: datetime
    home_store: str
    first_purchase_at: datetime | None = None
    pin_hash: str | None = None
    risk_flag: str | None = None


def normalize_phone(text: str) -> str:
    digits = re.sub(r"[\s\-]", "", (text or "").translate(_FULL_WIDTH_DIGITS))
    if digits.startswith("+86"):
        digits = digits[3:]
    return digits


def check_phone(phone: str) -> tuple[Problem, ...]:
    if not isinstance(phone, str) or not _PHONE.fullmatch(phone):
        return (problem("member.phone", "a phone number is 11 digits starting with 1 (e.g. 13800138000)"),)
    return ()


def check_name(name: str) -> tuple[Problem, ...]:
    name = (name or "").strip()
    # isprintable refuses every control and format character (tab, DEL, line separators, zero-width)
    if not name or len(name) > MAX_NAME or not name.isprintable():
        return (problem("member.name", f"a name is 1 to {MAX_NAME} printable characters"),)
    return ()


def referral_code_for(member_id: str) -> str:
    """A short code derived from the id: stable everywhere without coordination."""
    n = int(member_id.replace("-", "")[-12:], 16)
    out = []
    for _ in range(8):
        n, r = divmod(n, len(_REFERRAL_ALPHABET))
        out.append(_REFERRAL_ALPHABET[r])
    return "R" + "".join(out)


def card_no_for(member_id: str) -> str:
    """12-digit card number: '8', ten digits from the id's random tail, a Luhn digit."""
    body = str(int(member_id.replace("-", "")[-12:], 16) % 10**10).zfill(10)
    return "8" + body + luhn_digit("8" + body)


def luhn_digit(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def luhn_ok(number: str) -> bool:
    return number.isdigit() and len(number) >= 2 and luhn_digit(number[:-1]) == number[-1]
