"""What HQ refuses in a pushed event before it touches the ledger (answered `rejected`).

Pure checks over one wire event: the payload hash, the kind, postings that sum to
zero (pos_app.domain.ledger.check_postings), accounts that belong to the pushing
store, well-formed lot grants and takes, and holders' postings that match their lots
(a holder's balance is the sum of its lots). The reason is a sentence a manager can read.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone

from pydantic import ValidationError

from pos_app.domain.ledger import Kind, Posting, check_postings, is_holder_account, parse_account
from pos_app.sync.wire import LedgerPart, WireEvent

KINDS = {k.value for k in Kind}
MEMBER_KINDS = {Kind.MEMBER_REGISTER, Kind.MEMBER_PATCH, Kind.MEMBER_MERGE, Kind.TIER_CHANGE}
_SHARED_ACCOUNTS = {"breakage", "charity"}
_PERSON_PREFIXES = ("member:", "staff:", "debt:")
MAX_POINTS = 10**12  # any one amount: far beyond a real one, far below what a sum of them overflows (64 bits)
MAX_DEPTH = 32  # JSON nesting in a payload (a real one nests 4 deep); HQ's encoders recurse
# pos_app.domain.ledger.canonical_json's encoder, made once: json.dumps with these options builds a new
# JSONEncoder every call, a fifth of the cost of a small document (HQ encodes a few per pushed event).
canonical_text = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode


@dataclass(frozen=True, slots=True)
class Parsed:
    postings: list[tuple[str, int]]
    grants: list[tuple[str, str, int, datetime, datetime]]
    takes: list[tuple[str, int]]
    canonical: str = ""  # the payload's canonical JSON (what payload_hash hashes), stored as the event's payload


def utc(dt: datetime) -> datetime:
    """Naive UTC, as both databases store it."""
    return dt.astimezone(timezone.utc).replace(tzinfo=None) if dt.tzinfo else dt


def too_deep(doc: object, limit: int) -> bool:
    """True if `doc` nests dicts and lists more than `limit` deep (walked without recursion)."""
    stack = [(doc, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        for child in children:
            if isinstance(child, (dict, list)):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False


POSTINGS_SHAPE = "payload.postings must be a list of [account, integer amount]"
GRANTS_SHAPE = "payload.grants must be a list of [lot_id, member or staff account, points > 0, available_at, expires_at]"
LOTS_SHAPE = "payload.lots must be a list of [lot_id, non-zero points]"


def _shape_problem(exc: ValidationError) -> str:
    """The refusal of a payload whose postings, grants or lots are not of the wire's shape (wire.LedgerPart):
    the first of them that is not."""
    wrong = {e["loc"][0] for e in exc.errors() if e["loc"]}
    return POSTINGS_SHAPE if "postings" in wrong else GRANTS_SHAPE if "grants" in wrong else LOTS_SHAPE


def parse(event: WireEvent, store_id: str) -> Parsed | str:
    """The event's ledger effects, or the reason it is refused."""
    p = event.payload
    if event.kind not in KINDS:
        return f"unknown event kind {event.kind!r}"
    try:
        canonical = canonical_text(p)
    except RecursionError:
        canonical = ""
    # Fewer brackets than the limit cannot nest deeper than it: most payloads skip the walk.
    if not canonical or (canonical.count("[") + canonical.count("{") > MAX_DEPTH and too_deep(p, MAX_DEPTH)):
        return f"the payload nests deeper than {MAX_DEPTH} levels"
    if hashlib.sha256(canonical.encode()).hexdigest() != event.payload_hash:
        return "payload_hash does not match the payload (sha256 of its canonical JSON)"
    try:
        part = LedgerPart.model_validate(p)
    except ValidationError as exc:
        return _shape_problem(exc)
    postings = list(part.postings)
    problems = check_postings([Posting(a, n) for a, n in postings])
    if problems:
        return "; ".join(str(pr) for pr in problems)
    for account, _ in postings:
        if len(account) > 80:
            return f"account name too long: {account[:40]}..."
        if account.startswith(("store:", "suspense:")):
            named = parse_account(account)
            if named is None:
                return f"unknown account {account!r}"
            if named.owner != store_id:
                return f"posting to {account}, which belongs to another store"
        elif not (account.startswith(_PERSON_PREFIXES) or account in _SHARED_ACCOUNTS):
            return f"unknown account {account!r}"
    grants = part.grant_times()
    if not all(0 < len(lot_id) <= 36 and amount > 0 and is_holder_account(account)
               for lot_id, account, amount, *_ in grants):
        return GRANTS_SHAPE
    takes = list(part.lots)
    if any(n == 0 for _, n in takes):
        return LOTS_SHAPE
    if any(abs(n) > MAX_POINTS for n in [*(n for _, n in postings), *(g[2] for g in grants), *(n for _, n in takes)]):
        return f"a points amount beyond {MAX_POINTS:,}"
    # A holder's balance is the sum of its lots (DESIGN.md: points are lots): what an event posts to
    # member and staff accounts is what it grants them in lots less what it takes from their lots.
    held = sum(n for a, n in postings if is_holder_account(a))
    lotted = sum(g[2] for g in grants) - sum(n for _, n in takes)
    if held != lotted:
        return (f"the postings to member and staff accounts (net {held}) differ from the lots granted and "
                f"taken (net {lotted}): a holder's balance must equal the sum of its lots")
    if event.kind == Kind.LABEL_EARN and not isinstance(p.get("serial"), str):
        return "a label_earn event needs its label serial"
    if event.kind == Kind.LABEL_EARN and not isinstance(p.get("sku", ""), str | None):
        return "a label_earn event's sku must be text"  # it goes to every till in a label_claim document
    if event.kind in MEMBER_KINDS and not event.member_id:
        return f"a {event.kind} event needs its member_id"
    return Parsed(postings, grants, takes, canonical)
