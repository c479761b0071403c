"""DESIGN.md section 6's merge rules (and docs/design-additions.md's), each a pure function.

A rule reads the event (its row as HQ stores it), the ledger as the push has changed it so far
(a LedgerView) and whatever else it needs as arguments, and returns Findings
(hq_server.ledger.decisions): HQ's corrections, the conflicts recording them, notices. It writes
nothing and imports nothing of ingest; Ingest.carry_out does what they say, in one place.
Corrections carry ids derived from the event they correct, so a merge run twice posts nothing new.

Rules 5 (an event waits for its lot) and 6 (member records) are ingest's bookkeeping rather than
decisions: hq_server.ledger.waiting and hq_server.ledger.member_records.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from hq_server.ledger.event_row import EventRow as Row  # an event as HQ stores it (payload: canonical JSON)
from hq_server.ledger.decisions import (ConflictStatus, Conflict, Correction, EventFlag, Finding, LedgerView,
                                        LotsDiffer, RiskFlag, correction_id)
from pos_app.domain import entries as E
from pos_app.domain import label_batches as LB
from pos_app.domain import ledger as L
from pos_app.domain.ledger import AccountKind, Kind, is_holder_account, parse_account
from pos_app.domain.money import mul_div_floor
from pos_app.domain.rules import DEFAULT_EXPIRY_DAYS, Rules, parse_rules

Findings = tuple[Finding, ...]


class RulesRow(Protocol):
    """A row of HQ's `rules` table."""

    version: int
    effective_at: datetime
    doc: str


def _owner(account: str) -> str:
    named = parse_account(account)
    if named is None or named.owner is None:
        raise ValueError(f"{account!r} is not an account of a person")
    return named.owner


def _member(account: str) -> str | None:
    named = parse_account(account)
    return named.owner if named is not None and named.kind == AccountKind.MEMBER else None


# --- rule 1: double spend ---------------------------------------------------------------

def double_spend(row: Row, book: LedgerView, accounts: set[str]) -> Findings:
    """A holder account below zero: the goods were handed over, so the excess becomes the owner's debt
    (a lot-less correction), a conflict records it and a member is flagged at risk."""
    out = []
    for account in sorted(accounts):
        balance = book.balance(account)
        if balance >= 0 or not is_holder_account(account):
            continue
        owner, short, member_id = _owner(account), -balance, _member(account)
        tag = f"debt:{account}"
        out.append(Finding(
            correction=Correction(tag, Kind.ADJUST, {"purpose": "double_spend_debt", "account": account,
                                                     "points": short},
                                  ((account, short), (L.debt_account(owner), -short)), member_id=member_id),
            conflict=Conflict(1, "double_spend", {"account": account, "debt_added": short}, member_id=owner, tag=tag),
            notices=(RiskFlag(member_id, f"double_spend: {short} points owed (event {row.event_id})"),)
            if member_id else ()))
    return tuple(out)


def repay_from_earning(row: Row, book: LedgerView, grants: Sequence[tuple[Any, ...]]) -> Findings:
    """Rule 1: later earnings repay the member's debt first. A store that had not pulled the debt when
    it recorded an earning credited the member in full; HQ then takes what is owed back out of the lot
    the earning granted, into the debt account (a correction the store pulls)."""
    out = []
    for lot_id, account, *_ in grants:
        owner = _member(account)
        if owner is None:
            continue
        debt = L.debt_account(owner)
        lot = book.lot(lot_id)
        repay = min(-book.balance(debt), lot.remaining if lot is not None else 0, book.balance(account))
        if repay <= 0:
            continue
        tag = f"repay:{lot_id}"
        out.append(Finding(
            correction=Correction(tag, Kind.ADJUST, {"purpose": "debt_repaid_from_earning", "account": account,
                                                     "points": repay},
                                  ((account, -repay), (debt, repay)), takes=(L.LotTake(lot_id, repay),),
                                  member_id=owner),
            conflict=Conflict(1, "debt_repaid", {"account": account, "debt_repaid": repay}, member_id=owner,
                              tag=tag)))
    return tuple(out)


