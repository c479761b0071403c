"""The bytes of the codes any store of the chain takes (DESIGN.md 11): a gift's pickup code and a
coupon, signed by the device that issued them (a till's own key, or HQ's online channel's), made
here so that tills and HQ make the same bytes. pos_app.scanner.formats reads them.

    PM1:P:<base32 redemption | store | key id | gift | qty | member | sig>
    PM1:C:<base32 code | member? | type | expires | points | store | key id | sig>

A pickup code of before the gift and member were added ends after the key id; readers take both.
"""

from __future__ import annotations

from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pos_app.domain.label_batches import key_id_bytes, signed_payload
from pos_app.domain.presence import id_bytes

MAX_COUPON_CODE = 24  # the tills' coupons.code
MAX_POINTS = 2**32 - 1


def text_bytes(value: str) -> bytes:
    raw = value.encode("utf-8")
    if not 0 < len(raw) <= 64:
        raise ValueError("a text field is 1 to 64 bytes")
    return bytes([len(raw)]) + raw


def epoch(at: datetime) -> int:
    """Whole seconds since 1970 of a naive-UTC (or aware) time."""
    return int((at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)).timestamp())


def from_epoch(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)


def pickup_body(redemption_id: str, store_id: str, kid: bytes, *, gift_id: str | None = None, qty: int = 0,
                member_id: str | None = None) -> bytes:
    body = id_bytes(redemption_id) + id_bytes(store_id) + kid
    if gift_id is None:
        return body  # the older layout: the store that holds it looks the redemption up
    if not 0 < qty < 256 or not member_id:
        raise ValueError("a pickup code names a quantity of 1 to 255 and the member")
    return body + id_bytes(gift_id) + bytes([qty]) + id_bytes(member_id)


def pickup_payload(redemption_id: str, store_id: str, key: Ed25519PrivateKey, *, gift_id: str | None = None,
                   qty: int = 0, member_id: str | None = None) -> str:
    """Signed by the device that holds the gift (or HQ's, for an online order); any store verifies
    it with the device keys it pulls from HQ."""
    return signed_payload("P", pickup_body(redemption_id, store_id, key_id_bytes(key), gift_id=gift_id, qty=qty,
                                           member_id=member_id), key)


def coupon_body(code: str, member_id: str | None, type_id: str, expires_at: datetime, points: int, store_id: str,
                kid: bytes) -> bytes:
    if not 0 < len(code) <= MAX_COUPON_CODE or not code.isascii():
        raise ValueError(f"a coupon code is 1 to {MAX_COUPON_CODE} ASCII characters")
    if not 0 <= points <= MAX_POINTS:
        raise ValueError("a coupon's points are 0 to 2**32 - 1")
    member = b"\x00" if member_id is None else b"\x01" + id_bytes(member_id)
    return (text_bytes(code) + member + id_bytes(type_id) + epoch(expires_at).to_bytes(5, "big")
            + points.to_bytes(4, "big") + id_bytes(store_id) + kid)


def coupon_payload(code: str, member_id: str | None, type_id: str, expires_at: datetime, points: int, store_id: str,
                   key: Ed25519PrivateKey) -> str:
    return signed_payload("C", coupon_body(code, member_id, type_id, expires_at, points, store_id, key_id_bytes(key)),
                          key)
