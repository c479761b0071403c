"""Staff roles, PINs and which actions need a manager's approval."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from pos_app.domain.problems import Problem, problem
from pos_app.domain.rules import ApprovalPolicy

# Lighter than argon2's defaults: a counter PIN check must feel instant on a cheap
# till, and a 4-6 digit PIN's strength is its lockout, not its hash cost.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
_PIN_HASH = re.compile(rf"\$argon2id\$v=19\$m={_HASHER.memory_cost},t={_HASHER.time_cost},p={_HASHER.parallelism}"
                       rf"\$[A-Za-z0-9+/]{{{(_HASHER.salt_len * 4 + 2) // 3}}}\$[A-Za-z0-9+/]{{{(_HASHER.hash_len * 4 + 2) // 3}}}")


class Role(StrEnum):
    CASHIER = "cashier"
    MANAGER = "manager"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Staff:
    staff_id: str
    name: str
    role: Role
    pin_hash: str
    active: bool = True

    @property
    def can_approve(self) -> bool:
        return self.role in (Role.MANAGER, Role.ADMIN)


def check_pin_format(pin: str) -> tuple[Problem, ...]:
    # ASCII digits only: str.isdigit() also passes full-width (IME) digits, which would be hashed as typed
    # and then never match the same PIN entered on a keypad
    if not isinstance(pin, str) or not pin.isascii() or not pin.isdigit() or not 4 <= len(pin) <= 8:
        return (problem("pin.format", "a PIN is 4 to 8 digits"),)
    return ()


def hash_pin(pin: str) -> str:
    return _HASHER.hash(pin)


def is_pin_hash(text: object) -> bool:
    """A PIN hash as the tills make it: argon2id with exactly these parameters. Anything else a till
    sends is refused at HQ: HQ checks PINs against these hashes, and a hash naming a huge memory
    cost would make each check cost HQ that much memory."""
    return isinstance(text, str) and _PIN_HASH.fullmatch(text) is not None


def verify_pin(pin_hash: str | None, pin: str) -> bool:
    if not isinstance(pin_hash, str) or not isinstance(pin, str):
        return False  # no PIN set (or a broken record) never verifies, and never crashes the caller
    try:
        return _HASHER.verify(pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False


class Action(StrEnum):
    REDEEM = "redeem"
    REFUND = "refund"
    ADJUST = "adjust"
    VOID_REDEMPTION = "void_redemption"


def needs_approval(policy: ApprovalPolicy, action: Action, points: int = 0) -> bool:
    if action is Action.REDEEM:
        return points > policy.redeem_points_over
    if action is Action.REFUND:
        return policy.refund
    if action is Action.ADJUST:
        return policy.adjust
    return policy.void_redemption
