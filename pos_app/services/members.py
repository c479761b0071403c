"""Member use cases: register, look up, edit, statement."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from pos_app.domain import ledger as L
from pos_app.domain.ids import new_id
from pos_app.domain.ledger import Entry, Kind
from pos_app.domain.lots import spendable_total
from pos_app.domain.members import (Member, card_no_for, check_name, check_phone, luhn_ok, normalize_phone,
                                    referral_code_for)
from pos_app.domain.problems import Problem, Refused, refuse_if
from pos_app.domain.staff import check_pin_format, hash_pin, verify_pin
from pos_app.domain.tiers import lowest
from pos_app.services.context import PIN_LOCK_SECONDS, PinGuard, StoreContext, post, refuse, require_staff
from pos_app.store import ledger_repo, repos
from pos_app.store import tables as T
from pos_app.sync import state as sync_state  # the till's sync memory (meta rows, no network)

EXPIRING_SOON = timedelta(days=30)


def register_member(ctx: StoreContext, *, staff_id: str, phone: str, name: str, referrer_code: str | None = None,
                    member_pin: str | None = None) -> Member:
    phone = normalize_phone(phone)
    name = (name or "").strip()
    problems = [*check_phone(phone), *check_name(name)]
    if member_pin:
        problems += check_pin_format(member_pin)
    refuse_if(problems)
    with ctx.db.write() as conn:
        now = ctx.now()
        require_staff(conn, staff_id)
        if repos.member_where(conn, phone=phone):
            raise refuse("member.exists", f"{phone} is already a member")
        referrer = None
        if referrer_code:
            referrer = repos.member_where(conn, referral_code=referrer_code.strip().upper())
            if referrer is None:
                raise refuse("member.referrer", f"no member has referral code {referrer_code}")
        rules = repos.current_rules(conn, now)
        member_id = new_id()
        member = Member(member_id, phone, name, lowest(rules.tiers).code, card_no_for(member_id),
                        referral_code_for(member_id), referrer.member_id if referrer else None, now,
                        ctx.who.store_id, pin_hash=hash_pin(member_pin) if member_pin else None)
        repos.save_member(conn, member)
        post(ctx, conn, Entry(Kind.MEMBER_REGISTER, _member_doc(member), member_id=member_id),
             staff_id=staff_id, rule_version=rules.version, now=now)
        repos.audit(conn, at=now, staff_id=staff_id, action="member_register", subject=member_id)
        return member


def _member_doc(m: Member) -> dict[str, Any]:
    return {"member_id": m.member_id, "phone": m.phone, "name": m.name, "tier": m.tier, "card_no": m.card_no,
            "referral_code": m.referral_code, "referred_by": m.referred_by, "home_store": m.home_store,
            "created_at": m.created_at.isoformat(), "pin_hash": m.pin_hash}


def patch_member(ctx: StoreContext, *, staff_id: str, member_id: str, name: str | None = None,
                 phone: str | None = None, new_pin: str | None = None, member_pin: str | None = None,
                 member_code: str | None = None) -> Member:
    """Edit a member. A new phone number or PIN needs the member at the counter (docs/till-authority.md):
    their current PIN (`member_pin`) or their phone's dynamic code (`member_code`, the scanned `PM1:D:`
    text), checked here, and carried in the event as proof HQ checks again: the code itself, or the PIN
    sealed to HQ's proof key (a till enrolled with HQ has it from the handshake). Name: no proof."""
    changes: dict[str, str] = {}
    problems: list[Problem] = []
    if name is not None:
        changes["name"] = name.strip()
        problems += check_name(changes["name"])
    if phone is not None:
        changes["phone"] = normalize_phone(phone)
        problems += check_phone(changes["phone"])
    if new_pin is not None:
        problems += check_pin_format(new_pin)
    if not changes and new_pin is None:
        raise refuse("member.no_change", "nothing to change")
    refuse_if(problems)
    with ctx.db.write() as conn:
        now = ctx.now()
        require_staff(conn, staff_id)
        member = require_member(conn, member_id)
        if changes.get("phone") == member.phone:
            del changes["phone"]  # unchanged: not a change of credentials
        if "phone" in changes and repos.member_where(conn, phone=changes["phone"]):
            raise refuse("member.exists", f"{changes['phone']} is already a member")
        if new_pin is not None:
            changes["pin_hash"] = hash_pin(new_pin)
        if not changes:
            raise refuse("member.no_change", "nothing to change")
        event_id = new_id()
        proof = _presence_proof(ctx, conn, member, changes, event_id, member_pin, member_code) \
            if "phone" in changes or "pin_hash" in changes else {}
        repos.update_member(conn, member_id, **changes)
        post(ctx, conn, Entry(Kind.MEMBER_PATCH, {"member_id": member_id, "fields": changes, **proof},
                              member_id=member_id, event_id=event_id),
             staff_id=staff_id, rule_version=repos.current_rules(conn, now).version, now=now)
        repos.audit(conn, at=now, staff_id=staff_id, action="member_patch", subject=member_id,
                    **{k: v for k, v in changes.items() if k != "pin_hash"}, **({"pin": "changed"} if new_pin else {}))
        return require_member(conn, member_id)


