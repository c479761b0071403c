"""What a scanned or typed code at the counter is: a member, a product, a label, a pickup.

One entry point for the scan box, the keyboard-wedge scanner and the camera, so the
three behave the same. Every `PM1:` payload is parsed and verified by
pos_app.scanner.formats against the keys this store trusts (the `meta` table, see
store.repos.StoredKeys); a typed phone number or card number finds the member as
before; a plain EAN-13 / Code128 looks up the catalogue. A code that is none of these,
or that is forged, altered, expired or used already, is refused with a clear message
(code `scan.<reason>`) and nothing is recorded.

A dynamic member code (the member's phone) is also claimed in `seen_codes` when it is
scanned, so the same code is refused if shown again in its window, after a restart
too. The ScannedMember it gives carries `member_code`: proof of the member's presence
that redeem_gift accepts instead of the member's PIN, once, within PRESENCE.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Connection, select

from pos_app.domain.catalog import Product
from pos_app.domain.codes import (CouponCode, DynamicMemberCode, MemberCard, PickupCode, ProductBarcode, ProductLabel,
                                  Reason, Rejected, Scanned)
from pos_app.domain.members import Member
from pos_app.domain.presence import PRESENCE
from pos_app.domain.problems import Refused
from pos_app.domain.staff import Staff
from pos_app.scanner.formats import MAX_TEXT, Trust, parse
from pos_app.services import points as points_uc
from pos_app.services.catalog import MAX_QUERY, product_for_code
from pos_app.services.context import StoreContext, refuse
from pos_app.services.members import Statement, find_member, member_statement, require_member
from pos_app.store import repos
from pos_app.store import tables as T
from pos_app.store.seen_codes import SeenCodes, seen_at

if TYPE_CHECKING:
    from pos_app.services.redeem import Redemption

# PRESENCE (pos_app.domain.presence): how long after its scan a dynamic member code still proves
# the member is at the counter. Well inside seen_codes.RETENTION, so the proof's record is never
# pruned while it is valid.
_PM = re.compile(r"^PM\d{1,3}:", re.I)
_LEGACY_PICKUP = re.compile(r"^PK[0-9A-F]{16}$")
_USED = "U:"  # seen_codes prefix: this dynamic code has proven presence for a spend


@dataclass(frozen=True)
class ScannedMember:
    member: Member
    statement: Statement
    # Set when the member showed a verified dynamic code (not a card or a typed number):
    # pass it as redeem_gift(member_code=...) instead of the member's PIN.
    member_code: str | None = None

    @property
    def member_code_ok(self) -> bool:
        return self.member_code is not None


@dataclass(frozen=True)
class ScannedProduct:
    product: Product


@dataclass(frozen=True)
class ScannedLabel:
    """A verified product label not yet claimed here: earn it with earn_label(code=payload)."""

    label: ProductLabel
    product: Product | None  # the catalogue's product for the label's sku, if this store sells it
    payload: str


@dataclass(frozen=True)
class ScannedPickup:
    """A held gift's signed pickup code: write it off with redeem.write_off_pickup(pickup_code=code)."""

    redemption: Redemption
    code: str


@dataclass(frozen=True)
class ScannedCoupon:
    """A coupon of any store (its signed code, verified): take it with checkout(coupons=[payload])."""

    coupon: CouponCode
    type_name: str | None  # None: a type this store has not pulled yet
    payload: str


@dataclass(frozen=True)
class ScannedGuide:
    """A shopping guide's staff code (their badge): the sale's guide, who earns guide points on it."""
    staff: Staff


Found = ScannedMember | ScannedProduct | ScannedLabel | ScannedPickup | ScannedCoupon | ScannedGuide
GUIDE_PREFIX = "G:"  # a guide's badge: G:<staff id>, a plain Code128 (it names, it proves nothing)
_GUIDE = re.compile(r"^G:([A-Za-z0-9_-]{1,36})$", re.I)


