"""A till's authority: what a till may do to members and accounts, and how HQ holds it to that.

A till is trusted with its own store's money and stock, not with the chain. One
compromised till (its device key in an attacker's hands) must not reach members and
accounts beyond what a till's job needs. HQ refuses, per event, what is beyond it
(DESIGN.md 7; docs/till-authority.md says the same for people):

1. **One holder per event.** Every member or debt account an event posts to, and every
   lot it grants or takes, belongs to the event's own `member_id` (a referral bonus is
   the referrer's own event; a guide's points are an event without a member). So no
   event moves points from one member to another. An event without a member posts to
   one staff member's accounts at most. HQ's own kinds (member_merge) never come from a
   till. The chain's breakage and charity accounts only receive points from a till.
2. **Staff of its own store.** The staff accounts (guide points) a till posts to belong
   to staff that HQ's staff table puts at the till's store.
3. **Credentials need the member there.** A member's phone and PIN (pin_hash) change at
   a till only with proof HQ checks, carried in the patch's `proof`:
   - `member_code`: the member's dynamic code (`PM1:D:`), signed with the phone key HQ
     holds for the member, its time step within PRESENCE of the event's device time
     corrected by the device's skew, and never used before anywhere (member_codes: the
     code is then used up chain-wide, for spends too); or
   - `pin`: the member's current PIN sealed to HQ's proof key (handshake `proof_key`;
     pos_app.domain.presence), bound to the event id, the member and the new values'
     hash, which HQ opens and checks against the member's current pin_hash. Wrong PIN
     proofs count: after PIN_TRIES in PIN_WINDOW for one member, HQ refuses PIN proofs
     for that member unchecked (the dynamic code still works).
   A member with neither a PIN nor a phone key gets a first PIN only at registration
   (or later from HQ or the members' mall, not from a till). The phone key itself is set
   by HQ only. Name, birthday and note need no proof; the tier is not a till's to patch
   (tier_change events carry it). A change needs HQ's record of the member: a till's
   credential patch of a member HQ has not registered yet is refused.
4. **Ids as tills make them.** Member ids are lowercase UUIDs; a register's card number
   and referral code are the ones made from its id, its home store the till's store, its
   PIN hash one the tills make; a member id HQ holds already is not registered again.
5. **Refusals are seen.** A refused event is answered `rejected` with a reason a manager
   reads behind the till's "sync problems" button, and HQ records an open conflict task
   (rule 7, kind till_authority, or wrong_member_pin) with the event, in GET
   /api/v1/admin/conflicts. An event that waited for a lot (rule 5) and then meets a lot
   of another holder is kept as `refused`, never applied; the till hears it as an
   event_status `rejected`.

What a till still may do, by design: earn for, spend from and adjust any member it
serves (members shop at every store; offline spends are proven at the counter, bounded
by HQ's offline limits), at its own store's accounts' cost or gain.

The pure half (no database) is hq_server.ledger.till_policy, run before the writer lock; the
half needing HQ's records (staff, lots, members, keys, used codes) runs here, under the
lock, as each event is admitted (ingest._push), and for woken events (waiting.wake).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any, TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import Connection, func, select

from hq_server import sealing  # ingest imports this module: its names are read at call time
from hq_server.ledger import claims, decisions, waiting
from hq_server import models as M
from hq_server.ledger.checks import Parsed, utc
from hq_server.ledger.key_rows import member_key
from hq_server.ledger.till_policy import CREDENTIALS, Refusal, owner, staff_of
from hq_server.ledger.event_row import EventRow, Subject
from pos_app.domain import codes as C
from pos_app.domain import presence as P
from pos_app.domain.ledger import Kind
from pos_app.domain.staff import verify_pin
from pos_app.sync.wire import WireEvent

if TYPE_CHECKING:
    from hq_server.ledger.ingest import Ingest

RULE = 7
KIND = "till_authority"
WRONG_PIN = "wrong_member_pin"
PIN_TRIES = 5
NO_MEMBER = "a change of a member's phone or PIN names the member (member_id)"
PIN_WINDOW = timedelta(hours=24)
PROOF_KEY = "proof_key:"  # settings: proof_key:<key id> -> {"key_id", "public_key", "sealed_private_key", "created_at"}


class WrongPin(Refusal):
    """A PIN proof that opened but holds another PIN than the member's: counts towards PIN_TRIES."""


# --- HQ's proof key --------------------------------------------------------------------------
def proof_public_key(conn: Connection, db_url: str, now: datetime) -> str:
    """HQ's X25519 public key that tills seal members' PINs to (hex); made on first use, its
    private half sealed with HQ's secret (hq_server.sealing) like the label keys. Needs the writer lock."""
    doc = _proof_doc(conn)
    if doc is None:
        private = X25519PrivateKey.generate()
        public = P.x25519_public(private)
        key_id = P.proof_key_id(public)
        doc = {"key_id": key_id, "public_key": public.hex(), "created_at": now.isoformat(),
               "sealed_private_key": sealing.seal(private.private_bytes_raw(), PROOF_KEY + key_id, db_url)}
        conn.execute(M.settings.insert().values(key=PROOF_KEY + key_id, value=json.dumps(doc, sort_keys=True)))
    return str(doc["public_key"])


