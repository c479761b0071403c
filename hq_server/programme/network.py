"""Guides' and agents' networks at HQ: who recruited whom, and the rewards for levels 2 and 3.

A till credits the level-1 reward itself (the guide of a sale, the referrer of a first purchase); it
cannot credit their recruiters (another store's staff, members it does not hold: beyond a till's
authority). HQ's `network` job reads those level-1 rewards in hq_seq order and credits the two levels
above with HQ's shares (pos_app.domain.network: three levels at most), as events of HQ's online
device, named after the reward they follow, so a second run credits nothing twice. A retail store an
agent recruited pays that agent (level 1) and the two who referred them on each of its members' sales,
from the sale's earn event. A till's refund reversing a guide's points, a referral bonus or a recruited
store's earn takes back each level's share of it the same way (as debt where already spent).

    level_rewards(db) / set_level_rewards(db, doc={"guide_pct": [10, 5], "agent_pct": [20, 10],
                                                   "store_pct": [3, 2, 1]})
    set_recruiter(db, staff_id="g-2", recruited_by="g-1", now=now)     a guide's recruiter (no cycles)
    set_store_recruiter(db, store_id="s-1", agent_id=member, now=now)  the agent who recruited a store
    upline(conn, "guide" | "agent", holder)                          the two recruiters above, nearest first
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, replace
from datetime import datetime
from typing import Any, Unpack

from sqlalchemy import ColumnElement, Connection, Row, select, update

from hq_server.ledger import hq_events
from hq_server import models as M
from hq_server.db import Database, Seq
from hq_server.errors import HQProblem
from hq_server.programme import audit
from hq_server.programme import ledger_reads as R
from hq_server.programme.audit import Actor
from hq_server.programme.domain_said import resaid
from hq_server.programme.refusals import BadField, said
from pos_app.domain import entries as E
from pos_app.domain import ledger as L
from pos_app.domain.ledger import Entry, Kind
from pos_app.domain.network import (MAX_LEVELS, LevelRewards, parse_level_rewards, share_back, store_rewards,
                                    upline_rewards)

REWARDS_KEY = "programme.level_rewards"
# The rewards parser's sentences (pos_app.domain.network), said so the console shows them in Chinese.
REWARDS_SHAPES = (said("%(field)s: a list of percents 0..100"),
                  said("%(field)s: rewards reach at most %(most)s levels, not %(n)s"),
                  said("%(field)s: not a field (%(fields)s)"), said("rewards: must be an object"))
SEEN = "network.seen_hq_seq"
NS = uuid.UUID("5d3f4a62-1b7e-5c0a-9f7e-2c6b8a4d1e90")


def _rewards(conn: Connection) -> LevelRewards:
    raw = conn.execute(select(M.settings.c.value).where(M.settings.c.key == REWARDS_KEY)).scalar()
    parsed = parse_level_rewards(json.loads(raw) if raw else {})
    return parsed if isinstance(parsed, LevelRewards) else LevelRewards()


def _put(conn: Connection, key: str, value: str) -> None:
    s = M.settings.c
    if conn.execute(update(M.settings).where(s.key == key).values(value=value)).rowcount == 0:
        conn.execute(M.settings.insert().values(key=key, value=value))


def level_rewards(db: Database) -> LevelRewards:
    with db.read() as conn:
        return _rewards(conn)


def set_level_rewards(db: Database, *, doc: dict[str, Any], actor: Actor | None = None,
                      now: datetime | None = None) -> LevelRewards:
    """HQ's shares for levels 2 and 3 (422 for a third share: three levels at most, naming the field).
    Given the console's `actor` (and `now`), the change is in the audit log too."""
    parsed = parse_level_rewards(doc)
    if isinstance(parsed, tuple):
        raise BadField(str(parsed[0].params.get("field", "rewards")), resaid(parsed, REWARDS_SHAPES),
                       code="invalid_body")
    with db.write() as (conn, _seq):
        before = _rewards(conn)
        _put(conn, REWARDS_KEY, json.dumps({k: list(v) for k, v in asdict(parsed).items()}))
        if actor is not None and now is not None:
            audit.record(conn, actor, "programme.level_rewards", "settings:level_rewards",
                         before={k: list(v) for k, v in asdict(before).items()},
                         after={k: list(v) for k, v in asdict(parsed).items()}, at=now)
    return parsed


