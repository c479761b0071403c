"""Every code format round-trips; forged, tampered, expired, replayed and garbage are refused."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pos_app.domain import codes as C
from pos_app.domain.codes import Reason
from pos_app.domain.members import card_no_for
from pos_app.scanner import formats as F

NOW = datetime(2026, 11, 25, 8, 0, 10)
MEMBER = "01936b2e-7c4a-7def-8a11-0123456789ab"
REDEMPTION = "01936b2e-7c4a-7def-8a11-fedcba987654"
STORE = "01936b2e-0000-7000-8000-00000000000a"


@pytest.fixture
def keys():
    hq, member, device = (Ed25519PrivateKey.generate() for _ in range(3))
    ring = C.KeyRing()
    ring.trust_label_key(F.public_bytes(hq))
    ring.trust_member_key(MEMBER, F.public_bytes(member))
    ring.trust_device_key(STORE, F.public_bytes(device))
    return hq, member, device, F.Trust.of(ring)


def parse(text, trust, **kw):
    return F.parse(text, now=kw.pop("now", NOW), trust=trust, **kw)


def flip_char(payload: str, index_from_end: int) -> str:
    """Change one base32 character of the body (a different, still valid character)."""
    i = len(payload) - index_from_end
    new = "A" if payload[i] != "A" else "B"
    return payload[:i] + new + payload[i + 1:]


def reencode(payload: str, change) -> str:
    head, body = payload[:6], payload[6:]
    raw = bytearray(base64.b32decode(body + "=" * (-len(body) % 8)))
    change(raw)
    return head + base64.b32encode(bytes(raw)).decode().rstrip("=")


# --- round trips ----------------------------------------------------------------------
def test_member_card_round_trip():
    card = card_no_for(MEMBER)
    text = F.member_card_payload(card)
    assert text == f"PM1:M:{card}"
    assert F.parse(text, now=NOW) == C.MemberCard(card)
    assert F.parse(text.lower(), now=NOW) == C.MemberCard(card)  # a wedge scanner with caps lock


def test_dynamic_member_code_round_trip(keys):
    _, member, _, trust = keys
    text = F.dynamic_member_payload(MEMBER, member, NOW)
    assert text.startswith("PM1:D:") and text[6:].isalnum() and text == text.upper()
    got = parse(text, trust)
    assert got == C.DynamicMemberCode(MEMBER, C.key_id_for(F.public_bytes(member)), C.time_step(NOW))
    assert len(text) < 150  # QR alphanumeric mode, version 7 at level M


def test_label_round_trip(keys):
    hq, _, _, trust = keys
    text = F.label_payload("TEA-OOLONG", "ABCDEFGH-000042", 68, hq)
    got = parse(text, trust)
    assert got == C.ProductLabel("TEA-OOLONG", "ABCDEFGH-000042", 68, C.key_id_for(F.public_bytes(hq)))
    assert got.batch == "ABCDEFGH"
    chinese = F.label_payload("乌龙茶", "ABCDEFGH-000043", 8, hq)
    assert parse(chinese, trust).sku == "乌龙茶"


def test_pickup_round_trip_with_uuid_and_plain_store_ids(keys):
    _, _, device, trust = keys
    text = F.pickup_payload(REDEMPTION, STORE, device)
    assert parse(text, trust) == C.PickupCode(REDEMPTION, STORE, C.key_id_for(F.public_bytes(device)))
    ring = C.KeyRing()
    ring.trust_device_key("store-7", F.public_bytes(device))
    assert F.parse(F.pickup_payload(REDEMPTION, "store-7", device), now=NOW,
                   trust=F.Trust.of(ring)).store_id == "store-7"


def test_plain_barcodes():
    assert F.parse("6901234567892", now=NOW) == C.ProductBarcode("6901234567892", "EAN13")
    assert F.parse("TEA-OOLONG\r\n", now=NOW) == C.ProductBarcode("TEA-OOLONG", "CODE128")
    assert F.parse(b"6901234567892", now=NOW, symbology="CODE128") == C.ProductBarcode("6901234567892", "CODE128")
    bad = F.parse("6901234567893", now=NOW)
    # a misread or mistyped digit, not tampering: no signature is involved
    assert bad.reason is Reason.CHECK_DIGIT and "check digit" in bad.message


# --- refusals ---------------------------------------------------------------------------
def test_forged_codes_signed_by_keys_the_store_does_not_trust(keys):
    _, _, _, trust = keys
    mallory = Ed25519PrivateKey.generate()
    assert parse(F.label_payload("TEA", "ABCDEFGH-000001", 68, mallory), trust).reason is Reason.FORGED
    assert parse(F.dynamic_member_payload(MEMBER, mallory, NOW), trust).reason is Reason.FORGED
    assert parse(F.pickup_payload(REDEMPTION, STORE, mallory), trust).reason is Reason.FORGED
    # no registry at all trusts nothing
    assert F.parse(F.label_payload("TEA", "ABCDEFGH-000001", 8, mallory), now=NOW).reason is Reason.FORGED


def test_a_device_cannot_sign_for_another_store(keys):
    _, _, device, trust = keys
    got = parse(F.pickup_payload(REDEMPTION, "01936b2e-0000-7000-8000-00000000000b", device), trust)
    assert got.reason is Reason.FORGED and "another store" in got.message


def test_forger_reusing_a_trusted_key_id_is_caught_by_the_signature(keys):
    hq, _, _, trust = keys
    mallory = Ed25519PrivateKey.generate()
    genuine = F.label_payload("TEA", "ABCDEFGH-000001", 8, hq)
    fake = F.label_payload("TEA", "ABCDEFGH-000001", 68, mallory)
    kid = base64.b32decode(genuine[6:] + "=" * (-len(genuine[6:]) % 8))[:4]
    fake = reencode(fake, lambda raw: raw.__setitem__(slice(0, 4), kid))
    assert parse(fake, trust).reason is Reason.TAMPERED


def test_tampered_contents_and_signatures(keys):
    hq, member, device, trust = keys
    label = F.label_payload("TEA", "ABCDEFGH-000001", 8, hq)

    def more_points(raw):  # points sit after key id (4), batch (5) and number (3)
        raw[12:15] = (68).to_bytes(3, "big")

    assert parse(reencode(label, more_points), trust).reason is Reason.TAMPERED
    assert parse(flip_char(label, 3), trust).reason is Reason.TAMPERED  # inside the signature
    code = F.dynamic_member_payload(MEMBER, member, NOW)

    def next_step(raw):  # step sits after the member id (17) and key id (4)
        raw[21:25] = (int.from_bytes(raw[21:25], "big") + 1).to_bytes(4, "big")

    assert parse(reencode(code, next_step), trust).reason is Reason.TAMPERED
    pickup = F.pickup_payload(REDEMPTION, STORE, device)
    assert parse(reencode(pickup, lambda raw: raw.__setitem__(16, raw[16] ^ 1)), trust).reason is Reason.TAMPERED
    card = F.member_card_payload(card_no_for(MEMBER))
    altered = card[:-2] + str((int(card[-2]) + 1) % 10) + card[-1]
    assert F.parse(altered, now=NOW).reason is Reason.CHECK_DIGIT


def test_expired_and_future_dynamic_codes(keys):
    _, member, _, trust = keys
    old = F.dynamic_member_payload(MEMBER, member, NOW - timedelta(seconds=75))
    assert parse(old, trust).reason is Reason.EXPIRED
    assert parse(F.dynamic_member_payload(MEMBER, member, NOW - timedelta(seconds=30)), trust) is not None
    future = F.dynamic_member_payload(MEMBER, member, NOW + timedelta(minutes=5))
    assert parse(future, trust).reason is Reason.EXPIRED


def test_replayed_dynamic_code_is_refused_inside_its_window(keys):
    _, member, _, trust = keys
    guard = C.MemoryReplayGuard()
    text = F.dynamic_member_payload(MEMBER, member, NOW)
    first = parse(text, trust, replay=guard)
    assert isinstance(first, C.DynamicMemberCode)
    assert parse(text, trust, replay=guard, now=NOW + timedelta(seconds=20)).reason is Reason.REPLAYED
    # the next step's code is a new code
    assert isinstance(parse(F.dynamic_member_payload(MEMBER, member, NOW + timedelta(seconds=30)), trust,
                            replay=guard, now=NOW + timedelta(seconds=30)), C.DynamicMemberCode)
    # without a guard parse does not claim: the caller claims in its own transaction
    fresh = C.MemoryReplayGuard()
    assert parse(text, trust) == first and F.claim(first, fresh) is None
    assert F.claim(first, fresh).reason is Reason.REPLAYED


def test_an_expired_code_is_not_claimed(keys):
    _, member, _, trust = keys
    guard = C.MemoryReplayGuard()
    assert parse(F.dynamic_member_payload(MEMBER, member, NOW - timedelta(minutes=3)), trust,
                 replay=guard).reason is Reason.EXPIRED
    assert guard.seen == {}


@pytest.mark.parametrize("garbage, reason", [
    ("", Reason.UNKNOWN_FORMAT),
    (None, Reason.UNKNOWN_FORMAT),
    (b"\xff\xfe\x00garbage", Reason.UNKNOWN_FORMAT),
    ("x" * 5000, Reason.UNKNOWN_FORMAT),
    ("https://example.com/pay?x=1", Reason.UNKNOWN_FORMAT),
    ("PM2:D:ABCDEFGH", Reason.UNKNOWN_FORMAT),
    ("PM1:Z:ABCDEFGH", Reason.UNKNOWN_FORMAT),
    ("PM1:D", Reason.MALFORMED),
    ("PM1:D:", Reason.MALFORMED),
    ("PM1:D:not base32!", Reason.MALFORMED),
    ("PM1:D:ABC", Reason.MALFORMED),
    ("PM1:L:" + "A" * 40, Reason.MALFORMED),
    ("PM1:P:" + "7" * 170, Reason.MALFORMED),
    ("PM1:M:1234", Reason.MALFORMED),
    ("PM1:M:８１２３４５６７８９０１", Reason.MALFORMED),
    ("第一\x00行", Reason.UNKNOWN_FORMAT),
])
def test_garbage_is_refused_with_a_reason_never_an_exception(garbage, reason, keys):
    got = parse(garbage, keys[3])
    assert isinstance(got, C.Rejected) and got.reason is reason, got
    assert got.message


def test_qr_text_that_is_not_ours_is_unknown_even_if_it_looks_like_a_product():
    assert F.parse("TEA-OOLONG", now=NOW, symbology="QRCODE").reason is Reason.UNKNOWN_FORMAT


def test_truncated_signed_codes_are_malformed(keys):
    hq, member, device, trust = keys
    for text in (F.label_payload("TEA", "ABCDEFGH-000001", 8, hq), F.dynamic_member_payload(MEMBER, member, NOW),
                 F.pickup_payload(REDEMPTION, STORE, device)):
        for cut in (8, 16, 40):
            got = parse(text[:-cut], trust)
            assert isinstance(got, C.Rejected) and got.reason in (Reason.MALFORMED, Reason.TAMPERED), (text, cut)


def test_minting_refuses_bad_input(keys):
    hq = keys[0]
    with pytest.raises(ValueError):
        F.member_card_payload("812345678901")
    with pytest.raises(ValueError):
        F.label_payload("", "ABCDEFGH-000001", 8, hq)
    with pytest.raises(ValueError):
        F.label_payload("TEA", "ABCDEFGH-000001", 0, hq)
    with pytest.raises(ValueError):
        F.label_payload("TEA", "nope", 8, hq)


def test_label_keys_rotate_old_labels_verify_until_their_key_is_withdrawn():
    old, new = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    ring = C.KeyRing()
    ring.trust_label_key(F.public_bytes(old))
    ring.trust_label_key(F.public_bytes(new))
    trust = F.Trust.of(ring)
    old_label = F.label_payload("TEA", "ABCDEFGH-000001", 8, old)
    new_label = F.label_payload("TEA", "BCDEFGHA-000001", 8, new)
    assert parse(old_label, trust).key_id != parse(new_label, trust).key_id
    del ring.labels[C.key_id_for(F.public_bytes(old))]
    assert parse(old_label, trust).reason is Reason.FORGED
    assert isinstance(parse(new_label, trust), C.ProductLabel)


def test_a_member_code_is_verified_with_that_members_key_only(keys):
    _, member, _, trust = keys
    other_member = "01936b2e-7c4a-7def-8a11-00000000ffff"
    # the same key, claiming another member: that member has no such key registered
    assert parse(F.dynamic_member_payload(other_member, member, NOW), trust).reason is Reason.FORGED


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300),
                 st.builds(lambda kind, body: f"PM1:{kind}:{body}", st.sampled_from("MDLPX"),
                           st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ234567=", max_size=200))))
def test_parse_never_raises_and_never_accepts_a_random_signed_code(data):
    got = F.parse(data, now=NOW)  # no keys: nothing signed can pass
    assert isinstance(got, (C.Rejected, C.MemberCard, C.ProductBarcode))