def _presence_proof(ctx: StoreContext, conn: Connection, member: Member, changes: dict[str, str], event_id: str,
                    member_pin: str | None, member_code: str | None) -> dict[str, Any]:
    """The member is here (checked now) and the proof HQ checks: {"proof": {...}}, or {} on a till that
    never enrolled with HQ (its events go nowhere)."""
    from pos_app.domain.presence import seal_pin  # cryptography: not at the app's start
    from pos_app.services.scan import is_payload, member_code_present  # scan imports this module

    if member_code:
        if not is_payload(member_code.strip()):
            raise refuse("member.code_scan", "scan the member's dynamic code (on the phone): HQ checks the code itself")
        member_code_present(conn, member_code, member.member_id, ctx.corrected_now(conn))
        return {"proof": {"member_code": member_code.strip()}} if sync_state.credentials(conn) else {}
    if not member_pin:
        raise refuse("member.proof_required", "a new phone number or PIN needs the member's PIN or their "
                                              "dynamic code")
    member_present(conn, member.member_id, member_pin=member_pin, now=ctx.now(), pins=ctx.pins)
    if sync_state.credentials(conn) is None:
        return {}
    hq_key = sync_state.get(conn, "proof_key")
    if not hq_key:
        raise refuse("member.no_proof_key", "this till has not synced with HQ since HQ began checking PINs: "
                                            "sync first, or scan the member's dynamic code")
    return {"proof": {"pin": seal_pin(bytes.fromhex(hq_key), member_pin, event_id=event_id,
                                      member_id=member.member_id, fields=changes)}}


def require_member(conn: Connection, member_id: str | None) -> Member:
    member = repos.member_by_id(conn, member_id) if member_id else None
    if member is None:
        raise refuse("member.unknown", "unknown member")
    return member


def find_member(ctx: StoreContext, query: str) -> Member:
    """A member by phone number, card number or referral code (what a cashier types or scans)."""
    query = (query or "").strip()
    with ctx.db.read() as conn:
        phone = normalize_phone(query)
        if not check_phone(phone):
            found = repos.member_where(conn, phone=phone)
        elif query.isdigit() and len(query) == 12:
            if not luhn_ok(query):
                raise refuse("member.card_check", "that card number does not check out: re-scan or type it again")
            found = repos.member_where(conn, card_no=query)
        elif query.upper().startswith("R") and len(query) == 9:
            found = repos.member_where(conn, referral_code=query.upper())
        else:
            raise refuse("member.query", "type a phone number (11 digits), a card number (12 digits) or a referral code")
    if found is None:
        raise refuse("member.not_found", f"no member found for {query}")
    return found


def search_members(ctx: StoreContext, text: str) -> list[Member]:
    with ctx.db.read() as conn:
        return repos.search_members(conn, text.strip())