def debt_overpaid(row: Row, book: LedgerView, accounts: set[str], rules_at: Callable[[int], Rules | None],
                  skew_s: int, now: datetime) -> Findings:
    """Rule 8 (docs/design-additions.md, section 6): a debt account above zero goes back to the member.

    Each till repays a member's debt out of new earnings (or give-backs) from its own view of it; two
    tills repaying the same debt before they sync both reach HQ, and the second repayment overshoots.
    The overshoot is the member's points: HQ moves it out of the debt account into the member's
    consumer account as a new lot, spendable at once and expiring as a lot the overshooting event
    earned would (its skew-corrected time plus the expiry days of the rules it used: rules_at(version)).
    """
    out = []
    for debt in sorted(accounts):
        named = parse_account(debt)
        if named is None or named.kind != AccountKind.DEBT or named.owner is None:
            continue
        over = book.balance(debt)
        if over <= 0:
            continue
        owner = named.owner
        account = L.member_account(owner)
        rules = rules_at(row.rule_version)
        days = rules.expiry_days if rules is not None else DEFAULT_EXPIRY_DAYS
        grant = L.LotGrant(correction_id(row.event_id, f"lot:overpaid:{debt}"), account, over, now,
                           row.device_time + timedelta(seconds=skew_s, days=days))
        tag = f"overpaid:{debt}"
        out.append(Finding(
            correction=Correction(tag, Kind.ADJUST, {"purpose": "debt_overpaid", "account": account, "points": over},
                                  ((debt, -over), (account, over)), grants=(grant,), member_id=owner),
            conflict=Conflict(1, "debt_overpaid", {"account": account, "points": over, "lot_id": grant.lot_id},
                              member_id=owner, tag=tag)))
    return tuple(out)


def lots_differ(accounts: set[str]) -> Findings:
    """Rule 9 (docs/design-additions.md, section 6): lots converge lot by lot, not only in sum.

    HQ took (or gave back) some of an event's points from other lots than the event names (`accounts`):
    a shortfall covered in HQ's order of arrival, which a till that applied the events in another order
    covered from other lots, its balance still HQ's. Every store holding the member is told, and fetches
    the member's lots again (pos_app.sync.lookup.mend_drift)."""
    members = sorted({m for m in map(_member, accounts) if m})
    return (Finding(notices=tuple(LotsDiffer(m) for m in members)),) if members else ()


GIVE_BACK_KINDS = (Kind.REVERSE, Kind.REDEEM_VOID)
SPEND_KINDS = (Kind.REDEEM_POST, Kind.REDEEM_HOLD)


def give_back_beyond_lots(row: Row, book: LedgerView, now: datetime) -> Findings:
    """Points given back (a cancelled gift, a refunded points-paid line) that none of the account's lots has room for.

    A give-back undoes a take. After a double spend part of that take was never taken from a lot: the
    member's debt covered it (the correction above added lot-less points). So when both gifts come back,
    the lots cannot hold all the points returned (Book.take keeps each lot within its grant, Book.give_any
    fills the account's other lots): they repay that debt first (rule 1), and what is left (the debt was
    repaid meanwhile by later earnings, which then granted no lot for it) becomes a lot of its own. Without
    this the balance kept points no lot held, and the debt stayed although nothing was owed any more.
    """
    payload = json.loads(row.payload)
    backs = [(str(lot_id), int(n)) for lot_id, n in payload.get("lots", []) if int(n) < 0]
    by_account: dict[str, str] = {}
    for lot_id, _ in backs:
        lot = book.lot(lot_id)
        if lot is not None and is_holder_account(lot.account):
            by_account.setdefault(lot.account, lot_id)
    out = []
    for account, first_lot in sorted(by_account.items()):
        over = book.balance(account) - sum(lot.remaining for lot in book.lots_of(account))
        if over <= 0:
            continue
        owner = _owner(account)
        debt = L.debt_account(owner)
        repay = max(0, min(over, -book.balance(debt)))
        grants: tuple[L.LotGrant, ...] = ()
        if over > repay:
            first = book.lot(first_lot)
            assert first is not None  # found above
            grants = (L.LotGrant(correction_id(row.event_id, f"lot:give_back:{account}"), account, over - repay,
                                 now, first.expires_at),)
        postings = ((account, -repay), (debt, repay)) if repay else ()
        tag = f"give_back:{account}"
        out.append(Finding(
            correction=Correction(tag, Kind.ADJUST, {"purpose": "give_back_beyond_lots", "account": account,
                                                     "points": over, "debt_repaid": repay},
                                  postings, grants=grants, member_id=_member(account)),
            conflict=Conflict(1, "give_back_repays_debt" if repay else "give_back_new_lot",
                              {"account": account, "points": over, "debt_repaid": repay}, member_id=owner, tag=tag)))
    return tuple(out)


