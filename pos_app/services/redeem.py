"""Gift redemption: hold the points, hand the gift over (now or at pickup), or void.

A redemption first moves the points to the store's suspense account (redeem_hold)
and takes the gift from stock; handing the gift over posts them as redeemed
(redeem_post). Voiding before pickup puts the points back into the very lots they
came from; a gift returned after pickup is reversed the same way.

A gift held for pickup gets a signed pickup code (`PM1:P:`, pos_app.scanner.formats)
made with this device's own Ed25519 key, which the store trusts (meta keys.devices;
other stores learn it from HQ). The redemptions row keeps a short handle
`PS:<key id>:<redemption id>`; Ed25519 signatures are deterministic, so the printed
payload is made again from it whenever it is shown. Write-off verifies the signature;
rows from before signed codes keep their unsigned `PK…` token, which still works.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, Row, func, select, update

from pos_app.domain import entries as E
from pos_app.domain import ledger as L
from pos_app.domain.codes import PickupCode
from pos_app.domain.gifts import check_redemption
from pos_app.domain.ids import new_id
from pos_app.domain.ledger import Kind
from pos_app.domain.lots import spendable_total
from pos_app.domain.problems import Problem, Refused, refuse_if
from pos_app.domain.staff import Action, needs_approval
from pos_app.scanner.formats import pickup_payload
from pos_app.services import chain_pickups, offline
from pos_app.services import scan as scan_uc
from pos_app.services.context import (StoreContext, give_back_room, manager_approval, post, refuse,
                                      require_staff)
from pos_app.services.members import member_present
from pos_app.store import device_key, ledger_repo, repos
from pos_app.store import tables as T


@dataclass(frozen=True)
class Redemption:
    redemption_id: str
    member_id: str
    gift_id: str
    gift_name: str
    qty: int
    points: int
    copay_fen: int
    status: str  # held, picked_up, voided, returned
    pickup_code: str  # what the member takes away: a signed PM1:P payload (PK… on older rows)
    created_at: datetime


def redeem_gift(ctx: StoreContext, *, staff_id: str, member_id: str, gift_id: str, qty: int = 1,
                member_pin: str | None = None, approver_pin: str | None = None,
                hand_over: bool = True, member_code: str | None = None) -> Redemption:
    """Redeem in person; the member proves presence (see members.member_present) with
    the PIN or `member_code`: ScannedMember.member_code from scanning the member's
    dynamic code (or that PM1:D text), verified here and good for one redemption."""
    with ctx.db.write() as conn:
        now = ctx.now()
        require_staff(conn, staff_id)
        # proof: the member code's key, carried by the hold's event
        member, proof = member_present(conn, member_id, member_pin=member_pin, member_code=member_code, now=now,
                                       pins=ctx.pins)
        found = repos.gift_with_stock(conn, gift_id)
        if found is None:
            raise refuse("gift.unknown", "unknown gift")
        gift, stock = found
        rules = repos.current_rules(conn, now)
        lots = ledger_repo.lots_of(conn, L.member_account(member_id))
        refuse_if(check_redemption(gift, qty=qty, stock=stock, member_tier=member.tier, tiers=rules.tiers,
                                   already_redeemed=_redeemed_count(conn, member_id, gift_id),
                                   spendable_points=spendable_total(lots, now), now=now))
        points = gift.points_cost * qty
        offline.check_redeem(conn, now, member_id, points)  # HQ's offline limits, once enrolled
        approver = None
        if needs_approval(rules.approval, Action.REDEEM, points):
            approver = manager_approval(ctx, conn, approver_pin, "a redemption this large")
        redemption_id = new_id()
        pickup_code = f"{_SIGNED}{_signing_key(ctx, conn)[0]}:{redemption_id}"
        base = {"redemption_id": redemption_id, "gift_id": gift_id, "qty": qty, "copay_fen": gift.copay_fen * qty}
        hold = E.spend(Kind.REDEEM_HOLD, member_id=member_id, lots=lots, points=points,
                       to_account=L.suspense(ctx.who.store_id), now=now,
                       payload={**base, "stock": -qty, **({"member_code": proof} if proof else {})})
        if isinstance(hold, Problem):
            raise Refused(hold)
        event = post(ctx, conn, hold, staff_id=staff_id, rule_version=rules.version, now=now)
        repos.change_gift_stock(conn, gift_id, -qty, event.event_id)  # the store's own stock (DESIGN.md 11)
        conn.execute(T.redemptions.insert().values(
            redemption_id=redemption_id, member_id=member_id, gift_id=gift_id, qty=qty, points=points,
            copay_fen=gift.copay_fen * qty, status="held", pickup_code=pickup_code, hold_event=event.event_id,
            staff_id=staff_id, approver_id=approver.staff_id if approver else None, created_at=now))
        repos.audit(conn, at=now, staff_id=staff_id, approver_id=approver.staff_id if approver else None,
                    action="redeem_gift", subject=redemption_id, gift=gift_id, points=points)
        if hand_over:
            _post(ctx, conn, redemption_id, staff_id, rules.version, now)
        return _load(conn, redemption_id)


def write_off_pickup(ctx: StoreContext, *, staff_id: str, pickup_code: str) -> Redemption:
    """The member collects a held gift: scan its pickup code, hand it over."""
    with ctx.db.write() as conn:
        now = ctx.now()
        require_staff(conn, staff_id)
        row = _held(ctx, conn, pickup_code, now)
        if isinstance(row, PickupCode):  # held at another store, or an online order: any store hands it over
            return chain_pickups.write_off_elsewhere(ctx, conn, row, pickup_code, staff_id, now)
        _post(ctx, conn, row.redemption_id, staff_id, repos.current_rules(conn, now).version, now)
        repos.audit(conn, at=now, staff_id=staff_id, action="write_off_pickup", subject=row.redemption_id)
        return _load(conn, row.redemption_id)


def cancel_redemption(ctx: StoreContext, *, staff_id: str, redemption_id: str, approver_pin: str | None = None,
                      reason: str = "") -> Redemption:
    """Void a held redemption or take back a handed-over gift: points and stock restored."""
    with ctx.db.write() as conn:
        now = ctx.now()
        require_staff(conn, staff_id)
        row = conn.execute(select(T.redemptions).where(T.redemptions.c.redemption_id == redemption_id)).first()
        if row is None:
            raise refuse("redemption.unknown", "unknown redemption")
        if row.status not in ("held", "picked_up"):
            raise refuse("redemption.closed", f"this redemption is already {row.status}")
        rules = repos.current_rules(conn, now)
        approver = None
        if needs_approval(rules.approval, Action.VOID_REDEMPTION):
            approver = manager_approval(ctx, conn, approver_pin, "cancelling a redemption")
        hold_takes = E.takes_from_doc(ledger_repo.event_payload(conn, row.hold_event)["lots"])
        payload = {"redemption_id": redemption_id, "gift_id": row.gift_id, "qty": row.qty, "reason": reason,
                   "stock": row.qty}
        room = give_back_room(conn, row.member_id, hold_takes, rules, now)
        if row.status == "held":
            entry = E.release_hold(Kind.REDEEM_VOID, member_id=row.member_id, hold_takes=hold_takes,
                                   points=row.points, store_id=ctx.who.store_id, payload=payload, room=room)
            status = "voided"
        else:
            entry = E.give_back(member_id=row.member_id, points=row.points, lot_takes=hold_takes,
                                source=L.store_redeemed(ctx.who.store_id), payload={**payload, "of": "redemption"},
                                room=room)
            status = "returned"
        event = post(ctx, conn, entry, staff_id=staff_id, rule_version=rules.version, now=now)
        repos.change_gift_stock(conn, row.gift_id, row.qty, event.event_id)
        conn.execute(update(T.redemptions).where(T.redemptions.c.redemption_id == redemption_id)
                     .values(status=status, closed_at=now))
        repos.audit(conn, at=now, staff_id=staff_id, approver_id=approver.staff_id if approver else None,
                    action="cancel_redemption", subject=redemption_id, reason=reason)
        return _load(conn, redemption_id)


def pickup_redemption(ctx: StoreContext, pickup_code: str) -> Redemption:
    """The held redemption a pickup code stands for (verified), without writing it off."""
    with ctx.db.read() as conn:
        row = _held(ctx, conn, pickup_code, ctx.now())
        if isinstance(row, PickupCode):
            return chain_pickups.preview(conn, row, pickup_code)
        return _load(conn, row.redemption_id)


def member_redemptions(ctx: StoreContext, member_id: str) -> list[Redemption]:
    with ctx.db.read() as conn:
        ids = conn.execute(select(T.redemptions.c.redemption_id).where(T.redemptions.c.member_id == member_id)
                           .order_by(T.redemptions.c.created_at.desc())).scalars().all()
        return [_load(conn, i) for i in ids]


def _post(ctx: StoreContext, conn: Connection, redemption_id: str, staff_id: str, rule_version: int,
          now: datetime) -> None:
    row = conn.execute(select(T.redemptions).where(T.redemptions.c.redemption_id == redemption_id)).one()
    post(ctx, conn, E.post_hold(member_id=row.member_id, points=row.points, store_id=ctx.who.store_id,
                                payload={"redemption_id": redemption_id, "gift_id": row.gift_id, "qty": row.qty}),
         staff_id=staff_id, rule_version=rule_version, now=now)
    conn.execute(update(T.redemptions).where(T.redemptions.c.redemption_id == redemption_id)
                 .values(status="picked_up", closed_at=now))


def _redeemed_count(conn: Connection, member_id: str, gift_id: str) -> int:
    return int(conn.execute(select(func.coalesce(func.sum(T.redemptions.c.qty), 0)).where(
        T.redemptions.c.member_id == member_id, T.redemptions.c.gift_id == gift_id,
        T.redemptions.c.status.in_(("held", "picked_up")))).scalar_one())


def _load(conn: Connection, redemption_id: str) -> Redemption:
    r = conn.execute(select(T.redemptions, T.gifts.c.name).join(T.gifts)
                     .where(T.redemptions.c.redemption_id == redemption_id)).one()
    return Redemption(r.redemption_id, r.member_id, r.gift_id, r.name, r.qty, r.points, r.copay_fen, r.status,
                      _printed(conn, r), r.created_at)


# --- pickup codes -------------------------------------------------------------------------------
_SIGNED = "PS:"  # redemptions.pickup_code of a signed code: PS:<key id>:<redemption id>


def _signing_key(ctx: StoreContext, conn: Connection) -> tuple[str, Ed25519PrivateKey]:
    """This device's pickup-signing key, made on first use; trusted for this store's id."""
    return device_key.signing_key(conn, ctx.who.store_id)


def _printed(conn: Connection, r: Row[Any]) -> str:
    """The pickup code as printed: the signed payload made again from the row's handle, naming the gift,
    quantity and member so that any store can hand it over (DESIGN.md 11)."""
    stored: str = r.pickup_code
    if not stored.startswith(_SIGNED):
        return stored  # an unsigned PK… token from before signed codes
    kid, _, redemption_id = stored[len(_SIGNED):].partition(":")
    rec = repos.get_meta_json(conn, repos.SIGNING_KEY)
    device = repos.StoredKeys(conn).device_key(kid)
    if rec is None or rec["key_id"] != kid or device is None:
        return stored  # signed by a key this device no longer holds: the printed code still verifies
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(rec["private_key"]))
    return pickup_payload(redemption_id, device.store_id, key, gift_id=r.gift_id, qty=r.qty, member_id=r.member_id)


def _held(ctx: StoreContext, conn: Connection, pickup_code: str, now: datetime) -> Row[Any] | PickupCode:
    """The held redemption row for a scanned or typed pickup code; or, for a code held at another
    store (or an online order's, made by HQ), the verified code itself; or Refused."""
    code = (pickup_code or "").strip()
    row = None
    if scan_uc.is_payload(code):
        got = scan_uc.verify(conn, code, now)  # scan.forged / tampered / malformed ...
        if not isinstance(got, PickupCode):
            raise refuse("pickup.not_pickup", "this is not a pickup code")
        chain_pickups.refuse_if_used(conn, got)
        row = conn.execute(select(T.redemptions).where(
            T.redemptions.c.redemption_id == got.redemption_id,
            T.redemptions.c.pickup_code == f"{_SIGNED}{got.key_id}:{got.redemption_id}")).first()
        if row is None and got.gift_id is not None:
            return got  # not held by this till: any store of the chain hands it over
        if row is None and got.store_id != ctx.who.store_id:
            raise refuse("pickup.other_store", "this older pickup code is collected at the store that issued it")
    elif code.upper().startswith("PK"):  # only old tokens are looked up as typed: a PS: handle is no code
        row = conn.execute(select(T.redemptions).where(T.redemptions.c.pickup_code == code.upper())).first()
    if row is None:
        raise refuse("pickup.unknown", "no redemption has this pickup code")
    if row.status != "held":
        raise refuse("pickup.closed", f"this gift was already {row.status.replace('_', ' ')}")
    return row
