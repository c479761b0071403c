"""Proof that a member was at the counter, in a form HQ can check after the fact.

A till changes a member's credentials (phone, PIN) only with the member there
(docs/till-authority.md). The till checks that locally; this module makes the proof
that travels in the event, so HQ can check it too and a till that lies is refused:

- the member's **dynamic code** (`PM1:D:`, DESIGN.md 4): signed on the member's phone
  with a key only the phone holds; HQ holds the public half. Its byte layout and
  signature check live here, shared by the scanner (pos_app.scanner.formats reads every
  code) and by HQ, which cannot import the scanner;
- the member's **current PIN sealed to HQ's proof key**: X25519 with a fresh key per
  proof, HKDF-SHA256, AES-256-GCM. Only HQ, holding the private half, opens it. Sealed
  inside with the PIN: the event's id, the member's id and the SHA-256 of the new
  values, so a proof fits one event only (HQ stores an event id once).

Pure: no database, no network; only the `cryptography` primitives.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from pos_app.domain import codes as C
from pos_app.domain.label_batches import VERSION
from pos_app.domain.ledger import canonical_json

SIG = 64
# How long after its scan a dynamic member code still proves the member is at the counter
# (choosing a gift or typing a new phone number takes longer than the code's 30-second window).
# The till holds a proof to it (pos_app.services.scan), HQ too, against the event's time.
PRESENCE = timedelta(minutes=5)
_UUID_TAG = 0
_B32 = re.compile(r"^[A-Z2-7]+$")


# --- the bytes of a signed code ------------------------------------------------------------
def unb32(text: str) -> bytes | None:
    """Unpadded RFC 4648 base32 (any case) to bytes, or None if it is not that."""
    text = text.upper()
    if not _B32.match(text) or len(text) % 8 in (1, 3, 6):
        return None
    try:
        return base64.b32decode(text + "=" * (-len(text) % 8))
    except (binascii.Error, ValueError):
        return None


def id_bytes(value: str) -> bytes:
    """UUIDs (every id made on a device) in 16 bytes; any other id as short text."""
    try:
        u = uuid.UUID(value)
        if str(u) == value:
            return bytes([_UUID_TAG]) + u.bytes
    except (ValueError, AttributeError, TypeError):
        pass
    raw = value.encode("utf-8")
    if not 0 < len(raw) <= 64:
        raise ValueError("an id is 1 to 64 bytes of text")
    return bytes([len(raw)]) + raw


def verify_signed(kind: str, public_key: bytes, signed: bytes, sig: bytes) -> bool:
    """An Ed25519 signature over `PM1:<kind>:` and the body's signed bytes (never fits another kind)."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(sig, f"{VERSION}:{kind}:".encode("ascii") + signed)
    except (InvalidSignature, ValueError):
        return False
    return True


def dynamic_body(member_id: str, kid: bytes, step: int) -> bytes:
    """What a member's phone signs for its dynamic code: member id, key id, 30-second step."""
    return id_bytes(member_id) + kid + step.to_bytes(4, "big")


def check_dynamic_code(text: object, member_id: str, public_key: bytes) -> C.DynamicMemberCode | str:
    """HQ's check of a dynamic code a till carried as proof: the text is `PM1:D:` for this member
    (a UUID id), signed with `public_key` (the member's phone key as HQ holds it). The time step
    is the caller's to judge. A reason (a sentence) when it is not."""
    prefix = f"{VERSION}:D:"
    if not isinstance(text, str) or not text.startswith(prefix) or len(text) > 400:
        return "the proof is not a member's dynamic code (PM1:D:...)"
    raw = unb32(text[len(prefix):])
    if raw is None or len(raw) != 17 + C.KEY_ID_BYTES + 4 + SIG or raw[0] != _UUID_TAG:
        return "the member's dynamic code is damaged"
    code_member = str(uuid.UUID(bytes=raw[1:17]))
    if code_member != member_id:
        return "the member's dynamic code belongs to another member"
    signed, sig = raw[:-SIG], raw[-SIG:]
    kid = raw[17:17 + C.KEY_ID_BYTES].hex()
    if kid != C.key_id_for(public_key):
        return "the member's dynamic code is not signed with the member's current phone key"
    if not verify_signed("D", public_key, signed, sig):
        return "the member's dynamic code does not verify: it was altered or forged"
    return C.DynamicMemberCode(code_member, kid, int.from_bytes(raw[17 + C.KEY_ID_BYTES:-SIG], "big"))