# --- rule 2: a label serial earns once, chain-wide ----------------------------------------

def label_unverified(row: Row, payload: Mapping[str, Any], postings: Sequence[tuple[str, int]],
                     plan_of: Callable[[str], Any]) -> Findings:
    """The first claim of a serial: a label HQ did not issue as claimed is kept and flagged, never
    reversed on HQ's own say-so (the points are already the member's); an open task for HQ."""
    serial, points = payload["serial"], int(payload.get("points", 0))
    credited = LB.label_credit(list(postings), row.member_id, row.store_id)
    unissued: str | None
    if credited is None or credited != points:
        unissued = f"the event's postings do not credit the member the label's {points} points"
    else:
        unissued = LB.claim_problem(serial, payload.get("sku"), credited, plan_of)
    if not unissued:
        return ()
    return (flag(2, "label_unverified", {"serial": serial, "reason": unissued}, reason=unissued,
                 status=ConflictStatus.OPEN),)


def duplicate_serial(row: Row, payload: Mapping[str, Any], first_lot: str | None, first: Mapping[str, Any],
                     book: LedgerView, now: datetime) -> Finding:
    """A serial claimed before: the lowest hq_seq won; this event stays on record as duplicate_serial and
    HQ takes its points back (from the lot it granted first, then the member's other lots; what was spent
    meanwhile becomes debt)."""
    serial, points, member_id = payload["serial"], int(payload.get("points", 0)), row.member_id
    if member_id is None:  # no member's points to take back: the duplicate is on record only
        return Finding(conflict=Conflict(2, "duplicate_serial", {"serial": serial, "winner": first["event_id"],
                                                                 "winner_store": first["store_id"], "points": 0}))
    account = L.member_account(member_id)
    entry = E.reverse_earned(account=account, debt_acct=L.debt_account(member_id), points=points,
                             lots=[lot.as_lot() for lot in book.lots_of(account)], first_lot=first_lot,
                             sink=L.store_issued(row.store_id), now=now,
                             payload={"purpose": "duplicate_serial", "serial": serial, "winner": first["event_id"]},
                             member_id=member_id)
    return Finding(
        correction=Correction("duplicate_serial", entry.kind, entry.payload,
                              tuple((p.account, p.amount) for p in entry.postings), takes=entry.takes,
                              member_id=member_id),
        conflict=Conflict(2, "duplicate_serial", {"serial": serial, "winner": first["event_id"],
                                                  "winner_store": first["store_id"], "points": points}))


# --- rule 3: a rule changed while the store was offline -----------------------------------

