"""The QR payloads we print and scan: `PM1:<type>:<body>`, made and checked here.

    PM1:M:<12-digit card number>                   member card (Luhn check digit)
    PM1:D:<base32 member | key id | step | sig>    dynamic member code, member's key
    PM1:L:<base32 key id | serial | points | sku | sig>   product label, HQ's label key
    PM1:P:<base32 redemption | store | key id | gift | qty | member | sig>   pickup code, issuing device's key
    PM1:C:<base32 code | member | type | expires | points | store | key id | sig>   coupon, issuing device's key
    (pickup and coupon bodies: pos_app.domain.chain_codes, shared with HQ)

Bodies are unpadded RFC 4648 base32, so the whole payload stays in QR's alphanumeric
mode (5.5 bits a character, against 8 for base64 in byte mode): smaller codes that a
webcam reads from further away. Signatures are Ed25519 over `PM1:<type>:` and the
body's bytes before the signature, so a signature never fits another type.

`parse` never raises: any text or bytes give a typed code or a `Rejected` reason.
Importable without Qt or OpenCV: the services verify codes with it.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pos_app.domain import chain_codes
from pos_app.domain import codes as C
from pos_app.domain import presence
from pos_app.domain.codes import (CouponCode, DeviceKeys, DynamicMemberCode, LabelKeys, MemberCard, MemberKeys,
                                  PickupCode, ProductBarcode, ProductLabel, Reason, Rejected, ReplayGuard, Scanned)
from pos_app.domain.label_batches import (VERSION, b32, key_id_bytes, label_payload,  # noqa: F401 (re-exported)
                                          public_bytes, signed_payload)
from pos_app.domain.label_codes import label_from_body

MAX_TEXT = 1024  # nothing we print is near this; longer input is not ours
SIG = presence.SIG
_PM = re.compile(r"^PM(\d{1,3}):(.?)(:?)(.*)$", re.S | re.I)
_UUID_TAG = 0
# SKUs and Code128 product codes: letters, digits and a little punctuation. A URL or a
# sentence is not a product code, whatever scanned it.
_PRODUCT_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/+-]*$")


class _Short(Exception):
    """A body ended early or ran long: the code is damaged, not forged."""


# --- bytes in and out (the layout HQ checks too lives in pos_app.domain.presence) ---------
_b32 = b32
_unb32 = presence.unb32
_id_bytes = presence.id_bytes


class _Reader:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise _Short
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def uint(self, n: int) -> int:
        return int.from_bytes(self.take(n), "big")

    def ident(self) -> str:
        tag = self.uint(1)
        if tag == _UUID_TAG:
            return str(uuid.UUID(bytes=self.take(16)))
        if tag > 64:
            raise _Short
        try:
            return self.take(tag).decode("utf-8")
        except UnicodeDecodeError:
            raise _Short from None

    def text(self) -> str:
        try:
            return self.take(self.uint(1)).decode("utf-8")
        except UnicodeDecodeError:
            raise _Short from None

    def signed_part_and_sig(self) -> tuple[bytes, bytes]:
        if len(self.data) - self.pos != SIG:
            raise _Short
        return self.data[:self.pos], self.data[self.pos:]


# Signing lives in pos_app.domain.label_batches, shared with HQ (which signs label batches).
_kid = key_id_bytes
_signed = signed_payload
_verify = presence.verify_signed


# --- making codes -----------------------------------------------------------------------
def member_card_payload(card_no: str) -> str:
    if not C.card_no_ok(card_no):
        raise ValueError("a card number is 12 digits with a Luhn check digit")
    return f"{VERSION}:M:{card_no}"


def dynamic_member_payload(member_id: str, key: Ed25519PrivateKey, at: datetime) -> str:
    """What the member's phone shows now (the phone holds the private key)."""
    return _signed("D", presence.dynamic_body(member_id, _kid(key), C.time_step(at)), key)


