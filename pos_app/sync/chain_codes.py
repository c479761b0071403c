"""Codes any store of the chain takes (DESIGN.md 11), the sync's part: this device's signing key sent
to HQ once, every device's public key pulled and trusted, and the chain's used codes pulled.

    send_signing_key(db, client)       before the first push of a sync: HQ learns this device's key
    apply_device_key / apply_code_used pull appliers (device_key, code_used items)
"""

from __future__ import annotations

from typing import Any

from datetime import UTC, datetime

from sqlalchemy import Connection, select, update

from pos_app.domain.label_batches import public_bytes
from pos_app.store import device_key, repos
from pos_app.store import tables as T
from pos_app.store.db import Database
from pos_app.sync import state
from pos_app.sync.catalogue import public_key
from pos_app.sync.client import HQClient
from pos_app.sync.wire import CodeUsedDocument, DeviceKeyDocument

SENT = "device.signing_key_sent"  # meta: the key id HQ has


def send_signing_key(db: Database, client: HQClient) -> str | None:
    """Tell HQ this device's signing key, made now if it has none, once per key. Returns the key id sent
    (None: HQ has it already)."""
    with db.read() as conn:
        creds = state.credentials(conn)
        own = device_key.own_key(conn)
        sent = repos.get_meta(conn, SENT)
    if creds is None or (own is not None and own[0] == sent):
        return None
    if own is None:
        own = db.apply(lambda conn: device_key.signing_key(conn, creds.store_id))
    kid, key = own
    client.register_signing_key(public_bytes(key).hex())
    db.apply(lambda conn: repos.set_meta(conn, SENT, kid))
    return kid


def apply_device_key(conn: Connection, key_id: str, data: dict[str, Any]) -> None:
    doc = DeviceKeyDocument.model_validate(data)
    store_id, raw = doc.store_id, public_key(doc.public_key, key_id)
    own = device_key.own_key(conn)
    if own is not None and own[0] == key_id:
        return  # this device's own key: trusted for its store already
    repos.trust_device_key(conn, store_id, raw)


def apply_code_used(conn: Connection, code_key: str, data: dict[str, Any]) -> None:
    """A pickup or coupon used somewhere in the chain: this store refuses it from now on. A pickup held
    here and collected at another store is closed here too (handed over there). `freed`: a refund
    gave the coupon back, so it may be used again."""
    u, c = T.code_uses.c, T.coupons.c
    kind, _, ref = code_key.partition(":")
    doc = CodeUsedDocument.model_validate(data)
    if doc.freed:
        gone = conn.execute(T.code_uses.delete().where(u.code_key == code_key, u.event_id == doc.event_id))
        if gone.rowcount and kind == "C":  # a coupon of this store's list, used elsewhere: usable again
            conn.execute(update(T.coupons).where(c.code == ref, c.status == "used", c.used_sale.is_(None))
                         .values(status="active"))
        return
    event_id, store_id = doc.event_id, doc.store_id
    if conn.execute(select(u.code_key).where(u.code_key == code_key)).first() is None:
        conn.execute(T.code_uses.insert().values(code_key=code_key, event_id=event_id, store_id=store_id,
                                                 used_at=datetime.now(UTC).replace(tzinfo=None)))
    if kind == "C":  # used at another store: this store's list shows it used (its own sale names itself)
        conn.execute(update(T.coupons).where(c.code == ref, c.status == "active").values(status="used"))
    if kind == "P":
        r = T.redemptions.c
        conn.execute(update(T.redemptions).where(r.redemption_id == ref, r.status == "held")
                     .values(status="picked_up", closed_at=datetime.now(UTC).replace(tzinfo=None)))
