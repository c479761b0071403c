"""This device's own Ed25519 key: it signs the pickup codes and coupons the till issues, which any
store of the chain verifies offline with the public half (DESIGN.md 11). Made on first use, kept in
meta; HQ learns the public half (pos_app.sync.device_keys) and every store pulls it."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection

from pos_app.domain.codes import key_id_for
from pos_app.domain.label_batches import public_bytes
from pos_app.store import repos


def signing_key(conn: Connection, store_id: str) -> tuple[str, Ed25519PrivateKey]:
    """This device's key (made on first use), trusted here for `store_id`: (key id, private key)."""
    rec = repos.get_meta_json(conn, repos.SIGNING_KEY)
    if rec is None:
        key = Ed25519PrivateKey.generate()
        rec = {"key_id": key_id_for(public_bytes(key)), "private_key": key.private_bytes_raw().hex()}
        repos.set_meta_json(conn, repos.SIGNING_KEY, rec)
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(rec["private_key"]))
    trusted = repos.StoredKeys(conn).device_key(rec["key_id"])
    if trusted is None or trusted.store_id != store_id:  # first use, or the store was enrolled since
        repos.trust_device_key(conn, store_id, public_bytes(key))
    return rec["key_id"], key


def own_key(conn: Connection) -> tuple[str, Ed25519PrivateKey] | None:
    """This device's key if it has one (None: it has signed nothing yet)."""
    rec = repos.get_meta_json(conn, repos.SIGNING_KEY)
    if rec is None:
        return None
    return rec["key_id"], Ed25519PrivateKey.from_private_bytes(bytes.fromhex(rec["private_key"]))
