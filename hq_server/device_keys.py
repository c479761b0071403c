"""The keys that sign codes any store takes (DESIGN.md 11): each till's and HQ's online channel's.

A till makes its own Ed25519 key and tells HQ its public half (POST /api/v1/sync/signing-key); HQ's
online channel has one of its own, made on first use, its private half sealed with HQ's secret
(hq_server.sealing) like the label keys. Every public half goes to every store as a `device_key`
pull item {key_id, store_id, public_key}: a till verifies a pickup code or a coupon from any store
offline. A till's key signs for its own store only; HQ's (store "hq") for any store.
"""

from __future__ import annotations

import json
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Connection, select, update

from hq_server import models as M
from hq_server import sealing
from hq_server.ledger.chain_codes_tables import device_keys
from hq_server.db import Seq
from hq_server.errors import HQProblem
from hq_server.feed import FeedWriter
from hq_server.ledger.hq_events import ONLINE_DEVICE
from pos_app.domain.codes import HQ_STORE, key_id_for
from pos_app.domain.label_batches import public_bytes

HQ_KEY = "code_key:hq"  # settings: {"key_id", "public_key", "sealed_private_key", "created_at"}


def register(conn: Connection, seq: Seq, *, device_id: str, store_id: str, public_hex: str, now: datetime) -> str:
    """Record a device's public key and tell every store; the same key again changes nothing."""
    try:
        raw = bytes.fromhex(public_hex)
        Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        raise HQProblem(422, "invalid_key", "public_key: not an Ed25519 public key (64 hex digits)") from None
    kid = key_id_for(raw)
    k = device_keys.c
    held = conn.execute(select(k.device_id, k.public_key).where(k.key_id == kid)).first()
    if held is not None:
        if held.device_id != device_id or held.public_key != public_hex:
            raise HQProblem(409, "key_taken", f"public_key: key id {kid} belongs to another device; make a new key")
        return kid
    conn.execute(device_keys.insert().values(key_id=kid, device_id=device_id, store_id=store_id,
                                             public_key=public_hex, created_at=now))
    feed = FeedWriter(seq)
    feed.add(M.CHAIN, "device_key", kid, {"key_id": kid, "store_id": store_id, "public_key": public_hex})
    feed.flush(conn)
    return kid


def hq_key_if_made(conn: Connection, db_url: str) -> Ed25519PrivateKey | None:
    """HQ's online signing key if it was made (a read: codes HQ signed before are made again from it)."""
    value = conn.execute(select(M.settings.c.value).where(M.settings.c.key == HQ_KEY)).scalar()
    if value is None:
        return None
    doc = json.loads(value)
    return Ed25519PrivateKey.from_private_bytes(sealing.unseal(doc["sealed_private_key"], doc["key_id"], db_url))


def hq_key(conn: Connection, seq: Seq, db_url: str, now: datetime) -> Ed25519PrivateKey:
    """HQ's online channel's signing key (made, sealed and told to every store on first use)."""
    s = M.settings.c
    made = hq_key_if_made(conn, db_url)
    if made is not None:
        return made
    key = Ed25519PrivateKey.generate()
    public_hex = public_bytes(key).hex()
    kid = key_id_for(public_bytes(key))
    doc = {"key_id": kid, "public_key": public_hex, "created_at": now.isoformat(),
           "sealed_private_key": sealing.seal(key.private_bytes_raw(), kid, db_url)}
    text = json.dumps(doc, sort_keys=True)
    if conn.execute(update(M.settings).where(s.key == HQ_KEY).values(value=text)).rowcount == 0:
        conn.execute(M.settings.insert().values(key=HQ_KEY, value=text))
    register(conn, seq, device_id=ONLINE_DEVICE, store_id=HQ_STORE, public_hex=public_hex, now=now)
    return key
