"""The mall's gift shelf (礼品): what a member browses before an exchange order (programme.orders).

Gifts on offer now or soon, by category, searched by name; each with the units the chain holds
(every location's count above zero), and a gift's own page with where it can be picked up, what the
member already took of it, their spendable points and whether their tier may take it. Lean on purpose
(the mall is the chain's busiest face): the gift records are parsed once per change of the catalogue,
and a page of the shelf is two reads (the catalogue's mark and one grouped stock read).

    shelf(db, now=now, category="茶具", q="杯", page=1)      -> Shelf (cards of one page, total, categories)
    gift_page(db, member_id, "CUP", now=now)                 -> GiftPage (404: no such gift on offer)
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Unpack

from sqlalchemy import Connection, Row, Select, bindparam, func, select

from hq_server import models as M
from hq_server.db import Database
from hq_server.errors import HQProblem
from hq_server.programme import ledger_reads as R
from hq_server.programme.orders import already_redeemed
from hq_server.programme.rules_now import in_force
from hq_server.programme.rules_now import parsed as rules_parsed
from hq_server.programme.tiers import records as tier_records
from hq_server.ledger.stock_book import WAREHOUSE, gift_stock
from pos_app.domain import ledger as L
from pos_app.domain.gifts import Gift, parse_gift
from pos_app.domain.lots import spendable_total
from pos_app.domain.rules import Rules
from pos_app.domain.tiers import Tier, by_code, overlay, rank

PER_PAGE = 20
MAX_SEARCH = 40


@dataclass(frozen=True)
class Card:
    gift: Gift
    stock: int  # units the chain holds (every location above zero)

    @property
    def limited(self) -> bool:
        return self.gift.ends_at is not None


@dataclass(frozen=True)
class Shelf:
    cards: list[Card]
    total: int
    page: int
    per: int
    categories: list[str]
    category: str
    q: str

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per))


@dataclass(frozen=True)
class PickupStore:
    store_id: str
    name: str
    qty: int


@dataclass(frozen=True)
class GiftPage:
    gift: Gift
    warehouse: int  # units HQ can deliver
    stores: list[PickupStore]  # where it can be picked up now, most first
    redeemed: int  # what the member already took of it (its per-member limit counts this)
    spendable: int  # the member's consumer points spendable now
    tier_ok: bool
    tier_name: str | None  # the tier the gift needs, by name
    state: str  # open | soon | ended | inactive
    reasons: list[str] = field(default_factory=list)  # why the member cannot exchange it now (codes)

    @property
    def stock(self) -> int:
        return self.warehouse + sum(s.qty for s in self.stores)

    @property
    def left_for_member(self) -> int | None:
        limit = self.gift.per_member_limit
        return None if limit is None else max(0, limit - self.redeemed)


# --- the catalogue's gifts and HQ's tier records, parsed once per change ----------------------------------
_cache: dict[str, tuple[tuple[Any, ...], list[Gift], dict[str, Tier]]] = {}
_lock = threading.Lock()
_c = M.catalog.c
# built once: SQLAlchemy builds and keys a new statement object's structure on every execution
_MARKS = (select(_c.type, func.max(_c.seq), func.count()).where(_c.type.in_(("gift", "tier"))).group_by(_c.type)
          .order_by(_c.type))


def _catalogue(conn: Connection, db_url: str) -> tuple[list[Gift], dict[str, Tier]]:
    """Every gift record HQ keeps (parsed as the tills do) and HQ's tier records (tiers._records), cached
    until either kind changes (one read of their marks: newest seq and count per kind)."""
    c = M.catalog.c
    mark = tuple(tuple(r) for r in conn.execute(_MARKS).all())
    with _lock:
        got = _cache.get(db_url)
        if got is not None and got[0] == mark:
            return got[1], got[2]
    gifts = []
    for r in conn.execute(select(c.key, c.data).where(c.type == "gift").order_by(c.key)):
        parsed = parse_gift(r.key, json.loads(r.data))
        if isinstance(parsed, Gift):
            gifts.append(parsed)
    records = tier_records(conn)
    with _lock:
        _cache[db_url] = (mark, gifts, records)
    return gifts, records


def _gifts(conn: Connection, db_url: str) -> list[Gift]:
    return _catalogue(conn, db_url)[0]


def _state(g: Gift, now: datetime) -> str:
    if not g.active:
        return "inactive"
    if g.ends_at is not None and now >= g.ends_at:
        return "ended"
    if g.starts_at is not None and now < g.starts_at:
        return "soon"
    return "open"


def _stock(conn: Connection, gift_ids: list[str]) -> dict[str, int]:
    if not gift_ids:
        return {}
    rows = conn.execute(_STOCKS, {"ids": gift_ids}).all()
    return {r[0]: int(r[1]) for r in rows}


def shelf(db: Database, *, now: datetime, category: str = "", q: str = "", page: int = 1,
          per: int = PER_PAGE) -> Shelf:
    """The gifts on offer now or soon (limited-time ones first, then by points), in `category`, whose name
    holds `q`; one page."""
    category, q = (category or "").strip()[:40], (q or "").strip()[:MAX_SEARCH]
    page = page if isinstance(page, int) and page >= 1 else 1
    with db.read() as conn:
        offered = [g for g in _gifts(conn, db.url) if _state(g, now) in ("open", "soon")]
        categories = sorted({g.category for g in offered if g.category})
        chosen = [g for g in offered if (not category or g.category == category)
                  and (not q or q.casefold() in g.name.casefold() or q.casefold() in (g.description or "").casefold())]
        chosen.sort(key=lambda g: (g.ends_at is None, g.ends_at or now, g.points_cost, g.gift_id))
        one_page = chosen[(page - 1) * per: page * per]
        stock = _stock(conn, [g.gift_id for g in one_page])
    return Shelf([Card(g, stock.get(g.gift_id, 0)) for g in one_page], len(chosen), page, per, categories,
                 category, q)


def _member_rules() -> Select[Any]:
    m, r = M.members.c, M.rules.c
    version, doc = in_force(bindparam("now"))
    first = select(r.version).order_by(r.version).limit(1)  # current_rules' fallback: nothing in force yet
    return select(m.tier, m.merged_into, version.label("rules_version"), doc.label("rules_doc"),
                  first.scalar_subquery().label("first_version"),
                  select(r.doc).order_by(r.version).limit(1).scalar_subquery().label("first_doc")
                  ).where(m.member_id == bindparam("member_id"))


_MEMBER_RULES = _member_rules()
_STOCKS = (select(gift_stock.c.gift_id, func.sum(gift_stock.c.qty))
           .where(gift_stock.c.gift_id.in_(bindparam("ids", expanding=True)), gift_stock.c.qty > 0)
           .group_by(gift_stock.c.gift_id))
_s, _st = gift_stock.c, M.stores.c
_STOCK_AT = (select(_s.location, _s.qty, _st.name).join_from(gift_stock, M.stores, _st.store_id == _s.location,
                                                             isouter=True)
             .where(_s.gift_id == bindparam("gift_id"), _s.qty > 0))


def _member_tiers(conn: Connection, member_id: str, records: dict[str, Tier],
                  now: datetime) -> tuple[Row[Unpack[tuple[Any, ...]]], tuple[Tier, ...]]:
    """The member's record (R.require_member's refusals) and the chain's tiers (tiers.chain_tiers: the rules'
    tiers under HQ's records), the member and the rules in force read in one statement."""
    row = conn.execute(_MEMBER_RULES, {"member_id": member_id, "now": now}).first()
    if row is None or row.merged_into:
        R.require_member(conn, member_id)  # its 404 or 409
    assert row is not None  # require_member refused the member the statement did not find
    got = ((row.rules_version, row.rules_doc) if row.rules_version is not None else
           (row.first_version, row.first_doc))
    if got[0] is None:
        return row, overlay(Rules(version=1).tiers, records)
    rules = rules_parsed(*got)
    if not isinstance(rules, Rules):
        raise HQProblem(500, "bad_rules", f"HQ's rules version {got[0]} is invalid")
    return row, overlay(rules.tiers, records)