def guide_badge(staff_id: str) -> str:
    """What a guide's badge encodes, for printing (Code128 or QR)."""
    return GUIDE_PREFIX + staff_id


@dataclass(frozen=True)
class LabelEarned:
    label: ProductLabel
    balance_after: int


def is_payload(text: str) -> bool:
    """A `PM<version>:` payload of ours (any version: a newer one is refused by parse)."""
    return bool(_PM.match(text or ""))


def trust(conn: Connection) -> Trust:
    keys = repos.StoredKeys(conn)
    return Trust(keys, keys, keys)


def rejected(got: Rejected) -> Refused:
    return Refused(got.problem())


def verify(conn: Connection, text: str, now: datetime, symbology: str | None = None) -> Scanned:
    """The verified code in `text`, or Refused with scan.<reason>. Claims nothing."""
    got = parse(text, now=now, trust=trust(conn), symbology=symbology)
    if isinstance(got, Rejected):
        raise rejected(got)
    return got


def resolve_scan(ctx: StoreContext, text: str, *, symbology: str | None = None) -> Found:
    text = (text or "").strip()
    if not text:
        raise refuse("scan.empty", "scan a code or type a phone number or product code")
    if len(text) > MAX_TEXT:
        raise rejected(Rejected(Reason.UNKNOWN_FORMAT))
    guide = _GUIDE.match(text)
    if guide:
        return _guide(ctx, guide.group(1))
    if not is_payload(text):
        if len(text) <= MAX_QUERY and _looks_like_member(text):
            return _typed_member(ctx, text)
        if _LEGACY_PICKUP.match(text.upper()):
            found = _legacy_pickup(ctx, text.upper())
            if found is not None:
                return found
    with ctx.db.read() as conn:
        now = ctx.corrected_now(conn)  # a code's window is HQ's time, not a wrong till clock's
        got = verify(conn, text, now, symbology)
    if isinstance(got, MemberCard):
        return _member(ctx, find_member(ctx, got.card_no))
    if isinstance(got, DynamicMemberCode):
        return _dynamic_member(ctx, got, now)
    if isinstance(got, ProductLabel):
        return _label(ctx, got, text)
    if isinstance(got, PickupCode):
        from pos_app.services import redeem as redeem_uc  # redeem verifies its codes here

        return ScannedPickup(redeem_uc.pickup_redemption(ctx, text), text)
    if isinstance(got, CouponCode):
        with ctx.db.read() as conn:
            name = conn.execute(select(T.coupon_types.c.name).where(T.coupon_types.c.type_id == got.type_id)).scalar()
        return ScannedCoupon(got, name, text)
    assert isinstance(got, ProductBarcode)
    return ScannedProduct(product_for_code(ctx, got.code))


def _guide(ctx: StoreContext, staff_id: str) -> ScannedGuide:
    with ctx.db.read() as conn:
        staff = repos.staff_by_id(conn, staff_id)
    if staff is None or not staff.active:
        raise refuse("guide.unknown", "this badge names no shopping guide of this store")
    return ScannedGuide(staff)


# --- members ------------------------------------------------------------------------------
def _looks_like_member(text: str) -> bool:
    digits = text.replace(" ", "").replace("-", "").removeprefix("+86")
    return (digits.isdigit() and len(digits) in (11, 12)) or (text.upper().startswith("R") and len(text) == 9)


def _typed_member(ctx: StoreContext, text: str) -> ScannedMember | ScannedProduct:
    try:
        member = find_member(ctx, text)
    except Refused as member_refusal:
        # An EAN-13 is 13 digits, so 11/12-digit codes are members first; but a
        # store may give a product a short numeric code: try that before refusing.
        try:
            return ScannedProduct(product_for_code(ctx, text))
        except Refused:
            raise member_refusal from None
    return _member(ctx, member)


def _member(ctx: StoreContext, member: Member, member_code: str | None = None) -> ScannedMember:
    return ScannedMember(member, member_statement(ctx, member.member_id, history_limit=10), member_code)