def _proof_doc(conn: Connection, key_id: str | None = None) -> dict[str, Any] | None:
    s = M.settings.c
    where = s.key == PROOF_KEY + key_id if key_id else s.key.startswith(PROOF_KEY, autoescape=True)
    value = conn.execute(select(s.value).where(where).order_by(s.key).limit(1)).scalar()
    return None if value is None else json.loads(value)


def _proof_private(conn: Connection, db_url: str, key_id: str) -> X25519PrivateKey | None:
    doc = _proof_doc(conn, key_id)
    if doc is None:
        return None
    try:
        raw = sealing.unseal(doc["sealed_private_key"], PROOF_KEY + key_id, db_url)
    except sealing.SealError:
        return None
    return X25519PrivateKey.from_private_bytes(raw)


# --- the checks ---------------------------------------------------------------------------------
class Authority:
    """The checks of one push (its transaction), with what they read cached."""

    def __init__(self, ing: Ingest, db_url: str):
        self.ing, self.db_url = ing, db_url
        self._staff_store: dict[str, str | None] = {}

    def check(self, e: WireEvent, parsed: Parsed) -> Refusal | None:
        """Under the writer lock, as the event is admitted (after the batch's earlier events)."""
        why = self._staff(e, parsed) or _foreign_lot(self.ing, e.member_id, parsed)
        if why:
            return why
        for lot_id, *_ in parsed.grants:
            if self.ing.book.lot(lot_id) is not None:
                return Refusal(f"lot {lot_id} exists already at HQ: an event grants new lots only")
        if e.kind == Kind.MEMBER_REGISTER:
            m = M.members.c
            if self.ing.conn.execute(select(m.member_id).where(m.member_id == e.member_id)).first() is not None:
                return Refusal(f"member {e.member_id} is registered already: a register makes a new member")
        elif e.kind == Kind.MEMBER_PATCH:
            return self._credentials(e)
        return None

    def refuse(self, e: WireEvent, why: Refusal) -> None:
        """The open task HQ keeps of a refused event (once, however often the event is pushed)."""
        subject = Subject(e.event_id, e.store_id, e.member_id)
        record(self.ing, subject, why, {"event": e.model_dump(mode="json")})

    def _staff(self, e: WireEvent, parsed: Parsed) -> Refusal | None:
        for staff_id in sorted(staff_of(parsed)):
            if staff_id not in self._staff_store:
                s = M.staff.c
                self._staff_store[staff_id] = self.ing.conn.execute(
                    select(s.store_id).where(s.staff_id == staff_id)).scalar()
            if self._staff_store[staff_id] != e.store_id:
                return Refusal(f"posts to the points of staff member {staff_id[:36]}, who is not staff of store "
                               f"{e.store_id} at HQ")
        return None

    def _credentials(self, e: WireEvent) -> Refusal | None:
        fields = e.payload["fields"]
        if not any(k in fields for k in CREDENTIALS):
            return None
        m = M.members.c
        current = self.ing.conn.execute(select(m.phone, m.pin_hash).where(m.member_id == e.member_id)).first()
        if current is None:
            return Refusal(f"HQ holds no record of member {e.member_id} yet: a change of phone or PIN is checked "
                           "against it (sync the member's register first, then make the change again)")
        changed = [k for k in CREDENTIALS if k in fields and fields[k] != getattr(current, k)]
        if not changed:
            return None
        what = " and ".join("PIN" if k == "pin_hash" else k for k in changed)
        proof = e.payload.get("proof")
        if not proof:
            return Refusal(f"changing the member's {what} needs proof that the member was there: "
                           "their PIN or their dynamic code")
        if "member_code" in proof:
            return self._code_proof(e, proof["member_code"], what)
        return self._pin_proof(e, proof["pin"], current.pin_hash, fields, what)

    def _code_proof(self, e: WireEvent, text: str, what: str) -> Refusal | None:
        ing, member_id = self.ing, e.member_id
        if member_id is None:
            return Refusal(NO_MEMBER)
        key = member_key(ing.conn, member_id)
        if key is None:
            return Refusal(f"the member has no phone key at HQ, so their dynamic code cannot prove the {what} change")
        seen = P.check_dynamic_code(text, member_id, bytes.fromhex(key["public_key"]))
        if isinstance(seen, str):
            return Refusal(seen)
        at = utc(e.device_time) + timedelta(seconds=ing.skew_s)  # HQ's time when the till made the event
        if not C.time_step(at - P.PRESENCE) - C.STEP_TOLERANCE <= seen.step <= C.time_step(at) + C.STEP_TOLERANCE:
            return Refusal(f"the member's dynamic code is from {C.step_start(seen.step):%Y-%m-%d %H:%M:%S} UTC, "
                           f"not from when the till made this change ({at:%Y-%m-%d %H:%M:%S} UTC by HQ's clock)")
        code = seen.replay_key
        claims.preload_codes(ing, [code])
        first = ing.codes[code]
        if first is not None:
            return Refusal(f"the member's dynamic code was used before (event {first['event_id']} at store "
                           f"{first['store_id']}): each code proves presence once")
        ing.codes[code] = {"code_key": code, "event_id": e.event_id, "store_id": e.store_id,
                           "hq_seq": ing.seq.last + 1, "new": True}  # the event's, admitted next
        return None

    def _pin_proof(self, e: WireEvent, sealed: str, pin_hash: str | None, fields: dict[str, Any],
                   what: str) -> Refusal | None:
        ing, member_id = self.ing, e.member_id
        if member_id is None:
            return Refusal(NO_MEMBER)
        key_id = P.sealed_key_id(sealed)
        private = _proof_private(ing.conn, self.db_url, key_id) if key_id else None
        if private is None:
            return Refusal("the PIN proof is not sealed to a proof key this HQ holds")
        try:
            claim = P.open_pin(private, sealed)
        except P.ProofError as err:
            return Refusal(str(err))
        if (claim.event_id, claim.member_id, claim.fields) != (e.event_id, e.member_id, P.fields_digest(fields)):
            return Refusal("the PIN proof was made for another event or other values: a proof fits one change")
        if pin_hash is None:
            return Refusal(f"the member has no PIN at HQ: prove the {what} change with their dynamic code")
        if _wrong_pins(ing, member_id) >= PIN_TRIES:
            return Refusal(f"{PIN_TRIES} wrong PIN proofs for this member within {PIN_WINDOW.total_seconds() / 3600:g}"
                           " hours: HQ takes no more PIN proofs for them for now; use their dynamic code")
        if not verify_pin(pin_hash, claim.pin):
            return WrongPin(f"the member's PIN in the proof is wrong: the {what} change is refused")
        return None


