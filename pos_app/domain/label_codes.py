"""Reading a product label's payload (`PM1:L:<base32 key id | serial | points | sku | sig>`, made by
pos_app.domain.label_batches.label_payload): the one reader a till's scanner (pos_app.scanner.formats)
and HQ (a label a member scans with the phone in the mall) share, so HQ refuses exactly the labels a
till refuses, with the same reason. Pure: no database, no network; only the Ed25519 check.
"""

from __future__ import annotations

from collections.abc import Callable

from pos_app.domain import codes as C
from pos_app.domain.codes import ProductLabel, Reason, Rejected
from pos_app.domain.label_batches import VERSION, b32
from pos_app.domain.presence import SIG, unb32, verify_signed

MAX_TEXT = 1024  # nothing we print is near this; longer text is not ours
PREFIX = f"{VERSION}:L:"
# key id (4) | batch code (5) | label number (3) | points (3) | sku length (1)
_FIXED = C.KEY_ID_BYTES + 5 + 3 + 3 + 1

LabelKeyOf = Callable[[str], "bytes | None"]


def read_label(text: object, label_key: LabelKeyOf) -> ProductLabel | Rejected:
    """The label a scanned text holds, signed by the key `label_key(key_id)` gives, or why it is refused."""
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
        return Rejected(Reason.UNKNOWN_FORMAT, "nothing was read" if not text else "")
    text = text.strip()
    if text[:len(PREFIX)].upper() != PREFIX:
        return Rejected(Reason.UNKNOWN_FORMAT, "this is not a product label")
    return label_from_body(text[len(PREFIX):], label_key)


def label_from_body(body: str, label_key: LabelKeyOf) -> ProductLabel | Rejected:
    """The body after `PM1:L:`: its fields, then the key it names, then the signature, then the ranges."""
    raw = unb32(body)
    if raw is None or len(raw) < _FIXED:
        return Rejected(Reason.MALFORMED)
    sku_len = raw[_FIXED - 1]
    if len(raw) != _FIXED + sku_len + SIG:
        return Rejected(Reason.MALFORMED)
    kid = raw[:C.KEY_ID_BYTES].hex()
    at = C.KEY_ID_BYTES
    batch = b32(raw[at:at + 5])
    number = int.from_bytes(raw[at + 5:at + 8], "big")
    points = int.from_bytes(raw[at + 8:at + 11], "big")
    try:
        sku = raw[_FIXED:_FIXED + sku_len].decode("utf-8")
    except UnicodeDecodeError:
        return Rejected(Reason.MALFORMED)
    signed, sig = raw[:-SIG], raw[-SIG:]
    key = label_key(kid)
    if key is None:
        return Rejected(Reason.FORGED, "this label is not signed by a label key this store trusts")
    if not verify_signed("L", key, signed, sig):
        return Rejected(Reason.TAMPERED)
    if not (0 < number < 1_000_000 and 0 < points <= C.MAX_LABEL_POINTS and sku and sku.isprintable()):
        return Rejected(Reason.MALFORMED, "the label's contents are out of range")
    return ProductLabel(sku, C.serial_for(batch, number), points, kid)
