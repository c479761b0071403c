"""Guides' and agents' side of the mall (导购 / 推广员): their points per type, their team by level, and
their withdrawals (programme.withdrawals).

An agent is any member who invited others (members.referred_by): their team is who joined with their
code (level 1), who joined with those members' codes (level 2), and the level below (3), as far as
rewards reach (pos_app.domain.network: three levels). A member who is also one of the chain's shopping
guides (a staff member, linked by HQ's staff: member_guides) sees their guide points and the guides
they recruited, by level likewise (guide_recruits). An agent who recruited retail stores to the chain
(store_recruits) sees those stores too.

    link_guide(db, member_id=m, staff_id="g-1", now=now)     HQ's staff: this member is guide g-1
    guide_of(db, member_id) -> staff id | None
    team(db, member_id, now=now) -> Team    counts per level, and the newest few of each level
    team_page(db, member_id, kind="agent", level=2, page=3) -> TeamPage   one level (or the stores), paged

Each level is one read by an indexed subquery, whatever the size of the team.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, func, select, update

from hq_server import models as M
from hq_server.db import Database
from hq_server.errors import HQProblem
from hq_server.programme import ledger_reads as R
from hq_server.programme.address_tables import member_guides
from pos_app.domain import ledger as L
from pos_app.domain.ledger import PointType
from pos_app.domain.network import MAX_LEVELS

SHOWN = 10  # the newest recruits shown per level


@dataclass(frozen=True)
class Recruit:
    name: str
    joined_at: datetime | None


@dataclass(frozen=True)
class Level:
    level: int
    count: int
    newest: list[Recruit]


@dataclass(frozen=True)
class Team:
    balances: dict[str, int]  # point type -> points (guide: the linked guide's)
    agent_levels: list[Level]
    guide_id: str | None = None
    guide_levels: list[Level] = field(default_factory=list)
    stores: list[Recruit] = field(default_factory=list)  # the newest retail stores the agent recruited
    stores_total: int = 0  # every store the agent recruited (store_recruits)

    @property
    def is_agent(self) -> bool:
        return (any(level.count for level in self.agent_levels) or bool(self.stores)
                or self.balances.get(PointType.AGENT, 0) > 0)


def link_guide(db: Database, *, member_id: str, staff_id: str, now: datetime) -> None:
    """HQ's staff link a member to the shopping guide (staff) they are; a guide is one member."""
    with db.write() as (conn, _seq):
        R.require_member(conn, member_id)
        if conn.execute(select(M.staff.c.staff_id).where(M.staff.c.staff_id == staff_id)).first() is None:
            raise HQProblem(404, "staff_unknown", f"staff_id: no staff member {staff_id}")
        g = member_guides.c
        other = conn.execute(select(g.member_id).where(g.staff_id == staff_id)).scalar()
        if other is not None and other != member_id:
            raise HQProblem(409, "guide_linked", f"staff_id: guide {staff_id} is linked to another member")
        if conn.execute(update(member_guides).where(g.member_id == member_id)
                        .values(staff_id=staff_id, at=now)).rowcount == 0:
            conn.execute(member_guides.insert().values(member_id=member_id, staff_id=staff_id, at=now))


def _guide(conn: Connection, member_id: str) -> str | None:
    return conn.execute(select(member_guides.c.staff_id).where(member_guides.c.member_id == member_id)).scalar()


def guide_of(db: Database, member_id: str) -> str | None:
    with db.read() as conn:
        return _guide(conn, member_id)


def _levels(conn: Connection, top: Select[Any], below: Callable[[Select[Any]], Select[Any]],
            rows_of: Callable[[Select[Any]], Select[Any]], count_of: Callable[[Select[Any]], Select[Any]]) -> list[Level]:
    """Level 1 is who `top` (a SELECT of one id) recruited; each level below, who the level above did.
    `below(ids)` selects the ids a SELECT of ids recruited; `rows_of`, `count_of` read one level."""
    out, above = [], top
    for level in range(1, MAX_LEVELS + 1):
        n = conn.execute(count_of(above)).scalar_one()
        newest = [Recruit(_masked(r[0]), r[1]) for r in conn.execute(rows_of(above))] if n else []
        out.append(Level(level, int(n), newest))
        if not n:
            out.extend(Level(lv, 0, []) for lv in range(level + 1, MAX_LEVELS + 1))
            break
        above = below(above)
    return out


def _masked(name: str) -> str:
    """A recruit's name as their recruiter sees it: the family name and a star (personal data)."""
    name = (name or "").strip()
    return (name[:1] + "*" * min(2, max(1, len(name) - 1))) if name else "*"