def _wrong_pins(ing: Ingest, member_id: str) -> int:
    c = M.conflicts.c
    since = ing.now - PIN_WINDOW
    stored = ing.conn.execute(select(func.count()).select_from(M.conflicts).where(
        c.kind == WRONG_PIN, c.member_id == member_id, c.created_at >= since)).scalar()
    return (stored or 0) + sum(1 for t in ing.conflicts if t["kind"] == WRONG_PIN and t["member_id"] == member_id)


def _foreign_lot(ing: Ingest, member_id: str | None, parsed: Parsed) -> Refusal | None:
    """A take from (or give-back into) a lot HQ holds for another holder than the event's."""
    staff = staff_of(parsed)
    holder = ("member", member_id) if member_id else ("staff", next(iter(staff))) if staff else None
    for lot_id, _ in parsed.takes:
        lot = ing.book.lot(lot_id)
        if lot is not None and owner(lot.account) != holder:
            return Refusal(f"takes points from lot {lot_id}, which is {lot.account}'s, not the event's "
                           f"{'member' if member_id else 'holder'}: one event moves one member's points")
    return None


def record(ing: Ingest, subject: EventRow | Subject, why: Refusal, detail: dict[str, Any]) -> None:
    kind = WRONG_PIN if isinstance(why, WrongPin) else KIND
    cid = decisions.conflict_id(subject.event_id, KIND)
    if any(t["conflict_id"] == cid for t in ing.conflicts) or ing.conn.execute(
            select(M.conflicts.c.conflict_id).where(M.conflicts.c.conflict_id == cid)).first() is not None:
        return
    ing.seq.next()  # a number of its own: a reader paging the conflicts by hq_seq meets it after what it read
    ing.conflict(RULE, kind, subject, {"reason": str(why), **detail}, status=decisions.ConflictStatus.OPEN, tag=KIND)


def refused_when_woken(ing: Ingest, row: EventRow, parsed: Parsed) -> bool:
    """A waiting event whose lot has arrived and is another holder's: kept as `refused`, never
    applied, its waiting task closed, an open till_authority task, and the till told (waiting.wake)."""
    why = _foreign_lot(ing, row.member_id, parsed)
    if why is None:
        return False
    row.status = decisions.EventStatus.REFUSED
    ing.status_updates[row.event_id] = decisions.EventStatus.REFUSED
    ing.waiting_done.add(row.event_id)
    waiting.close_waiting_task(ing, row, f"refused: {why}")
    record(ing, row, why, {"event_id": row.event_id})
    ing.event_status(row, "rejected", str(why))
    return True