def _staff(conn: Connection, staff_id: str) -> bool:
    return conn.execute(select(M.staff.c.staff_id).where(M.staff.c.staff_id == staff_id)).first() is not None


def upline(conn: Connection, kind: str, holder: str) -> list[str]:
    """The recruiters above `holder`, nearest first, as far as rewards reach (two)."""
    out: list[str] = []
    seen = {holder}
    while len(out) < MAX_LEVELS - 1:
        if kind == "guide":
            up = conn.execute(select(M.guide_recruits.c.recruited_by)
                              .where(M.guide_recruits.c.staff_id == holder)).scalar()
        else:
            up = conn.execute(select(M.members.c.referred_by).where(M.members.c.member_id == holder)).scalar()
        if not up or up in seen:
            break
        out.append(up)
        seen.add(up)
        holder = up
    return out


def set_recruiter(db: Database, *, staff_id: str, recruited_by: str, now: datetime) -> None:
    """Record who recruited a shopping guide (both HQ's staff); a recruiter cannot be one's own recruit."""
    if staff_id == recruited_by:
        raise HQProblem(422, "invalid_body", "recruited_by: a guide does not recruit themself")
    with db.write() as (conn, _seq):
        for who in (staff_id, recruited_by):
            if not _staff(conn, who):
                raise HQProblem(404, "staff_unknown", f"no staff member {who}")
        holder, seen = recruited_by, set()
        while holder and holder not in seen:  # the whole chain above: no cycle, however long
            if holder == staff_id:
                raise HQProblem(409, "recruit_cycle", f"recruited_by: {recruited_by} was recruited by {staff_id}")
            seen.add(holder)
            holder = conn.execute(select(M.guide_recruits.c.recruited_by)
                                  .where(M.guide_recruits.c.staff_id == holder)).scalar() or ""
        g = M.guide_recruits.c
        if conn.execute(update(M.guide_recruits).where(g.staff_id == staff_id)
                        .values(recruited_by=recruited_by, at=now)).rowcount == 0:
            conn.execute(M.guide_recruits.insert().values(staff_id=staff_id, recruited_by=recruited_by, at=now))


def set_store_recruiter(db: Database, *, store_id: str, agent_id: str, now: datetime) -> None:
    """Record the agent (a member) who recruited a retail store: from now on the store's sales pay them."""
    with db.write() as (conn, _seq):
        if conn.execute(select(M.stores.c.store_id).where(M.stores.c.store_id == store_id)).first() is None:
            raise HQProblem(404, "store_unknown", f"no store {store_id}")
        R.require_member(conn, agent_id)
        c = M.store_recruits.c
        if conn.execute(update(M.store_recruits).where(c.store_id == store_id)
                        .values(agent_id=agent_id, at=now)).rowcount == 0:
            conn.execute(M.store_recruits.insert().values(store_id=store_id, agent_id=agent_id, at=now))


def store_recruiter(db: Database, store_id: str) -> str | None:
    with db.read() as conn:
        return conn.execute(select(M.store_recruits.c.agent_id)
                            .where(M.store_recruits.c.store_id == store_id)).scalar()


def _event_id(source: str, level: int) -> str:
    return str(uuid.uuid5(NS, f"{source}:{level}"))


def _back_id(reverse: str, level: int) -> str:
    return str(uuid.uuid5(NS, f"{reverse}:back:{level}"))


