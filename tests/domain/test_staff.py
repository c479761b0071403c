"""Staff roles, argon2-hashed PINs, and which actions need a manager's approval."""

from __future__ import annotations

import pytest

from pos_app.domain.rules import ApprovalPolicy
from pos_app.domain.staff import Action, Role, Staff, check_pin_format, hash_pin, needs_approval, verify_pin


@pytest.fixture(scope="module")
def pin_hash() -> str:
    return hash_pin("2468")


def test_roles_and_who_can_approve():
    assert {r.value for r in Role} == {"cashier", "manager", "admin"}
    assert not Staff("s1", "Cashier", Role.CASHIER, "h").can_approve
    assert Staff("s2", "Manager", Role.MANAGER, "h").can_approve
    assert Staff("s3", "Admin", Role.ADMIN, "h").can_approve


def test_pins_are_argon2id_hashes_salted_per_hash(pin_hash):
    assert pin_hash.startswith("$argon2id$")
    assert "2468" not in pin_hash
    assert hash_pin("2468") != pin_hash  # a fresh salt each time


def test_verify_pin_accepts_the_pin_and_nothing_else(pin_hash):
    assert verify_pin(pin_hash, "2468")
    for wrong in ("2469", "", "02468", "2468 ", "８６４２"):
        assert not verify_pin(pin_hash, wrong), wrong


def test_verify_pin_is_false_not_an_error_for_a_missing_or_broken_hash():
    for broken in ("", "not-a-hash", "$argon2id$v=19$m=19456,t=2,p=1$xx", None, 1234):
        assert verify_pin(broken, "2468") is False


@pytest.mark.parametrize("pin", ["1234", "000000", "12345678"])
def test_good_pin_formats(pin):
    assert check_pin_format(pin) == ()


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", "", " 1234", "-123", None, 1234,
                                 "１２３４",  # full-width digits from a Chinese IME: never typeable on the keypad
                                 "١٢٣٤", "²³⁴⁵"])
def test_bad_pin_formats(pin):
    assert [p.code for p in check_pin_format(pin)] == ["pin.format"]


def test_redemptions_need_approval_only_above_the_threshold():
    policy = ApprovalPolicy(redeem_points_over=5000)
    assert not needs_approval(policy, Action.REDEEM, 5000)
    assert needs_approval(policy, Action.REDEEM, 5001)
    assert not needs_approval(policy, Action.REDEEM)
    assert needs_approval(ApprovalPolicy(redeem_points_over=0), Action.REDEEM, 1)


def test_refunds_adjustments_and_voids_follow_their_switches():
    strict = ApprovalPolicy()
    assert needs_approval(strict, Action.REFUND)
    assert needs_approval(strict, Action.ADJUST)
    assert needs_approval(strict, Action.VOID_REDEMPTION)
    lax = ApprovalPolicy(refund=False, adjust=False, void_redemption=False)
    assert not needs_approval(lax, Action.REFUND)
    assert not needs_approval(lax, Action.ADJUST)
    assert not needs_approval(lax, Action.VOID_REDEMPTION)
    only_refund = ApprovalPolicy(refund=True, adjust=False, void_redemption=False)
    assert [needs_approval(only_refund, a) for a in (Action.REFUND, Action.ADJUST, Action.VOID_REDEMPTION)] == [
        True, False, False]