def pickup_payload(redemption_id: str, store_id: str, key: Ed25519PrivateKey, *, gift_id: str | None = None,
                   qty: int = 0, member_id: str | None = None) -> str:
    """Signed by the device that held the gift; any store verifies with keys from HQ. With the gift,
    quantity and member (pos_app.domain.chain_codes), any store can hand it over offline."""
    return chain_codes.pickup_payload(redemption_id, store_id, key, gift_id=gift_id, qty=qty, member_id=member_id)


coupon_payload = chain_codes.coupon_payload


# --- reading codes ----------------------------------------------------------------------
class Trust:
    """The keys a store trusts, by kind. Missing registries trust nothing."""

    def __init__(self, labels: LabelKeys | None = None, members: MemberKeys | None = None,
                 devices: DeviceKeys | None = None):
        self.labels, self.members, self.devices = labels, members, devices

    @classmethod
    def of(cls, ring: C.KeyRing) -> Trust:
        return cls(ring, ring, ring)


def parse(data: str | bytes | None, *, now: datetime, trust: Trust | None = None,
          symbology: str | None = None, replay: ReplayGuard | None = None) -> Scanned | Rejected:
    """What a scanned or typed text is, or why it is refused. Never raises.

    `now` is the store's skew-corrected time. With `replay`, a dynamic member code is
    also claimed there (one use per window); without it the caller claims it in the
    transaction that uses the code (see `claim`).
    """
    try:
        return _parse(data, now, trust or Trust(), (symbology or "").upper(), replay)
    except Exception:  # noqa: BLE001 - the UI must get a reason, whatever arrives
        return Rejected(Reason.MALFORMED)


def claim(code: DynamicMemberCode, replay: ReplayGuard) -> Rejected | None:
    return C.claim(replay, code)


def _parse(data, now, trust: Trust, symbology: str, replay) -> Scanned | Rejected:
    if isinstance(data, (bytes, bytearray, memoryview)):
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError:
            return Rejected(Reason.UNKNOWN_FORMAT, "the code holds data that is not text: not one of ours")
    if not isinstance(data, str):
        return Rejected(Reason.UNKNOWN_FORMAT, "nothing was read")
    text = data.strip()
    if not text or len(text) > MAX_TEXT:
        return Rejected(Reason.UNKNOWN_FORMAT)
    m = _PM.match(text)
    if m:
        version, kind, colon, body = m.groups()
        if f"PM{version}" != VERSION:
            return Rejected(Reason.UNKNOWN_FORMAT, "this code is from a newer app version: update the app")
        if not colon:
            return Rejected(Reason.MALFORMED)
        handler = _HANDLERS.get(kind.upper())
        if handler is None:
            return Rejected(Reason.UNKNOWN_FORMAT)
        found = handler(body, now, trust)
        if replay is not None and isinstance(found, DynamicMemberCode):
            return claim(found, replay) or found
        return found
    return _plain(text, symbology)


def _plain(text: str, symbology: str) -> ProductBarcode | Rejected:
    if symbology in ("QRCODE", "QR_CODE", "QR"):
        return Rejected(Reason.UNKNOWN_FORMAT)  # every QR code we print is PM1
    if len(text) == 13 and text.isascii() and text.isdigit() and symbology in ("", "EAN13", "EAN-13"):
        if not C.ean13_ok(text):
            return Rejected(Reason.CHECK_DIGIT, "the barcode's check digit is wrong: scan it again or check the number")
        return ProductBarcode(text, "EAN13")
    if len(text) <= C.MAX_PLAIN_CODE and text.isascii() and _PRODUCT_CODE.match(text):
        return ProductBarcode(text, "CODE128")
    return Rejected(Reason.UNKNOWN_FORMAT)


def _member_card(body: str, now, trust) -> MemberCard | Rejected:
    if len(body) != 12 or not body.isascii() or not body.isdigit():
        return Rejected(Reason.MALFORMED)
    if not C.card_no_ok(body):
        return Rejected(Reason.CHECK_DIGIT, "the card number's check digit is wrong: it was misread or mistyped")
    return MemberCard(body)