class _Run:
    """One run of the job: rewards and reversals in hq_seq order, written in groups (a reversal needs the
    lots of the rewards before it written first)."""

    def __init__(self, conn: Connection, seq: Seq, db_url: str, now: datetime):
        self.conn, self.seq, self.db_url, self.now = conn, seq, db_url, now
        self.rewards, self.rules = _rewards(conn), R.current_rules(conn, now)
        self.entries: list[Entry] = []
        self.made = 0
        self.points = 0

    def flush(self) -> None:
        done = set(self.conn.execute(select(M.events.c.event_id).where(
            M.events.c.event_id.in_([en.event_id for en in self.entries]))).scalars()) if self.entries else set()
        todo = [en for en in self.entries if en.event_id not in done]
        if todo:
            hq_events.write(self.conn, self.seq, self.db_url, todo, staff_id=None, rule_version=self.rules.version,
                            now=self.now)
            self.made += len(todo)
            self.points += sum(en.payload["points"] if en.kind != Kind.REVERSE else -en.payload["points"]
                               for en in todo)
        self.entries = []

    def _source(self, row: Row[Unpack[tuple[Any, ...]]], role: str, sale_id: object, points: int,
                paid: list[tuple[str, int, int, str]]) -> None:
        """Remember what a source paid whom (account, level, points, lot), for its refunds to take back."""
        if not paid:
            return
        ns = M.network_sources
        if self.conn.execute(select(ns.c.event_id).where(ns.c.event_id == row.event_id)).first() is None:
            self.conn.execute(ns.insert().values(
                event_id=row.event_id, role=role, store_id=row.store_id, points=points,
                sale_id=sale_id if isinstance(sale_id, str) else None, reversed=0, paid=json.dumps(paid)))

    def guide(self, row: Row[Unpack[tuple[Any, ...]]], doc: dict[str, Any], points: int) -> None:
        paid: list[tuple[str, int, int, str]] = []
        for up, level, pts in upline_rewards(points, self.rewards.guide_pct, upline(self.conn, "guide", doc["guide_id"])):
            account, lot = L.guide_account(up), _event_id(row.event_id, -level)
            self.entries.append(replace(E.credit(
                Kind.GUIDE_EARN, account=account, points=pts, source=L.store_issued(M.HQ_ORIGIN),
                debt_acct=None, owed=0, lot_id=lot, now=self.now, rules=self.rules, lock=False,
                payload={"purpose": "network", "level": level, "from_event": row.event_id, "guide_id": up},
                member_id=None), event_id=_event_id(row.event_id, level)))
            paid.append((account, level, pts, lot))
        self._source(row, "guide", doc.get("sale_id"), points, paid)

    def agents(self, row: Row[Unpack[tuple[Any, ...]]], doc: dict[str, Any], role: str, points: int,
               chain: list[tuple[str, int, int]]) -> None:
        paid: list[tuple[str, int, int, str]] = []
        for up, level, pts in chain:
            lot = _event_id(row.event_id, -level)
            self.entries.append(replace(E.earn(
                Kind.REFERRAL_BONUS, member_id=up, points=pts, store_id=M.HQ_ORIGIN, owed=R.owed(self.conn, up),
                lot_id=lot, now=self.now, rules=self.rules, ptype=L.PointType.AGENT,
                payload={"purpose": "network", "level": level, "from_event": row.event_id,
                         **({"store_id": row.store_id} if role == "store" else {})}),
                event_id=_event_id(row.event_id, level)))
            paid.append((L.member_account(up, L.PointType.AGENT), level, pts, lot))
        self._source(row, role, doc.get("sale_id"), points, paid)

    def reverse(self, row: Row[Unpack[tuple[Any, ...]]], doc: dict[str, Any]) -> None:
        """A till's reversal of a level-1 reward (a guide's points, a referral bonus) or of a recruited
        store's earn: each level takes back its share of what it was paid on it."""
        ns, of = M.network_sources.c, doc.get("of")
        reversing = doc.get("points")
        if not isinstance(reversing, int) or reversing <= 0:
            return
        where: ColumnElement[bool]
        if of == "referral_bonus":
            where = ns.event_id == str(doc.get("bonus_event"))
        elif of in ("guide", "earn") and isinstance(doc.get("sale_id"), str):
            where = (ns.store_id == row.store_id) & (ns.sale_id == doc["sale_id"]) & \
                (ns.role == ("guide" if of == "guide" else "store"))
        else:
            return
        source = self.conn.execute(select(M.network_sources).where(where)).first()
        if source is None:
            return  # it paid no recruiter
        self.flush()  # the rewards' lots first: the reversal takes from them
        for account, level, pts, lot in json.loads(source.paid):
            back = share_back(pts, source.points, source.reversed, reversing)
            if back <= 0:
                continue
            member = L.member_of(account) if account.startswith("member:") else None
            owner = account.split(":")[1]
            self.entries.append(replace(E.reverse_earned(
                account=account, debt_acct=L.debt_account(owner), points=back, lots=R.lots_of(self.conn, account),
                first_lot=lot, sink=L.store_issued(M.HQ_ORIGIN), now=self.now,
                payload={"purpose": "network", "of": "network", "level": level, "from_event": row.event_id,
                         "reward_event": _event_id(source.event_id, level)}, member_id=member),
                event_id=_back_id(row.event_id, level)))
        self.conn.execute(update(M.network_sources).where(ns.event_id == source.event_id)
                          .values(reversed=ns.reversed + reversing))