# --- the member's PIN, sealed to HQ ----------------------------------------------------------
PIN_PROOF = "pinx1"  # pinx1:<HQ key id>:<base64 of ephemeral public key | nonce | ciphertext>
_INFO = b"points-mall member PIN proof v1"


class ProofError(ValueError):
    """A sealed PIN proof that does not open, or is not one."""


@dataclass(frozen=True, slots=True)
class PinClaim:
    pin: str
    event_id: str
    member_id: str
    fields: str  # fields_digest of the values the PIN authorises


def fields_digest(fields: dict[str, Any]) -> str:
    """SHA-256 of the new values' canonical JSON: what a proof is bound to."""
    return hashlib.sha256(canonical_json(fields).encode()).hexdigest()


def proof_key_id(public_key: bytes) -> str:
    return hashlib.sha256(public_key).digest()[:4].hex()


def x25519_public(private: X25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def _aead(shared: bytes, eph: bytes, hq_public: bytes) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO + eph + hq_public).derive(shared)
    return AESGCM(key)


def seal_pin(hq_public: bytes, pin: str, *, event_id: str, member_id: str, fields: dict[str, Any]) -> str:
    """The member's PIN, for HQ's eyes only, bound to this event and these new values."""
    eph = X25519PrivateKey.generate()
    eph_pub = x25519_public(eph)
    shared = eph.exchange(X25519PublicKey.from_public_bytes(hq_public))
    plain = canonical_json({"pin": pin, "event_id": event_id, "member_id": member_id,
                            "fields": fields_digest(fields)}).encode()
    kid = proof_key_id(hq_public)
    nonce = os.urandom(12)
    sealed = _aead(shared, eph_pub, hq_public).encrypt(nonce, plain, f"{PIN_PROOF}:{kid}".encode())
    return f"{PIN_PROOF}:{kid}:" + base64.b64encode(eph_pub + nonce + sealed).decode()


def sealed_key_id(sealed: object) -> str | None:
    """The id of HQ's key a sealed proof was made for, or None if it is not a sealed proof."""
    if not isinstance(sealed, str) or len(sealed) > 1000:
        return None
    parts = sealed.split(":")
    return parts[1] if len(parts) == 3 and parts[0] == PIN_PROOF and re.fullmatch(r"[0-9a-f]{8}", parts[1]) else None


def open_pin(private: X25519PrivateKey, sealed: str) -> PinClaim:
    """HQ's side: the PIN and what it was sealed for. Raises ProofError."""
    kid = sealed_key_id(sealed)
    hq_public = x25519_public(private)
    if kid is None or kid != proof_key_id(hq_public):
        raise ProofError("the PIN proof is not sealed to this HQ's proof key")
    try:
        raw = base64.b64decode(sealed.split(":")[2], validate=True)
    except (binascii.Error, ValueError):
        raise ProofError("the PIN proof is damaged") from None
    if len(raw) < 32 + 12 + 16:
        raise ProofError("the PIN proof is damaged")
    eph_pub, nonce, body = raw[:32], raw[32:44], raw[44:]
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(eph_pub))
        plain = _aead(shared, eph_pub, hq_public).decrypt(nonce, body, f"{PIN_PROOF}:{kid}".encode())
        doc = json.loads(plain)
        return PinClaim(str(doc["pin"]), str(doc["event_id"]), str(doc["member_id"]), str(doc["fields"]))
    except (InvalidTag, ValueError, KeyError, TypeError):
        raise ProofError("the PIN proof does not open: it was altered, or sealed to another key") from None
