"""Codes any store of the chain takes (DESIGN.md 11): a pickup code that says what is collected and
whose it is, a coupon signed by the device that issued it, and HQ's key signing for any store."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pos_app.domain import codes as C
from pos_app.domain.codes import Reason
from pos_app.scanner import formats as F
from tests.scanner.test_scan_formats import MEMBER, NOW, REDEMPTION, STORE, flip_char

OTHER_STORE = "s-other"


@pytest.fixture
def keys():
    till, hq, other = (Ed25519PrivateKey.generate() for _ in range(3))
    ring = C.KeyRing()
    ring.trust_device_key(STORE, F.public_bytes(till))
    ring.trust_device_key(C.HQ_STORE, F.public_bytes(hq))
    ring.trust_device_key(OTHER_STORE, F.public_bytes(other))
    return till, hq, other, F.Trust.of(ring)


def kid(key) -> str:
    return C.key_id_for(F.public_bytes(key))


def test_a_pickup_code_says_what_is_collected_and_whose_it_is(keys):
    till, _, _, trust = keys
    text = F.pickup_payload(REDEMPTION, STORE, till, gift_id="GIFT-CUP", qty=2, member_id=MEMBER)
    got = F.parse(text, now=NOW, trust=trust)
    assert got == C.PickupCode(REDEMPTION, STORE, kid(till), "GIFT-CUP", 2, MEMBER)
    assert got.use_key == f"P:{REDEMPTION}"
    assert F.parse(flip_char(text, 70), now=NOW, trust=trust).reason in (Reason.TAMPERED, Reason.MALFORMED)


def test_hq_signs_pickups_for_any_store_a_store_only_for_itself(keys):
    till, hq, other, trust = keys
    online = F.pickup_payload(REDEMPTION, STORE, hq, gift_id="G", qty=1, member_id=MEMBER)
    assert F.parse(online, now=NOW, trust=trust).store_id == STORE
    forged = F.parse(F.pickup_payload(REDEMPTION, STORE, other, gift_id="G", qty=1, member_id=MEMBER), now=NOW,
                     trust=trust)
    assert forged.reason is Reason.FORGED and "another store" in forged.message
    unknown = Ed25519PrivateKey.generate()
    assert F.parse(F.pickup_payload(REDEMPTION, STORE, unknown), now=NOW, trust=trust).reason is Reason.FORGED


def test_a_coupon_round_trips_for_a_member_and_as_a_general_coupon(keys):
    till, hq, other, trust = keys
    expires = datetime(2027, 1, 31, 16, 0)
    text = F.coupon_payload("C7KQ2M9XPA", MEMBER, "TEN-OFF", expires, 500, STORE, till)
    got = F.parse(text, now=NOW, trust=trust)
    assert got == C.CouponCode("C7KQ2M9XPA", MEMBER, "TEN-OFF", expires, 500, STORE, kid(till))
    assert got.use_key == "C:C7KQ2M9XPA"
    general = F.parse(F.coupon_payload("HGENERAL42", None, "TEN-OFF", expires, 0, C.HQ_STORE, hq), now=NOW,
                      trust=trust)
    assert general.member_id is None and general.points == 0 and general.store_id == C.HQ_STORE
    assert F.parse(F.coupon_payload("CX", MEMBER, "T", expires, 5, STORE, other), now=NOW,
                   trust=trust).reason is Reason.FORGED
    assert F.parse(flip_char(text, 80), now=NOW, trust=trust).reason in (Reason.TAMPERED, Reason.MALFORMED)
    assert F.parse(text[:-5], now=NOW, trust=trust).reason is Reason.MALFORMED
    with pytest.raises(ValueError):
        F.coupon_payload("", MEMBER, "T", expires + timedelta(days=1), 5, STORE, till)