def _signed_body(body: str, read):
    raw = _unb32(body)
    if raw is None:
        return Rejected(Reason.MALFORMED)
    r = _Reader(raw)
    try:
        fields = read(r)
        signed, sig = r.signed_part_and_sig()
    except _Short:
        return Rejected(Reason.MALFORMED)
    return fields, signed, sig


def _dynamic(body: str, now, trust: Trust) -> DynamicMemberCode | Rejected:
    got = _signed_body(body, lambda r: (r.ident(), r.take(4).hex(), r.uint(4)))
    if isinstance(got, Rejected):
        return got
    (member_id, kid, step), signed, sig = got
    key = trust.members.member_key(member_id, kid) if trust.members else None
    if key is None:
        return Rejected(Reason.FORGED, "this member code is not signed by the member's registered key")
    if not _verify("D", key, signed, sig):
        return Rejected(Reason.TAMPERED)
    return C.step_fresh(step, now) or DynamicMemberCode(member_id, kid, step)


def _label(body: str, now, trust: Trust) -> ProductLabel | Rejected:
    # the reader HQ uses too (a label scanned with a member's phone): one layout, one set of reasons
    return label_from_body(body, trust.labels.label_key if trust.labels else _no_key)


def _no_key(_kid: str) -> None:
    return None


def _pickup_fields(r: _Reader) -> tuple:
    redemption_id, store_id, kid = r.ident(), r.ident(), r.take(4).hex()
    if len(r.data) - r.pos == SIG:
        return redemption_id, store_id, kid, None, 0, None  # the older layout: no gift, no member
    return redemption_id, store_id, kid, r.ident(), r.uint(1), r.ident()


def _device(trust: Trust, kid: str, store_id: str, what: str):
    """The device key that signed a code for `store_id`: one of that store's devices, or HQ's (which
    signs for any store); a Rejected otherwise."""
    device = trust.devices.device_key(kid) if trust.devices else None
    if device is None:
        return Rejected(Reason.FORGED, f"this {what} is not signed by a device this store knows")
    if device.store_id not in (store_id, C.HQ_STORE):
        return Rejected(Reason.FORGED, f"this {what} names another store than the device that signed it")
    return device


def _pickup(body: str, now, trust: Trust) -> PickupCode | Rejected:
    got = _signed_body(body, _pickup_fields)
    if isinstance(got, Rejected):
        return got
    (redemption_id, store_id, kid, gift_id, qty, member_id), signed, sig = got
    device = _device(trust, kid, store_id, "pickup code")
    if isinstance(device, Rejected):
        return device
    if not _verify("P", device.public_key, signed, sig):
        return Rejected(Reason.TAMPERED)
    if gift_id is not None and not 0 < qty:
        return Rejected(Reason.MALFORMED, "the pickup code's contents are out of range")
    return PickupCode(redemption_id, store_id, kid, gift_id, qty, member_id)


def _coupon(body: str, now, trust: Trust) -> CouponCode | Rejected:
    def fields(r: _Reader) -> tuple:
        code, general = r.text(), r.uint(1) == 0
        member_id = None if general else r.ident()
        return code, member_id, r.ident(), r.uint(5), r.uint(4), r.ident(), r.take(4).hex()

    got = _signed_body(body, fields)
    if isinstance(got, Rejected):
        return got
    (code, member_id, type_id, expires, points, store_id, kid), signed, sig = got
    device = _device(trust, kid, store_id, "coupon")
    if isinstance(device, Rejected):
        return device
    if not _verify("C", device.public_key, signed, sig):
        return Rejected(Reason.TAMPERED)
    if not (code and code.isascii() and code.isprintable() and len(code) <= chain_codes.MAX_COUPON_CODE):
        return Rejected(Reason.MALFORMED, "the coupon's contents are out of range")
    try:
        expires_at = chain_codes.from_epoch(expires)
    except (OverflowError, OSError, ValueError):
        return Rejected(Reason.MALFORMED, "the coupon's contents are out of range")
    return CouponCode(code, member_id, type_id, expires_at, points, store_id, kid)


_HANDLERS = {"M": _member_card, "D": _dynamic, "L": _label, "P": _pickup, "C": _coupon}