def team(db: Database, member_id: str, *, now: datetime) -> Team:
    m, s, gr = M.members.c, M.staff.c, M.guide_recruits.c
    with db.read() as conn:
        R.require_member(conn, member_id)
        balances = {str(t): R.balance(conn, L.member_account(member_id, t)) for t in (PointType.CONSUMER,
                                                                                        PointType.AGENT)}

        def members_of(ids: Select[Any]) -> Select[Any]:
            return select(m.member_id).where(m.referred_by.in_(ids))

        def member_rows(ids: Select[Any]) -> Select[Any]:
            return (select(m.name, m.created_at).where(m.referred_by.in_(ids))
                    .order_by(m.created_at.desc(), m.member_id).limit(SHOWN))

        def member_count(ids: Select[Any]) -> Select[Any]:
            return select(func.count()).select_from(M.members).where(m.referred_by.in_(ids))

        agent = _levels(conn, select(m.member_id).where(m.member_id == member_id), members_of, member_rows,
                        member_count)
        sr = M.store_recruits.c
        stores = [Recruit(r.name, r.at) for r in conn.execute(
            select(M.stores.c.name, sr.at).join_from(M.store_recruits, M.stores, M.stores.c.store_id == sr.store_id)
            .where(sr.agent_id == member_id).order_by(sr.at.desc(), sr.store_id).limit(SHOWN))]
        stores_total = conn.execute(select(func.count()).select_from(M.store_recruits)
                                    .where(sr.agent_id == member_id)).scalar_one() if stores else 0
        guide_id = _guide(conn, member_id)
        guide: list[Level] = []
        if guide_id is not None:
            balances[str(PointType.GUIDE)] = R.balance(conn, L.guide_account(guide_id))
            def guides_of(ids: Select[Any]) -> Select[Any]:
                return select(gr.staff_id).where(gr.recruited_by.in_(ids))

            def guide_rows(ids: Select[Any]) -> Select[Any]:
                return (select(s.name, gr.at).join_from(M.guide_recruits, M.staff, s.staff_id == gr.staff_id)
                        .where(gr.recruited_by.in_(ids)).order_by(gr.at.desc(), gr.staff_id).limit(SHOWN))

            def guide_count(ids: Select[Any]) -> Select[Any]:
                return select(func.count()).select_from(M.guide_recruits).where(gr.recruited_by.in_(ids))

            guide = _levels(conn, select(s.staff_id).where(s.staff_id == guide_id), guides_of, guide_rows,
                            guide_count)
    return Team(balances, agent, guide_id, guide, stores, int(stores_total))


# --- one level of the team, paged (the team page shows the newest few of each) -------------------------
PER_PAGE = 20
KINDS = ("agent", "guide", "stores")


@dataclass(frozen=True)
class TeamPage:
    kind: str  # agent: members invited; guide: guides recruited; stores: stores recruited
    level: int
    rows: list[Recruit]
    total: int
    page: int
    per: int
    q: str  # stores: part of a store's name; members and guides are not searched (their names are masked)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per))


def team_page(db: Database, member_id: str, *, kind: str, level: int = 1, page: int = 1, q: str = "",
              per: int = PER_PAGE) -> TeamPage:
    """One level of the member's team (or their recruited stores), newest first, one page of it. Members'
    and guides' names come masked and are not searchable (a search would tell a recruiter who joined);
    stores are searched by name."""
    if kind not in KINDS:
        raise HQProblem(404, "not_found", "no such list")
    if kind != "stores" and not 1 <= level <= MAX_LEVELS:
        raise HQProblem(404, "not_found", f"levels are 1 to {MAX_LEVELS}")
    page = max(1, page)
    q = (q or "").strip()[:40] if kind == "stores" else ""
    m, s, gr, sr = M.members.c, M.staff.c, M.guide_recruits.c, M.store_recruits.c
    with db.read() as conn:
        if kind == "stores":
            where = [sr.agent_id == member_id] + ([M.stores.c.name.contains(q, autoescape=True)] if q else [])
            base = select(M.stores.c.name, sr.at).join_from(M.store_recruits, M.stores,
                                                             M.stores.c.store_id == sr.store_id).where(*where)
            total = conn.execute(select(func.count()).select_from(base.subquery())).scalar_one()
            rows = [Recruit(r.name, r.at) for r in conn.execute(
                base.order_by(sr.at.desc(), sr.store_id).limit(per).offset((page - 1) * per))]
            return TeamPage(kind, 1, rows, int(total), page, per, q)
        if kind == "agent":
            ids: Select[Any] = select(m.member_id).where(m.member_id == member_id)
            for _ in range(level - 1):
                ids = select(m.member_id).where(m.referred_by.in_(ids))
            total = conn.execute(select(func.count()).select_from(M.members).where(m.referred_by.in_(ids))).scalar_one()
            listed = (select(m.name, m.created_at).where(m.referred_by.in_(ids))
                      .order_by(m.created_at.desc(), m.member_id))
        else:
            guide_id = _guide(conn, member_id)
            if guide_id is None:
                return TeamPage(kind, level, [], 0, page, per, q)
            ids = select(s.staff_id).where(s.staff_id == guide_id)
            for _ in range(level - 1):
                ids = select(gr.staff_id).where(gr.recruited_by.in_(ids))
            total = conn.execute(select(func.count()).select_from(M.guide_recruits)
                                 .where(gr.recruited_by.in_(ids))).scalar_one()
            listed = (select(s.name, gr.at).join_from(M.guide_recruits, M.staff, s.staff_id == gr.staff_id)
                      .where(gr.recruited_by.in_(ids)).order_by(gr.at.desc(), gr.staff_id))
        rows = [Recruit(_masked(r[0]), r[1]) for r in conn.execute(listed.limit(per).offset((page - 1) * per))]
    return TeamPage(kind, level, rows, int(total), page, per, q)