def _dynamic_member(ctx: StoreContext, code: DynamicMemberCode, now: datetime) -> ScannedMember:
    with ctx.db.write() as conn:
        member = require_member(conn, code.member_id)
        if not SeenCodes(conn, now).claim(code.replay_key, code.expires_at):
            raise rejected(Rejected(Reason.REPLAYED))
    return _member(ctx, member, code.replay_key)


def member_code_present(conn: Connection, member_code: str, member_id: str, now: datetime) -> str:
    """In a spending use case's write transaction: `member_code` proves `member_id` is here.

    `member_code` is ScannedMember.member_code (a dynamic code scanned at this store
    within PRESENCE) or the scanned `PM1:D:` text itself. Each code proves presence for
    one spend; a refused spend rolls back and leaves it usable. Raises Refused. Returns
    the code's key (D:<member>:<step>), which the spend's event carries: this till refuses
    the code again, and HQ flags it used at another till (hq_server.ledger.merges.member_code).
    """
    member_code = (member_code or "").strip()
    if is_payload(member_code):
        got = verify(conn, member_code, now)
        if not isinstance(got, DynamicMemberCode):
            raise refuse("member.code_kind", "only the member's dynamic code (on the phone) can replace the PIN")
        key = got.replay_key
        if seen_at(conn, key) is None:  # not scanned here before: this is its first use
            SeenCodes(conn, now).claim(key, got.expires_at)
    else:
        key = member_code
    parts = key.split(":")
    if len(parts) != 3 or parts[0] != "D":
        raise refuse("member.code_kind", "only the member's dynamic code (on the phone) can replace the PIN")
    if parts[1] != member_id:
        raise refuse("member.code_other", "this dynamic code belongs to another member")
    scanned = seen_at(conn, key)
    if scanned is None or not now - PRESENCE <= scanned <= now + timedelta(minutes=1):
        raise rejected(Rejected(Reason.EXPIRED, "the member's code was scanned too long ago: scan a fresh one"))
    if not SeenCodes(conn, now).claim(_USED + key, scanned + PRESENCE):
        raise rejected(Rejected(Reason.REPLAYED, "this member code was already used to spend points: "
                                                 "ask the member to show a fresh one"))
    return key


# --- labels ---------------------------------------------------------------------------------
def _label(ctx: StoreContext, label: ProductLabel, payload: str) -> ScannedLabel:
    with ctx.db.read() as conn:
        _check_unclaimed(conn, label.serial)
        product = repos.product_by_code(conn, label.sku)
    return ScannedLabel(label, product if product and product.sku == label.sku else None, payload)


def _check_unclaimed(conn: Connection, serial: str) -> None:
    claimed = conn.execute(select(T.label_claims.c.claimed_at).where(T.label_claims.c.serial == serial)).scalar()
    if claimed is not None:
        raise refuse("label.claimed", f"this label was already scanned on {claimed:%Y-%m-%d %H:%M}")


def earn_label(ctx: StoreContext, *, staff_id: str, member_id: str, code: str) -> LabelEarned:
    """The member earns a scanned label's points: the payload is verified again here
    (the caller's word is not taken for the points), and its serial earns once."""
    with ctx.db.read() as conn:
        got = verify(conn, code, ctx.corrected_now(conn))
    if not isinstance(got, ProductLabel):
        raise refuse("label.not_label", "this is not a product label")
    balance = points_uc.label_earn(ctx, staff_id=staff_id, member_id=member_id, serial=got.serial, sku=got.sku,
                                   points=got.points, label_batch=got.batch)
    return LabelEarned(got, balance)


# --- pickups ----------------------------------------------------------------------------------
def _legacy_pickup(ctx: StoreContext, code: str) -> ScannedPickup | None:
    from pos_app.services import redeem as redeem_uc

    try:
        return ScannedPickup(redeem_uc.pickup_redemption(ctx, code), code)
    except Refused as err:
        if err.codes == ("pickup.unknown",):
            return None  # maybe a product's Code128 after all
        raise