def member_present(conn: Connection, member_id: str, *, member_pin: str | None = None,
                   member_code: str | None = None, now: datetime, pins: PinGuard | None = None
                   ) -> tuple[Member, str | None]:
    """The member is at the counter, proven inside the caller's write transaction by their
    phone's dynamic code (`member_code`: ScannedMember.member_code or the scanned `PM1:D:`
    text, verified and claimed here, see scan.member_code_present) or else their PIN.

    Returns the member and the code's key (None for a PIN), which the spend's event
    carries. `pins` locks a member's PIN after repeated wrong tries, as for staff: a member
    PIN spends points, so it must not be guessable at the counter.
    """
    from pos_app.services.scan import member_code_present  # scan imports this module

    member = require_member(conn, member_id)
    if member_code:
        return member, member_code_present(conn, member_code, member_id, now)
    key = f"member:{member_id}"
    if pins is not None and pins.locked(key):
        raise refuse("member.pin_locked", f"too many wrong PINs for this member: try again in "
                                          f"{PIN_LOCK_SECONDS // 60} minutes, or show the member's code")
    try:
        check_member_pin(member, member_pin)
    except Refused as err:
        if pins is not None and err.codes == ("member.wrong_pin",):
            pins.failed(key)
        raise
    if pins is not None:
        pins.cleared(key)
    return member, None


def check_member_pin(member: Member, pin: str | None) -> None:
    if member.pin_hash is None:
        raise refuse("member.no_pin", "this member has no PIN: show the member's dynamic code instead")
    if not verify_pin(member.pin_hash, pin or ""):
        raise refuse("member.wrong_pin", "the member's PIN is wrong")


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    kind: str
    points: int  # change to the member's consumer account
    store_id: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class Statement:
    member: Member
    balance: int
    spendable: int
    locked: int
    debt: int
    agent_points: int
    expiring_soon: list[tuple[datetime, int]]  # (store-local day, points) expiring within 30 days
    history: list[HistoryLine]


def member_statement(ctx: StoreContext, member_id: str, history_limit: int = 50) -> Statement:
    with ctx.db.read() as conn:
        now = ctx.now()
        member = require_member(conn, member_id)
        acct = L.member_account(member_id)
        lots = ledger_repo.lots_of(conn, acct)
        balance = ledger_repo.balance(conn, acct)
        spendable = spendable_total(lots, now)
        locked = sum(lot.remaining for lot in lots if lot.available_at > now and lot.expires_at > now)
        soon: dict[datetime, int] = {}
        for lot in lots:
            if now < lot.expires_at <= now + EXPIRING_SOON:
                # the store's local day (times are UTC): what the member reads on the receipt
                local = lot.expires_at + ctx.utc_offset(lot.expires_at)
                day = local.replace(hour=0, minute=0, second=0, microsecond=0)
                soon[day] = soon.get(day, 0) + lot.remaining
        history = _history(conn, member_id, acct, history_limit)
        return Statement(member, balance, spendable, locked, -ledger_repo.balance(conn, L.debt_account(member_id)),
                         ledger_repo.balance(conn, L.member_account(member_id, L.PointType.AGENT)),
                         sorted(soon.items()), history)


def _history(conn: Connection, member_id: str, acct: str, limit: int) -> list[HistoryLine]:
    rows = conn.execute(select(T.events.c.event_id, T.events.c.device_time, T.events.c.kind, T.events.c.store_id,
                               T.events.c.payload)
                        .where(T.events.c.member_id == member_id)
                        .order_by(T.events.c.device_time.desc(), T.events.c.device_seq.desc()).limit(limit)).all()
    out = []
    prefix = acct.rsplit(":", 1)[0] + ":"
    for r in rows:
        payload = json.loads(r.payload)
        # consumer and agent points both belong to the member
        delta = sum(amount for account, amount in payload.get("postings", []) if account.startswith(prefix))
        out.append(HistoryLine(r.device_time, r.kind, delta, r.store_id, payload))
    return out


__all__ = ["register_member", "patch_member", "find_member", "search_members", "member_statement", "Statement",
           "require_member", "check_member_pin", "Refused"]
