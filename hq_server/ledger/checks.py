"""What HQ refuses in a pushed event before it touches the ledger (answered `rejected`).

Pure checks over one wire event: the payload hash, the kind, postings that sum to
zero (pos_app.domain.ledger.check_postings), accounts that belong to the pushing
store, well-formed lot grants and takes, and holders' postings that match their lots
(a holder's balance is the sum of its lots). The reason is a sentence a manager can read.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone

from pos_app.domain.ledger import Kind, Posting, canonical_json, check_postings, is_holder_account, parse_account
from pos_app.sync.wire import WireEvent

KINDS = {k.value for k in Kind}
MEMBER_KINDS = {Kind.MEMBER_REGISTER, Kind.MEMBER_PATCH, Kind.MEMBER_MERGE, Kind.TIER_CHANGE}
_SHARED_ACCOUNTS = {"breakage", "charity"}
_PERSON_PREFIXES = ("member:", "staff:", "debt:")
MAX_POINTS = 10**12  # any one amount: far beyond a real one, far below what a sum of them overflows (64 bits)
MAX_DEPTH = 32  # JSON nesting in a payload (a real one nests 4 deep); HQ's encoders recurse


@dataclass(frozen=True, slots=True)
class Parsed:
    postings: list[tuple[str, int]]
    grants: list[tuple[str, str, int, datetime, datetime]]
    takes: list[tuple[str, int]]
    canonical: str = ""  # the payload's canonical JSON (what payload_hash hashes), stored as the event's payload


def utc(dt: datetime) -> datetime:
    """Naive UTC, as both databases store it."""
    return dt.astimezone(timezone.utc).replace(tzinfo=None) if dt.tzinfo else dt


def _int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


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


def parse(event: WireEvent, store_id: str) -> Parsed | str:
    """The event's ledger effects, or the reason it is refused."""
    p = event.payload
    if event.kind not in KINDS:
        return f"unknown event kind {event.kind!r}"
    try:
        canonical = canonical_json(p)
    except RecursionError:
        canonical = ""
    # Fewer brackets than the limit cannot nest deeper than it: most payloads skip the walk.
    if not canonical or (canonical.count("[") + canonical.count("{") > MAX_DEPTH and too_deep(p, MAX_DEPTH)):
        return f"the payload nests deeper than {MAX_DEPTH} levels"
    if hashlib.sha256(canonical.encode()).hexdigest() != event.payload_hash:
        return "payload_hash does not match the payload (sha256 of its canonical JSON)"
    raw = p.get("postings", [])
    if not isinstance(raw, list) or not all(isinstance(x, list) and len(x) == 2 and isinstance(x[0], str)
                                           and _int(x[1]) for x in raw):
        return "payload.postings must be a list of [account, integer amount]"
    postings = [(a, n) for a, n in raw]
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
    grants = []
    for g in p.get("grants", []) if isinstance(p.get("grants", []), list) else [None]:
        try:
            lot_id, account, amount, available_at, expires_at = g
            ok = isinstance(lot_id, str) and 0 < len(lot_id) <= 36 and isinstance(account, str) and _int(amount)
            if not ok or amount <= 0 or not is_holder_account(account):
                raise ValueError
            grants.append((lot_id, account, amount, utc(datetime.fromisoformat(available_at)),
                           utc(datetime.fromisoformat(expires_at))))
        except (TypeError, ValueError):
            return "payload.grants must be a list of [lot_id, member or staff account, points > 0, " \
                   "available_at, expires_at]"
    takes = []
    raw_takes = p.get("lots", [])
    if not isinstance(raw_takes, list) or not all(isinstance(t, list) and len(t) == 2 and isinstance(t[0], str)
                                                  and _int(t[1]) and t[1] != 0 for t in raw_takes):
        return "payload.lots must be a list of [lot_id, non-zero points]"
    takes = [(lot_id, n) for lot_id, n in raw_takes]
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
    if event.kind in MEMBER_KINDS and not event.member_id:
        return f"a {event.kind} event needs its member_id"
    return Parsed(postings, grants, takes, canonical)