def credit_levels(conn: Connection, seq: Seq, db_url: str, now: datetime) -> dict[str, Any]:
    """The scheduled job: levels 2 and 3 for every level-1 reward HQ stored since the last run, levels 1 to
    3 for every sale of a recruited store, and each level's share back for every refund of them."""
    st, e = M.settings.c, M.events.c
    seen = int(conn.execute(select(st.value).where(st.key == SEEN)).scalar() or 0)
    recruits = {r.store_id: (r.agent_id, r.at) for r in conn.execute(select(M.store_recruits)).all()}
    kinds: ColumnElement[bool] = e.kind.in_((Kind.GUIDE_EARN, Kind.REFERRAL_BONUS, Kind.REVERSE))
    if recruits:
        kinds = kinds | ((e.kind == Kind.EARN) & e.store_id.in_(list(recruits)))
    rows = conn.execute(select(e.event_id, e.hq_seq, e.kind, e.store_id, e.member_id, e.device_time, e.payload)
                        .where(e.hq_seq > seen, kinds, e.status == "applied").order_by(e.hq_seq)).all()
    run = _Run(conn, seq, db_url, now)
    for r in rows:
        doc = json.loads(r.payload)
        points = doc.get("points")
        if doc.get("purpose") == "network" or not isinstance(points, int):
            continue  # a reward this job made, or not a credit
        if r.kind == Kind.REVERSE:
            run.reverse(r, doc)
        elif r.kind == Kind.GUIDE_EARN and isinstance(doc.get("guide_id"), str):
            run.guide(r, doc, points)
        elif r.kind == Kind.REFERRAL_BONUS and r.member_id:
            ups = upline(conn, "agent", r.member_id)
            run.agents(r, doc, "agent", points, upline_rewards(points, run.rewards.agent_pct, ups))
        elif r.kind == Kind.EARN and r.store_id in recruits and r.device_time >= recruits[r.store_id][1] \
                and isinstance(doc.get("sale_id"), str):
            agent = recruits[r.store_id][0]
            chain = [agent, *upline(conn, "agent", agent)]
            run.agents(r, doc, "store", points, store_rewards(points, run.rewards.store_pct, chain))
    run.flush()
    last = conn.execute(select(e.hq_seq).order_by(e.hq_seq.desc()).limit(1)).scalar() or seen
    _put(conn, SEEN, str(last))
    return {"rewards": run.made, "points": run.points}
