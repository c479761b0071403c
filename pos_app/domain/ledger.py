"""The points ledger: accounts, postings, entries and events.

Every change is an immutable event whose postings sum to zero. A member's points
live in per-type accounts; where points go when they leave a member (redeemed,
expired, donated, owed) is an account too, so the ledger always balances.

Sign convention: a member account's balance is the points the member holds (>= 0);
`store:<id>:issued` goes negative as the store issues points; a debt account is <= 0
and its magnitude is what the member owes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any

from pos_app.domain.problems import Problem, problem


class Kind(StrEnum):
    EARN = "earn"
    LABEL_EARN = "label_earn"
    REFERRAL_BONUS = "referral_bonus"
    GUIDE_EARN = "guide_earn"
    TIER_CHANGE = "tier_change"
    REDEEM_HOLD = "redeem_hold"
    REDEEM_POST = "redeem_post"
    REDEEM_VOID = "redeem_void"
    LOTTERY_DRAW = "lottery_draw"
    DONATION = "donation"
    REVERSE = "reverse"
    ADJUST = "adjust"
    EXPIRE = "expire"
    MEMBER_REGISTER = "member_register"
    MEMBER_PATCH = "member_patch"
    MEMBER_MERGE = "member_merge"


class PointType(StrEnum):
    CONSUMER = "consumer"
    GUIDE = "guide"  # shopping-guide points, credited to staff on a sale
    AGENT = "agent"  # referral points


# Accounts are plain strings so both databases index them the same way.
def member_account(member_id: str, ptype: PointType = PointType.CONSUMER) -> str:
    return f"member:{member_id}:{ptype}"


def guide_account(staff_id: str) -> str:
    return f"staff:{staff_id}:{PointType.GUIDE}"


def debt_account(member_id: str) -> str:
    return f"debt:{member_id}"


def store_issued(store_id: str) -> str:
    return f"store:{store_id}:issued"


def store_redeemed(store_id: str) -> str:
    return f"store:{store_id}:redeemed"


def suspense(store_id: str) -> str:
    """Points held for a gift awaiting pickup: out of the member, not yet redeemed."""
    return f"suspense:{store_id}"


BREAKAGE = "breakage"
CHARITY = "charity"


class AccountKind(StrEnum):
    MEMBER = "member"  # member:<member id>:<point type>
    STAFF = "staff"  # staff:<staff id>:<point type>
    DEBT = "debt"  # debt:<member id>
    STORE = "store"  # store:<store id>:issued | store:<store id>:redeemed
    SUSPENSE = "suspense"  # suspense:<store id>
    BREAKAGE = "breakage"
    CHARITY = "charity"


@dataclass(frozen=True, slots=True)
class Account:
    """An account name taken apart: the one reader of the names the builders above make."""

    kind: AccountKind
    owner: str | None = None  # the member, staff member or store the account belongs to
    part: str | None = None  # a holder's point type, a store account's side (issued, redeemed)

    @property
    def is_holder(self) -> bool:
        return self.kind in (AccountKind.MEMBER, AccountKind.STAFF)

    @property
    def member_id(self) -> str | None:
        """The member whose points or debt this is (None for staff, stores and the chain's sinks)."""
        return self.owner if self.kind in (AccountKind.MEMBER, AccountKind.DEBT) else None


_POINT_TYPES = frozenset(t.value for t in PointType)
_SHAPES = {AccountKind.MEMBER: 3, AccountKind.STAFF: 3, AccountKind.DEBT: 2, AccountKind.STORE: 3,
           AccountKind.SUSPENSE: 2, AccountKind.BREAKAGE: 1, AccountKind.CHARITY: 1}


@lru_cache(maxsize=16384)  # a pure function of the name; HQ asks it several times for each posting it merges
def parse_account(name: str) -> Account | None:
    """The account a name means, or None when it is no account this ledger makes."""
    parts = name.split(":")
    try:
        kind = AccountKind(parts[0])
    except ValueError:
        return None
    if len(parts) != _SHAPES[kind] or not all(parts):
        return None
    if kind in (AccountKind.MEMBER, AccountKind.STAFF) and parts[2] not in _POINT_TYPES:
        return None
    if kind == AccountKind.STORE and parts[2] not in ("issued", "redeemed"):
        return None
    return Account(kind, parts[1] if len(parts) > 1 else None, parts[2] if len(parts) > 2 else None)


def member_of(name: str) -> str | None:
    """The member a member or debt account belongs to, else None."""
    account = parse_account(name)
    return account.member_id if account is not None else None


def is_holder_account(account: str) -> bool:
    """Accounts whose balance a person holds and spends lot by lot."""
    return account.startswith(("member:", "staff:"))


@dataclass(frozen=True, slots=True)
class Posting:
    account: str
    amount: int


@dataclass(frozen=True, slots=True)
class LotGrant:
    """A new lot of earned points: spendable from `available_at`, gone at `expires_at`."""

    lot_id: str
    account: str
    amount: int
    available_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class LotTake:
    lot_id: str
    amount: int  # > 0 takes from the lot, < 0 gives back (void, reversal)


@dataclass(frozen=True, slots=True)
class Entry:
    """What a use case wants to record, before the store stamps ids and sequence."""

    kind: Kind
    payload: dict[str, Any]
    postings: tuple[Posting, ...] = ()
    grants: tuple[LotGrant, ...] = ()
    takes: tuple[LotTake, ...] = ()
    member_id: str | None = None
    event_id: str | None = None  # made by the caller when the payload must name it (a proof bound to it)


@dataclass(frozen=True, slots=True)
class Event:
    event_id: str
    kind: Kind
    store_id: str
    device_id: str
    device_seq: int
    device_time: datetime
    staff_id: str | None
    rule_version: int
    member_id: str | None
    payload: dict[str, Any]
    payload_hash: str
    postings: tuple[Posting, ...] = field(default=())


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def payload_hash(payload: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()


def wire_payload(entry: Entry) -> dict[str, Any]:
    """The payload an entry's event carries, as stored and sent: the use case's payload, its lot grants
    (lot changes travel in the payload too, so HQ can rebuild the same lots) and its postings. One
    layout for the store and for the events HQ writes itself."""
    payload = json.loads(canonical_json(entry.payload))
    if entry.grants:
        payload["grants"] = [[g.lot_id, g.account, g.amount, g.available_at.isoformat(), g.expires_at.isoformat()]
                             for g in entry.grants]
    payload["postings"] = [[p.account, p.amount] for p in entry.postings]
    return dict(payload)


def check_postings(postings: tuple[Posting, ...] | list[Posting]) -> tuple[Problem, ...]:
    """Double entry: the postings of one event sum to zero, each non-zero and integer."""
    problems: list[Problem] = []
    for p in postings:
        if not isinstance(p.amount, int) or isinstance(p.amount, bool):
            problems.append(problem("ledger.non_integer", f"posting to {p.account} is not an integer"))
        elif p.amount == 0:
            problems.append(problem("ledger.zero_posting", f"zero posting to {p.account}"))
    total = sum(p.amount for p in postings if isinstance(p.amount, int))
    if total != 0:
        problems.append(problem("ledger.unbalanced", f"postings sum to {total}, not zero", total=total))
    return tuple(problems)


def merge_postings(postings: list[Posting]) -> tuple[Posting, ...]:
    """Combine postings to the same account and drop zeros (keeps first-seen order)."""
    sums: dict[str, int] = {}
    for p in postings:
        sums[p.account] = sums.get(p.account, 0) + p.amount
    return tuple(Posting(a, v) for a, v in sums.items() if v != 0)
