"""A till's authority, the half judged from the event alone (no database).

The policy is written in hq_server/ledger/authority.py (and docs/till-authority.md); this
module checks what needs nothing but the event and its parsed postings, before HQ's
writer lock, like hq_server.ledger.checks.parse:

- HQ's own kinds (member_merge) never come from a till;
- a member id is one a till makes (pos_app.domain.ids.is_made_id), in the event and in
  a register's or patch's payload, and a register's card number and referral code are
  the ones derived from it;
- one holder per event: every member and debt account it posts to, and every lot it
  grants, is the event's own member's; an event without a member posts to one staff
  member's accounts at most (the staff's store is checked against HQ's records);
- the chain's shared accounts (breakage, charity) only receive points from a till;
- a register or patch carries well-formed fields (a patch only name, phone, birthday,
  note and pin_hash; the tier changes by tier_change), and a PIN hash is one the tills make.

A refusal is a `Refusal`: a reason a manager can read, answered `rejected` and recorded
as a conflict (rule 7) by hq_server.ledger.authority.
"""

from __future__ import annotations

from functools import lru_cache

from typing import Any

from datetime import date

from hq_server.ledger.checks import Parsed, parse
from pos_app.domain.ids import is_made_id
from pos_app.domain.ledger import AccountKind, Kind, debt_account, is_holder_account, parse_account
from pos_app.domain.members import card_no_for, check_name, check_phone, referral_code_for
from pos_app.domain.staff import is_pin_hash
from pos_app.sync.wire import WireEvent

HQ_ONLY = frozenset({Kind.MEMBER_MERGE})
PROFILE_KINDS = frozenset({Kind.MEMBER_REGISTER, Kind.MEMBER_PATCH, Kind.TIER_CHANGE})
PATCH_FIELDS = frozenset({"name", "phone", "birthday", "note", "pin_hash"})
CREDENTIALS = ("phone", "pin_hash")  # change only with the member's proof (hq_server.ledger.authority)
PROOFS = frozenset({"member_code", "pin"})
SHARED_SINKS = frozenset({"breakage", "charity"})
MAX_NOTE = 500
MAX_TIER = 16  # members.tier
_STAFF_PREFIX = f"{AccountKind.STAFF.value}:"


class Refusal(str):
    """Why an event is beyond a till's authority (a sentence a manager can read)."""


def judged(event: WireEvent, store_id: str) -> Parsed | str:
    """hq_server.ledger.checks.parse, then this module's check: the event's ledger effects, or why it is refused."""
    parsed = parse(event, store_id)
    return parsed if isinstance(parsed, str) else check(event, parsed) or parsed


def check(event: WireEvent, parsed: Parsed) -> Refusal | None:
    """The event's refusal, or None when nothing in it alone is beyond a till's authority."""
    kind = event.kind
    if kind in HQ_ONLY:
        return Refusal(f"a {kind} event is made by HQ only, never by a till")
    member_id = event.member_id
    if member_id is not None and not is_made_id(member_id):
        return Refusal(f"member id {member_id[:40]!r} is not one a till makes (a lowercase UUID)")
    why = _one_holder(member_id, parsed)
    if why:
        return Refusal(why)
    if kind in PROFILE_KINDS and (parsed.postings or parsed.grants or parsed.takes):
        return Refusal(f"a {kind} event moves no points")
    if kind == Kind.MEMBER_REGISTER:
        why = _register(event)
    elif kind == Kind.MEMBER_PATCH:
        why = _patch(event)
    elif kind == Kind.TIER_CHANGE:
        to = event.payload.get("to")
        why = None if isinstance(to, str) and 0 < len(to) <= MAX_TIER else "a tier_change needs the tier it moves to"
    return Refusal(why) if why else None


def staff_of(parsed: Parsed) -> set[str]:
    """The staff whose accounts the event posts to or grants lots in."""
    # Only names with this prefix parse as staff accounts; most events (a member's) have none, and HQ asks
    # this three times an event, so the rest is not even listed.
    names = [a for a, _ in parsed.postings if a.startswith(_STAFF_PREFIX)]
    names += [g[1] for g in parsed.grants if g[1].startswith(_STAFF_PREFIX)]
    if not names:
        return set()
    accounts = (parse_account(a) for a in names)
    return {a.owner for a in accounts if a is not None and a.kind == AccountKind.STAFF and a.owner}


@lru_cache(maxsize=8192)  # a pure function of the name; a push asks it for each posting of each event
def owner(account: str) -> tuple[str, str] | None:
    """(member|staff, id) of a holder account (member:<id>:<type>, staff:<id>:<type>), else None."""
    parsed = parse_account(account)
    return (str(parsed.kind), parsed.owner) if parsed is not None and parsed.is_holder and parsed.owner else None