def gift_page(db: Database, member_id: str, gift_id: str, *, now: datetime) -> GiftPage:
    """One gift as the member sees it: stock where it can leave from, their standing against its rules."""
    with db.read() as conn:
        gifts, records = _catalogue(conn, db.url)
        gift = next((g for g in gifts if g.gift_id == gift_id), None)
        if gift is None:
            raise HQProblem(404, "gift_unknown", f"gift_id: no gift {str(gift_id)[:64]!r}")
        rows = conn.execute(_STOCK_AT, {"gift_id": gift_id}).all()
        warehouse = sum(int(r.qty) for r in rows if r.location == WAREHOUSE)
        stores = sorted((PickupStore(r.location, r.name or r.location, int(r.qty)) for r in rows
                         if r.location != WAREHOUSE and r.name is not None), key=lambda p: (-p.qty, p.name))
        member, tiers = _member_tiers(conn, member_id, records, now)
        redeemed = already_redeemed(conn, member_id, gift_id)
        spendable = spendable_total(R.lots_of(conn, L.member_account(member_id)), now)
    tier_ok = not gift.min_tier or (gift.min_tier in {t.code for t in tiers}
                                    and rank(tiers, member.tier) >= rank(tiers, gift.min_tier))
    state = _state(gift, now)
    page = GiftPage(gift, warehouse, stores, redeemed, spendable, tier_ok,
                    by_code(tiers, gift.min_tier).name if gift.min_tier and gift.min_tier in {t.code for t in tiers}
                    else gift.min_tier, state)
    reasons = [] if state == "open" else [f"gift_{state}"]
    if not tier_ok:
        reasons.append("gift_tier")
    if page.stock <= 0:
        reasons.append("gift_sold_out")
    if page.left_for_member == 0:
        reasons.append("gift_limit")
    if spendable < gift.points_cost:
        reasons.append("points_short")
    page.reasons.extend(reasons)
    return page
