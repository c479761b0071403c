"""What a member reads about their points in the mall: the home page's figures and the statement.

Read from HQ's ledger only (balances, lots, postings and their events), the same numbers the tills
hold once they pull: one balance online and in every store (DESIGN.md 10). Times are naive UTC as
stored; days in filters are the chain's local days (Asia/Shanghai, as HQ's reports).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Connection, Label, Select, and_, bindparam, case, func, select

from hq_server import models as M
from hq_server.db import Database
from hq_server.errors import HQProblem
from hq_server.ledger.key_rows import MEMBER as MEMBER_KEY
from hq_server.programme.rules_now import in_force, rules_of
from pos_app.domain import ledger as L
from pos_app.domain.ledger import Kind, PointType
from pos_app.domain.rules import Rules
from pos_app.domain.tiers import by_code, window_start

CHAIN_TZ = ZoneInfo("Asia/Shanghai")
MEMBER_TYPES = (PointType.CONSUMER, PointType.AGENT)  # guide points are staff's, never a member's
PAGE = 30
MAX_PAGE = 100
PURPOSES = ("lottery_prize", "game_award")  # earn events that were not a purchase (named apart in a statement)


@dataclass(frozen=True)
class TierProgress:
    code: str
    name: str
    spend_fen: int  # qualifying spend in the rolling 12 months, as HQ has heard of it
    next_code: str | None
    next_name: str | None
    left_fen: int  # spend still needed for the next tier (0 at the top)


@dataclass(frozen=True)
class Expiring:
    points: int
    expires_at: datetime


@dataclass(frozen=True)
class HowTo:
    """The rules a member needs to earn and use points, for the page to say in their language."""
    base_points: int
    base_per_fen: int
    expiry_days: int
    cash_points: int
    cash_fen: int
    cash_max_pct: int
    referral_bonus: int


@dataclass(frozen=True)
class Home:
    member_id: str
    name: str
    phone: str
    card_no: str
    referral_code: str
    has_pin: bool
    phone_key_id: str | None
    balances: dict[str, int]  # point type -> points
    owed: int  # points the member owes (double spends offline, rule 1), repaid first from new earnings
    tier: TierProgress
    expiring: list[Expiring] = field(default_factory=list)  # soonest first, within the window asked
    how_to: HowTo | None = None

    @property
    def points(self) -> int:
        return self.balances.get(PointType.CONSUMER, 0)


@dataclass(frozen=True)
class TierName:
    code: str
    name: str


@dataclass(frozen=True)
class Card:
    """What a mall page other than home shows of the member (its points, the member code's card, the
    tier's name): one read, `card`."""
    member_id: str
    name: str
    phone: str
    card_no: str
    referral_code: str
    has_pin: bool
    phone_key_id: str | None
    balances: dict[str, int]  # point type -> points
    owed: int
    tier: TierName

    @property
    def points(self) -> int:
        return self.balances.get(PointType.CONSUMER, 0)


def _card_statement() -> Select[Any]:
    """The card's one statement, built once (SQLAlchemy builds and keys a statement's structure on every
    execution of a new object: for this one, with its six subqueries, more CPU than the read itself)."""
    m, b, st = M.members.c, M.balances.c, M.settings.c

    def balance(name: str) -> Label[Any]:
        return select(b.balance).where(b.account == bindparam(name)).scalar_subquery().label(name)

    version, doc = in_force(bindparam("now"))
    return select(m.name, m.phone, m.card_no, m.referral_code, m.pin_hash, m.tier, balance("debt"),
                  *(balance(f"bal_{i}") for i in range(len(MEMBER_TYPES))),
                  select(st.value).where(st.key == bindparam("key_name")).scalar_subquery().label("phone_key"),
                  version.label("rules_version"), doc.label("rules_doc")).where(m.member_id == bindparam("member_id"))


_CARD = _card_statement()


def _card(conn: Connection, member_id: str, now: datetime) -> tuple[Card, Rules]:
    """The member, their balances, their phone key and the rules in force: one statement (every mall page
    reads it; the rules' document is parsed once per process, rules_now.parsed)."""
    accounts = {L.member_account(member_id, t): t for t in MEMBER_TYPES}
    row = conn.execute(_CARD, {"member_id": member_id, "now": now, "debt": L.debt_account(member_id),
                               "key_name": MEMBER_KEY + member_id,
                               **{f"bal_{i}": a for i, a in enumerate(accounts)}}).first()
    if row is None:
        raise HQProblem(404, "member_unknown", "no such member")
    rules = rules_of(row.rules_version, row.rules_doc)
    current = by_code(rules.tiers, row.tier)
    key = json.loads(row.phone_key) if row.phone_key else None
    held = [getattr(row, f"bal_{i}") or 0 for i in range(len(accounts))]
    return Card(member_id=member_id, name=row.name, phone=row.phone, card_no=row.card_no,
                referral_code=row.referral_code or "", has_pin=bool(row.pin_hash),
                phone_key_id=key["key_id"] if key else None,
                balances={str(t): h for t, h in zip(accounts.values(), held)}, owed=-(row.debt or 0),
                tier=TierName(row.tier, current.name if current.code == row.tier else row.tier)), rules


def card(db: Database, member_id: str, now: datetime) -> Card:
    with db.read() as conn:
        return _card(conn, member_id, now)[0]


def home(db: Database, member_id: str, now: datetime, expiring_days: int = 30) -> Home:
    accounts = [L.member_account(member_id, t) for t in MEMBER_TYPES]
    with db.read() as conn:
        c, rules = _card(conn, member_id, now)
        expiring = _expiring(conn, accounts, now, now + timedelta(days=expiring_days))
        tier = _tier(conn, rules, member_id, c.tier.code, now)
    return Home(member_id=member_id, name=c.name, phone=c.phone, card_no=c.card_no, referral_code=c.referral_code,
                has_pin=c.has_pin, phone_key_id=c.phone_key_id, balances=c.balances, owed=c.owed, tier=tier,
                expiring=expiring,
                how_to=HowTo(rules.base_points, rules.base_per_fen, rules.expiry_days, rules.cash_points,
                             rules.cash_fen, rules.cash_max_pct, rules.referral_bonus))


# built once (SQLAlchemy builds and keys a new statement object on every execution)
_lo, _e, _sc = M.lots.c, M.events.c, M.stores.c
_EXPIRING = (select(_lo.expires_at, func.sum(_lo.remaining))
             .where(_lo.account.in_(bindparam("accounts", expanding=True)), _lo.remaining > 0,
                    _lo.expires_at > bindparam("now"), _lo.expires_at <= bindparam("until"))
             .group_by(_lo.expires_at).order_by(_lo.expires_at))
_EARNED = select(_e.payload).where(_e.member_id == bindparam("member_id"), _e.kind == str(Kind.EARN),
                                   _e.status == "applied", _e.device_time >= bindparam("since"))
_STORES = (select(_e.store_id, func.max(_sc.name)).select_from(M.events.outerjoin(M.stores, _sc.store_id == _e.store_id))
           .where(_e.member_id == bindparam("member_id")).group_by(_e.store_id).order_by(_e.store_id))


def _expiring(conn: Connection, accounts: list[str], now: datetime, until: datetime) -> list[Expiring]:
    rows = conn.execute(_EXPIRING, {"accounts": accounts, "now": now, "until": until}).all()
    days: dict[date, Expiring] = {}
    for at, points in rows:  # one line per local day
        day = at.replace(tzinfo=UTC).astimezone(CHAIN_TZ).date()
        first = days.get(day)
        days[day] = Expiring(int(points) + (first.points if first else 0), first.expires_at if first else at)
    return list(days.values())


def _tier(conn: Connection, rules: Rules, member_id: str, code: str, now: datetime) -> TierProgress:
    """Spend is what the member's sales earned on (earn events' paid_fen) in the rolling window: HQ hears
    of refunds as point reversals, which carry no money, so a refunded sale still counts here until the
    tills' periodic re-evaluation moves the tier (tier_change events)."""
    payloads = conn.execute(_EARNED, {"member_id": member_id, "since": window_start(now)}).scalars()
    spend = 0
    for text in payloads:
        paid = json.loads(text).get("paid_fen")
        spend += paid if isinstance(paid, int) and not isinstance(paid, bool) and paid > 0 else 0
    current = by_code(rules.tiers, code)
    # The rules' tiers all have a min_spend_fen (pos_app.domain.rules._parse_tiers requires one); Tier types it
    # int | None for HQ's tier records, which may be on points, and which these rules never hold.
    above = sorted((t for t in rules.tiers if t.min_spend_fen > current.min_spend_fen),  # type: ignore[operator]
                   key=lambda t: t.min_spend_fen)  # type: ignore[arg-type, return-value]
    nxt = above[0] if above else None
    return TierProgress(code, current.name if current.code == code else code, spend, nxt.code if nxt else None,
                        nxt.name if nxt else None,
                        max(0, nxt.min_spend_fen - spend) if nxt else 0)  # type: ignore[operator]  # as above


# --- the statement -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Line:
    hq_seq: int
    event_id: str
    kind: str
    point_type: str
    points: int  # > 0 earned or given back, < 0 spent, expired, reversed
    store_id: str
    store_name: str | None  # None: HQ's online channel (the mall, customer service)
    at: datetime
    purpose: str | None = None  # what an `earn` paid for when not a purchase: lottery_prize, game_award

    @property
    def what(self) -> str:
        """The kind a member reads: an earn that was a prize is named by its purpose."""
        return self.purpose if self.kind == Kind.EARN and self.purpose in PURPOSES else self.kind


@dataclass(frozen=True)
class Statement:
    lines: list[Line]
    next_before: int | None  # hq_seq to ask `before` for the next page, None at the end
    stores: list[tuple[str, str]]  # (store id, name) of the stores in the member's history (the filter's list)


def statement(db: Database, member_id: str, *, point_type: str | None = None, direction: str | None = None,
              store_id: str | None = None, first: date | None = None, last: date | None = None,
              before: int | None = None, limit: int = PAGE) -> Statement:
    """The member's postings, newest first, each with its event's kind, store and time; filtered by
    point type (consumer, agent), direction (in, out), store and local days first..last."""
    types = [str(t) for t in MEMBER_TYPES]
    if point_type is not None and point_type not in types:
        raise HQProblem(422, "invalid_filter", f"point type is one of {', '.join(types)}")
    if direction not in (None, "in", "out"):
        raise HQProblem(422, "invalid_filter", "direction is in or out")
    if first and last and last < first:
        raise HQProblem(422, "invalid_filter", "the last day is before the first")
    if not 1 <= limit <= MAX_PAGE:
        raise HQProblem(422, "invalid_filter", f"a page is 1 to {MAX_PAGE} lines")
    accounts = {L.member_account(member_id, PointType(t)): t for t in ([point_type] if point_type else types)}
    p, e, s = M.postings.c, M.events.c, M.stores.c
    where: list[ColumnElement[bool]] = [p.account.in_(list(accounts)), e.status.in_(("applied", "correction"))]
    if direction:
        where.append(p.amount > 0 if direction == "in" else p.amount < 0)
    if store_id:
        where.append(e.store_id == store_id)
    if first:
        where.append(e.device_time >= _utc_start(first))
    if last:
        where.append(e.device_time < _utc_start(last + timedelta(days=1)))
    if before is not None:
        where.append(e.hq_seq < before)
    with db.read() as conn:
        # the payload only of an HQ-written earn (a prize or an award), to name it: a till's sale stays unread
        online_earn = and_(e.kind == str(Kind.EARN), e.store_id == M.HQ_ORIGIN)
        rows = conn.execute(select(e.hq_seq, e.event_id, e.kind, p.account, p.amount, e.store_id, s.name,
                                   e.device_time, case((online_earn, e.payload), else_=None).label("payload"))
                            .select_from(M.postings.join(M.events, e.event_id == p.event_id)
                                         .outerjoin(M.stores, s.store_id == e.store_id))
                            .where(and_(*where)).order_by(e.hq_seq.desc(), p.id).limit(limit + 1)).all()
        stores = conn.execute(_STORES, {"member_id": member_id}).all()
    more = len(rows) > limit
    if more:  # a page ends between two events (the next page starts below its last hq_seq)
        cut = [r for r in rows[:limit] if r.hq_seq != rows[limit].hq_seq]
        rows = cut or rows[:limit]
    lines = [Line(r.hq_seq, r.event_id, r.kind, accounts[r.account], r.amount, r.store_id,
                  None if r.store_id == M.HQ_ORIGIN else (r.name or r.store_id), r.device_time,
                  json.loads(r.payload).get("purpose") if r.payload else None) for r in rows]
    return Statement(lines, rows[-1].hq_seq if more and rows else None,
                     [(sid, name or sid) for sid, name in stores if sid != M.HQ_ORIGIN])


def _utc_start(day: date) -> datetime:
    return datetime.combine(day, time(), CHAIN_TZ).astimezone(UTC).replace(tzinfo=None)
