"""The member's phone key: the public half of an Ed25519 key the mall page made in the phone's browser
(WebCrypto, not extractable), whose dynamic member codes (PM1:D, DESIGN.md 4) the tills verify offline.

HQ keeps it where the admin API keeps it (hq_server.label_keys: the settings row member_key:<member>)
and tells every till by pull, as a chain-wide `member_key` feed item, which replaces the member's
previous key at each till (a lost phone's codes stop working). The browser proves it holds the private
half by signing a dynamic code for now with it, checked by the same parser HQ checks tills' proofs with
(pos_app.domain.presence), so a page that encodes codes wrongly is refused here, not at a counter.
A key is a credential at the tills (it proves the member is present for a spend), so registering one
needs an SMS code proven within MallSettings.fresh_minutes.
"""

from __future__ import annotations

import json
import re
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select, update

from hq_server import models as M
from hq_server.db import Database
from hq_server.errors import HQProblem
from hq_server.feed import FeedWriter
from hq_server.ledger.key_rows import MEMBER, member_key
from hq_server.programme.mall_settings import MallSettings
from hq_server.programme.member_sessions import MemberSession
from pos_app.domain import codes as C
from pos_app.domain import presence as P

_HEX_KEY = re.compile(r"[0-9a-fA-F]{64}")


def register_phone_key(db: Database, mall: MallSettings, who: MemberSession, *, public_key: str, proof: str,
                       now: datetime) -> str:
    """Store the member's phone key and send it to every till; the key id (what codes name)."""
    if not isinstance(public_key, str) or not _HEX_KEY.fullmatch(public_key):
        raise HQProblem(422, "invalid_key", "public_key is a raw Ed25519 public key, 64 hex digits")
    public = bytes.fromhex(public_key)
    try:
        Ed25519PublicKey.from_public_bytes(public)
    except ValueError:
        raise HQProblem(422, "invalid_key", "public_key is not an Ed25519 public key") from None
    if not who.fresh(now, mall.fresh_minutes):
        raise HQProblem(403, "needs_fresh_sign_in", "confirm with an SMS code to turn on the member code on "
                                                    "this phone")
    seen = P.check_dynamic_code(proof, who.member_id, public)
    if isinstance(seen, str):
        raise HQProblem(422, "invalid_proof", seen)
    late = C.step_fresh(seen.step, now)
    if late is not None:
        raise HQProblem(422, "invalid_proof", f"the proof code's time is off: {late.message} (check the phone's "
                                              "clock)")
    doc = {"member_id": who.member_id, "key_id": C.key_id_for(public), "public_key": public.hex()}
    with db.write() as (conn, seq):
        m = M.members.c
        row = conn.execute(select(m.merged_into).where(m.member_id == who.member_id)).first()
        if row is None or row.merged_into:
            raise HQProblem(409, "member_unknown", "this account is no longer in use: sign in again")
        held = member_key(conn, who.member_id)
        if held and held["public_key"] == doc["public_key"]:
            return doc["key_id"]  # the same key again (a retried request): nothing new for the tills
        value = json.dumps({**doc, "set_at": now.isoformat()}, sort_keys=True, separators=(",", ":"))
        s = M.settings.c
        if conn.execute(update(M.settings).where(s.key == MEMBER + who.member_id).values(value=value)).rowcount == 0:
            conn.execute(M.settings.insert().values(key=MEMBER + who.member_id, value=value))
        feed = FeedWriter(seq)
        feed.add(M.CHAIN, "member_key", who.member_id, doc)
        feed.flush(conn)
    return doc["key_id"]


def phone_key_id(db: Database, member_id: str) -> str | None:
    """The id of the member's phone key at HQ (the page compares it with the key it holds), or None."""
    with db.read() as conn:
        held = member_key(conn, member_id)
    return held["key_id"] if held else None