def _one_holder(member_id: str | None, parsed: Parsed) -> str | None:
    """Every person account of the event is its member's (or, without a member, one staff member's)."""
    staff = staff_of(parsed)
    if member_id is not None and staff:
        return "an event of a member posts to staff accounts too: a guide's points are an event of their own"
    if len(staff) > 1:
        return f"one event posts to the accounts of {len(staff)} staff members"
    holder = ("member", member_id) if member_id is not None else ("staff", next(iter(staff))) if staff else None
    for account, amount in parsed.postings:
        if account in SHARED_SINKS:
            if amount < 0:
                return f"a till takes points out of the chain's {account} account"
            continue
        if is_holder_account(account):
            got = owner(account)
            if got is None:
                return f"{account[:60]!r} is not a member or staff account"
            if got != holder:
                return _not_holder(account, member_id)
        elif account.startswith(f"{AccountKind.DEBT}:"):
            if holder is None or account != debt_account(holder[1]):
                return _not_holder(account, member_id)
    for lot_id, account, *_ in parsed.grants:
        if owner(account) != holder:
            return f"lot {lot_id} is granted to {account}, not to the event's " + \
                ("member" if member_id else "staff member")
    return None


def _not_holder(account: str, member_id: str | None) -> str:
    if member_id is None:
        return f"posts to {account} without naming a member: points of a member move only in that member's events"
    return (f"posts to {account}, which is not member {member_id}'s: one event moves one member's points, "
            f"never points from one member to another")


def _register(event: WireEvent) -> str | None:
    p, member_id = event.payload, event.member_id
    if member_id is None:
        return "a register needs its member_id"
    if p.get("member_id") != member_id:
        return "the register's payload names another member than the event"
    if p.get("card_no") != card_no_for(member_id):
        return f"card number {str(p.get('card_no'))[:20]!r} is not the one made from the member id"
    if p.get("referral_code") != referral_code_for(member_id):
        return f"referral code {str(p.get('referral_code'))[:20]!r} is not the one made from the member id"
    if p.get("home_store", event.store_id) != event.store_id:
        return "a till registers members at its own store only"
    referred_by = p.get("referred_by")
    if referred_by is not None and (not is_made_id(referred_by) or referred_by == member_id):
        return "referred_by is not another member's id"
    if p.get("pin_hash") is not None and not is_pin_hash(p["pin_hash"]):
        return "the member's PIN hash is not one the tills make (argon2id with the tills' parameters)"
    tier = p.get("tier")
    if not isinstance(tier, str) or not 0 < len(tier) <= MAX_TIER:
        return "a register needs the member's tier"
    return _profile({k: p.get(k) for k in ("phone", "name")})


def _patch(event: WireEvent) -> str | None:
    p = event.payload
    if p.get("member_id", event.member_id) != event.member_id:
        return "the patch's payload names another member than the event"
    fields = p.get("fields")
    if not isinstance(fields, dict) or not fields:
        return "a member_patch needs the fields it changes"
    if "tier" in fields:
        return "a till does not set a member's tier: it changes by tier_change events, by the rules"
    unknown = sorted(set(fields) - PATCH_FIELDS)
    if unknown:
        return f"a till cannot patch {', '.join(k[:30] for k in unknown)} (only {', '.join(sorted(PATCH_FIELDS))})"
    if "pin_hash" in fields and not is_pin_hash(fields["pin_hash"]):
        return "the member's PIN hash is not one the tills make (argon2id with the tills' parameters)"
    if "birthday" in fields and not _is_date(fields["birthday"]):
        return "a birthday is a date, YYYY-MM-DD"
    if "note" in fields and not (isinstance(fields["note"], str) and len(fields["note"]) <= MAX_NOTE):
        return f"a note is text of at most {MAX_NOTE} characters"
    proof = p.get("proof")
    if proof is not None and not (isinstance(proof, dict) and len(proof) == 1 and set(proof) <= PROOFS
                                  and isinstance(next(iter(proof.values())), str)):
        return "a patch's proof is {\"member_code\": the member's dynamic code} or {\"pin\": the sealed PIN}"
    return _profile({k: fields[k] for k in ("phone", "name") if k in fields})


def _profile(fields: dict[str, Any]) -> str | None:
    problems: list[Any] = []
    if "phone" in fields:
        problems += check_phone(fields["phone"])
    if "name" in fields:
        problems += check_name(fields["name"] if isinstance(fields["name"], str) else "")
    return "; ".join(pr.message for pr in problems) or None


def _is_date(text: object) -> bool:
    try:
        return isinstance(text, str) and len(text) == 10 and date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False