def stale_rule(row: Row, payload: Mapping[str, Any], book: LedgerView, rules: Sequence[RulesRow], skew_s: int,
               max_offline_hours: int, now: datetime) -> Findings:
    if not rules:
        return ()
    when = row.device_time + timedelta(seconds=skew_s)
    used = row.rule_version
    current = [r for r in rules if r.effective_at <= when]
    if not current or current[-1].version == used:
        return ()
    later = [r for r in rules if r.version > used]
    if current[-1].version < used or not later:
        return (flag(3, "rule_not_yet_effective", {"used": used, "current": current[-1].version}),)
    superseded_at = later[0].effective_at
    if when - superseded_at <= timedelta(hours=max_offline_hours):
        return (Finding(conflict=Conflict(3, "rule_within_grace", {"used": used, "current": current[-1].version,
                                                                   "superseded_at": superseded_at.isoformat()})),)
    if row.kind != Kind.EARN or not isinstance(payload.get("paid_fen"), int) or not row.member_id:
        return (flag(3, "stale_rule", {"used": used, "current": current[-1].version}),)
    # HQ re-rates the sale's base points on what was paid; the difference is an adjustment.
    old, new = rules_of(rules, used), rules_of(rules, current[-1].version)
    if old is None or new is None:
        return ()
    diff = _base(new, payload["paid_fen"]) - _base(old, payload["paid_fen"])
    member_id = row.member_id
    account = L.member_account(member_id)
    conflict = Conflict(3, "stale_rule", {"used": used, "current": new.version, "points_diff": diff})
    purpose = {"purpose": "stale_rule", "used": used, "current": new.version}
    if diff > 0:
        entry = E.credit(Kind.ADJUST, account=account, points=diff, source=L.store_issued(row.store_id),
                         debt_acct=L.debt_account(member_id), owed=-book.balance(L.debt_account(member_id)),
                         lot_id=correction_id(row.event_id, "lot:stale_rule"), now=now, rules=new,
                         payload=purpose, member_id=member_id, lock=False)
        return (Finding(conflict=conflict, correction=Correction(
            "stale_rule", entry.kind, entry.payload, tuple((p.account, p.amount) for p in entry.postings),
            grants=entry.grants, member_id=member_id)),)
    if diff < 0:
        entry = E.reverse_earned(account=account, debt_acct=L.debt_account(member_id), points=-diff,
                                 lots=[lot.as_lot() for lot in book.lots_of(account)], first_lot=None,
                                 sink=L.store_issued(row.store_id), now=now, payload=purpose, member_id=member_id)
        return (Finding(conflict=conflict, correction=Correction(
            "stale_rule", Kind.ADJUST, entry.payload, tuple((p.account, p.amount) for p in entry.postings),
            takes=entry.takes, member_id=member_id)),)
    return (Finding(conflict=conflict),)


def rules_of(rows: Sequence[RulesRow], version: int) -> Rules | None:
    """The rules document of this version among HQ's rules rows, parsed; None if HQ holds no valid one."""
    for r in rows:
        if r.version == version:
            parsed = parse_rules(json.loads(r.doc))
            return parsed if isinstance(parsed, Rules) else None
    return None


def _base(rules: Rules, paid_fen: int) -> int:
    return mul_div_floor(paid_fen, rules.base_points, rules.base_per_fen)


# --- rule 4: clock skew --------------------------------------------------------------------

SKEW_FLAG_S = 300  # seconds: a device clock further off than this, or an event dated this far ahead, is flagged
_SKEW_FLAG = timedelta(seconds=SKEW_FLAG_S)


def clock(row: Row, skew_s: int, now: datetime) -> Findings:
    """Flag, never drop: a device clock far off, or an event dated in HQ's future."""
    if abs(skew_s) > SKEW_FLAG_S:
        return (flag(4, "clock_skew", {"skew_s": skew_s}),)
    if row.device_time + timedelta(seconds=skew_s) > now + _SKEW_FLAG:
        return (flag(4, "future_time", {"device_time": row.device_time.isoformat()}),)
    return ()


# --- a member's dynamic code, used for two spends ---------------------------------------------

def member_code_reused(code: str, first: Mapping[str, Any]) -> Findings:
    """A member's dynamic code proves them present for one spend, chain-wide. A till refuses a code it
    has seen, but another till has not seen it: the same code (a photo of the phone's screen) used
    for a second spend is kept and flagged, an open task for HQ (the goods were handed over)."""
    return (flag(1, "member_code_reused", {"code": code, "first_event": first["event_id"],
                                           "first_store": first["store_id"]},
                 reason=f"the member's code {code} was used before, for event {first['event_id']} at store "
                        f"{first['store_id']}", status=ConflictStatus.OPEN),)


def flag(rule: int, kind: str, detail: Mapping[str, Any], *, reason: str | None = None,
         status: ConflictStatus = ConflictStatus.RESOLVED) -> Finding:
    """Kept, flagged and told to the till; status OPEN leaves HQ a task (GET /admin/conflicts)."""
    return Finding(conflict=Conflict(rule, kind, detail, status=status),
                   notices=(EventFlag(kind, reason or kind.replace("_", " ")),))
