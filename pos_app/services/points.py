"""Points use cases beyond the sale: coupons, lottery, donation, adjustments, expiry, labels."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from pos_app.domain import entries as E
from pos_app.domain import ledger as L
from pos_app.domain.chain_codes import coupon_payload
from pos_app.domain.coupons import CouponType
from pos_app.domain.ids import new_id
from pos_app.domain.ledger import Event, Kind
from pos_app.domain.lottery import Prize, check_draw, check_lottery, draw, within_budget
from pos_app.domain.problems import Problem, Refused, refuse_if
from pos_app.domain.staff import Action, needs_approval
from pos_app.services import offline
from pos_app.services.context import StoreContext, manager_approval, post, refuse, require_staff
from pos_app.services.members import member_present, require_member
from pos_app.store import device_key, ledger_repo, repos
from pos_app.store import tables as T
from pos_app.sync import state

_COUPON_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
MAX_SERIAL = 40  # label_claims.serial


@dataclass(frozen=True)
class CouponBought:
    code: str
    type: CouponType
    expires_at: datetime
    balance_after: int
    qr: str = ""  # the signed code any store of the chain takes (DESIGN.md 11): print or show it


def _spend(ctx: StoreContext, conn: Connection, kind: Kind, member_id: str, points: int, to_account: str,
           staff_id: str, now: datetime, payload: dict[str, Any]) -> Event:
    if kind in (Kind.REDEEM_POST, Kind.LOTTERY_DRAW):  # coupons and draws count against HQ's offline limits
        offline.check_redeem(conn, now, member_id, points)
    rules = repos.current_rules(conn, now)
    acct = L.member_account(member_id)
    entry = E.spend(kind, member_id=member_id, lots=ledger_repo.lots_of(conn, acct), points=points,
                    to_account=to_account, now=now, payload=payload)
    if isinstance(entry, Problem):
        raise Refused(entry)
    return post(ctx, conn, entry, staff_id=staff_id, rule_version=rules.version, now=now)


def _proof(code_key: str | None) -> dict[str, Any]:
    """The member code a spend used, in its event: this till refuses it again, HQ flags a
    second use at another till."""
    return {"member_code": code_key} if code_key else {}


def buy_coupon(ctx: StoreContext, *, staff_id: str, member_id: str, type_id: str,
               member_pin: str | None = None, member_code: str | None = None) -> CouponBought:
    """The member proves presence with `member_code` (their phone's dynamic code, verified
    here) or their PIN, as for every spend (members.member_present)."""
    with ctx.db.write() as conn:
        now = ctx.now()
        require_staff(conn, staff_id)
        _, proof = member_present(conn, member_id, member_pin=member_pin, member_code=member_code, now=now,
                                  pins=ctx.pins)
        ctype = repos.coupon_type(conn, type_id)
        if ctype is None:
            raise refuse("coupon.unknown_type", "unknown coupon type")
        code = "C" + "".join(secrets.choice(_COUPON_ALPHABET) for _ in range(9))
        expires = now + timedelta(days=ctype.valid_days)
        event = _spend(ctx, conn, Kind.REDEEM_POST, member_id, ctype.points_cost, L.store_redeemed(ctx.who.store_id),
                       staff_id, now, {"purpose": "coupon", "coupon": code, "type_id": type_id,
                                       "expires_at": expires.isoformat(), **_proof(proof)})
        conn.execute(T.coupons.insert().values(code=code, type_id=type_id, member_id=member_id, status="active",
                                               expires_at=expires, bought_event=event.event_id))
        repos.audit(conn, at=now, staff_id=staff_id, action="buy_coupon", subject=member_id, coupon=code)
        _, key = device_key.signing_key(conn, ctx.who.store_id)
        qr = coupon_payload(code, member_id, type_id, expires, ctype.points_cost, ctx.who.store_id, key)
        return CouponBought(code, ctype, expires, ledger_repo.balance(conn, L.member_account(member_id)), qr)


@dataclass(frozen=True)
class DrawResult:
    """What the counter shows: the prize (its seed stays in the event, for an auditor to replay)."""
    prize: Prize
    balance_after: int
    draws_left: int | None  # today, for this member (None: HQ set no daily limit)


def _todays_draws(ctx: StoreContext, conn: Connection, lottery_id: str, member_id: str, now: datetime) -> tuple[int, int]:
    """(the member's draws of this lottery today, prize points this till paid out for it today), by the
    store's local day. The member's draws count those made elsewhere that reached this till."""
    local = now + ctx.utc_offset(now)
    day_start = local.replace(hour=0, minute=0, second=0, microsecond=0) - ctx.utc_offset(now)
    e = T.events.c
    mine = paid = 0
    for member, seq, payload in conn.execute(select(e.member_id, e.device_seq, e.payload).where(
            e.kind == Kind.LOTTERY_DRAW, e.device_time >= day_start)):
        doc = json.loads(payload)
        if doc.get("lottery_id") != lottery_id:
            continue
        mine += member == member_id
        if seq > 0:
            paid += int(doc.get("prize_points") or 0)
    return mine, paid


def lottery_draw(ctx: StoreContext, *, staff_id: str, member_id: str, lottery_id: str,
                 member_pin: str | None = None, member_code: str | None = None) -> DrawResult:
    """One draw paid with points, within HQ's limits: the member's draws a day, and the prizes this
    till may still pay today (its share of the store's daily prize budget)."""
    with ctx.db.write() as conn:
        now = ctx.now()
        require_staff(conn, staff_id)
        _, proof = member_present(conn, member_id, member_pin=member_pin, member_code=member_code, now=now,
                                  pins=ctx.pins)
        lottery = repos.lottery(conn, lottery_id)
        if lottery is None:
            raise refuse("lottery.unknown", "unknown lottery")
        refuse_if(check_lottery(lottery))
        draws, paid = _todays_draws(ctx, conn, lottery_id, member_id, now)
        refuse_if(check_draw(lottery, draws_today=draws))
        budget = None if lottery.daily_prize_points is None else \
            lottery.daily_prize_points // max(1, state.get_int(conn, "store_tills", 1)) - paid
        offered = within_budget(lottery, budget)
        if isinstance(offered, Problem):
            raise Refused(offered)
        seed = secrets.randbits(63)  # recorded, so the draw can be replayed by an auditor
        prize = draw(offered, seed)
        rules = repos.current_rules(conn, now)
        payload = {"lottery_id": lottery_id, "seed": seed, "prize": prize.code, "prize_points": prize.points}
        if offered is not lottery:  # the prizes the budget left in the draw: what the seed replays against
            payload["offered"] = [p.code for p in offered.prizes]
        _spend(ctx, conn, Kind.LOTTERY_DRAW, member_id, lottery.points_per_draw, L.store_redeemed(ctx.who.store_id),
               staff_id, now, {**payload, **_proof(proof)})
        if prize.points:
            owed = -ledger_repo.balance(conn, L.debt_account(member_id))
            post(ctx, conn, E.earn(Kind.EARN, member_id=member_id, points=prize.points, store_id=ctx.who.store_id,
                                   owed=owed, lot_id=new_id(), now=now, rules=rules,
                                   payload={"purpose": "lottery_prize", "lottery_id": lottery_id, "seed": seed}),
                 staff_id=staff_id, rule_version=rules.version, now=now)
        repos.audit(conn, at=now, staff_id=staff_id, action="lottery_draw", subject=member_id, prize=prize.code)
        left = None if lottery.daily_draws is None else lottery.daily_draws - draws - 1
        return DrawResult(prize, ledger_repo.balance(conn, L.member_account(member_id)), left)


def donate(ctx: StoreContext, *, staff_id: str, member_id: str, points: int, member_pin: str | None = None,
           member_code: str | None = None) -> int:
    if not isinstance(points, int) or isinstance(points, bool) or points <= 0:
        raise refuse("points.not_positive", "points to donate must be a positive whole number")
    with ctx.db.write() as conn:
        now = ctx.now()
        require_staff(conn, staff_id)
        _, proof = member_present(conn, member_id, member_pin=member_pin, member_code=member_code, now=now,
                                  pins=ctx.pins)
        _spend(ctx, conn, Kind.DONATION, member_id, points, L.CHARITY, staff_id, now, {"charity": "default", **_proof(proof)})
        repos.audit(conn, at=now, staff_id=staff_id, action="donation", subject=member_id, points=points)
        return ledger_repo.balance(conn, L.member_account(member_id))


def adjust(ctx: StoreContext, *, staff_id: str, member_id: str, points: int, reason: str,
           approver_pin: str | None = None) -> int:
    """A manager's correction: positive adds a lot, negative takes soonest-expiring points."""
    reason = (reason or "").strip()
    if not reason:
        raise refuse("adjust.reason", "an adjustment needs a reason")
    if not isinstance(points, int) or isinstance(points, bool) or points == 0:
        raise refuse("adjust.points", "adjust by a non-zero whole number of points")
    with ctx.db.write() as conn:
        now = ctx.now()
        require_staff(conn, staff_id)
        require_member(conn, member_id)
        rules = repos.current_rules(conn, now)
        if abs(points) > rules.max_adjust_points:
            raise refuse("adjust.too_large", f"an adjustment is at most {rules.max_adjust_points} points")
        approver = None
        if needs_approval(rules.approval, Action.ADJUST):
            approver = manager_approval(ctx, conn, approver_pin, "an adjustment")
        payload = {"reason": reason, "approver": approver.staff_id if approver else None}
        if points > 0:
            owed = -ledger_repo.balance(conn, L.debt_account(member_id))
            entry = E.earn(Kind.ADJUST, member_id=member_id, points=points, store_id=ctx.who.store_id, owed=owed,
                           lot_id=new_id(), now=now, rules=rules, payload=payload)
            post(ctx, conn, entry, staff_id=staff_id, rule_version=rules.version, now=now)
        else:
            _spend(ctx, conn, Kind.ADJUST, member_id, -points, L.store_issued(ctx.who.store_id), staff_id, now,
                   payload)
        repos.audit(conn, at=now, staff_id=staff_id, approver_id=approver.staff_id if approver else None,
                    action="adjust", subject=member_id, points=points, reason=reason)
        return ledger_repo.balance(conn, L.member_account(member_id))


def expire_due(ctx: StoreContext, *, staff_id: str | None = None) -> int:
    """Post every lot past its expiry that this till granted to breakage; returns the points expired.

    Lots granted elsewhere (another store's events, HQ's, a member fetched from HQ) are
    expired by the device that granted them, whose expire event reaches this till by
    sync: two tills expiring one lot would leave the member owing the points twice."""
    with ctx.db.write() as conn:
        now = ctx.now()
        rules = repos.current_rules(conn, now)
        lo, ev = T.lots.c, T.events.c
        own = set(conn.execute(select(lo.lot_id).join_from(T.lots, T.events, lo.event_id == ev.event_id)
                               .where(lo.remaining > 0, lo.expires_at <= now, ev.device_seq > 0)).scalars())
        accounts = sorted(conn.execute(select(lo.account).distinct().where(lo.lot_id.in_(own))).scalars()) if own \
            else []
        total = 0
        for acct in accounts:
            member_id = L.member_of(acct)
            lots = [lot for lot in ledger_repo.lots_of(conn, acct) if lot.lot_id in own]
            entry = E.expire(account=acct, lots=lots, now=now, member_id=member_id)
            if entry:
                post(ctx, conn, entry, staff_id=staff_id, rule_version=rules.version, now=now)
                total += entry.payload["points"]
        if total:
            repos.audit(conn, at=now, staff_id=staff_id, action="expire", points=total, accounts=len(accounts))
        return total


def label_earn(ctx: StoreContext, *, staff_id: str, member_id: str, serial: str, sku: str, points: int,
               label_batch: str | None = None) -> int:
    """Points from a verified product label. A serial earns once (here; chain-wide at HQ)."""
    if not isinstance(points, int) or isinstance(points, bool) or not 0 < points <= 100_000:
        raise refuse("label.points", "the label's points are out of range")
    if not isinstance(serial, str) or not serial.strip() or len(serial) > MAX_SERIAL:
        # label_claims.serial is the once-only key: an empty or oversized one would
        # either claim nothing real or fail in the database instead of here.
        raise refuse("label.serial", "the label has no valid serial number")
    with ctx.db.write() as conn:
        now = ctx.now()
        require_staff(conn, staff_id)
        require_member(conn, member_id)
        claimed = conn.execute(select(T.label_claims.c.claimed_at).where(T.label_claims.c.serial == serial)).first()
        if claimed:
            raise refuse("label.claimed", f"this label was already scanned on {claimed[0]:%Y-%m-%d %H:%M}")
        rules = repos.current_rules(conn, now)
        owed = -ledger_repo.balance(conn, L.debt_account(member_id))
        event = post(ctx, conn, E.earn(Kind.LABEL_EARN, member_id=member_id, points=points, store_id=ctx.who.store_id,
                                       owed=owed, lot_id=new_id(), now=now, rules=rules,
                                       payload={"serial": serial, "sku": sku, "batch": label_batch}),
                     staff_id=staff_id, rule_version=rules.version, now=now)
        conn.execute(T.label_claims.insert().values(serial=serial, sku=sku, points=points, member_id=member_id,
                                                    event_id=event.event_id, claimed_at=now))
        return ledger_repo.balance(conn, L.member_account(member_id))
