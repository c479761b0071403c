"""Guides' and agents' networks at HQ: who recruited whom, and the rewards for levels 2 and 3.

A till credits the level-1 reward itself (the guide of a sale, the referrer of a first purchase); it
cannot credit their recruiters (another store's staff, members it does not hold: beyond a till's
authority). HQ's `network` job reads those level-1 rewards in hq_seq order and credits the two levels
above with HQ's shares (pos_app.domain.network: three levels at most), as events of HQ's online
device, named after the reward they follow, so a second run credits nothing twice.

    level_rewards(db) / set_level_rewards(db, doc={"guide_pct": [10, 5], "agent_pct": [20, 10]})
    set_recruiter(db, staff_id="g-2", recruited_by="g-1", now=now)     a guide's recruiter (no cycles)
    upline(conn, "guide" | "agent", holder)                          the two recruiters above, nearest first
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, replace
from datetime import datetime

from sqlalchemy import Connection, select, update

from hq_server.ledger import hq_events
from hq_server import models as M
from hq_server.db import Database, Seq
from hq_server.errors import HQProblem
from hq_server.programme import audit
from hq_server.programme import ledger_reads as R
from hq_server.programme.audit import Actor
from hq_server.programme.refusals import BadField
from pos_app.domain import entries as E
from pos_app.domain import ledger as L
from pos_app.domain.ledger import Kind
from pos_app.domain.network import MAX_LEVELS, LevelRewards, parse_level_rewards, upline_rewards

REWARDS_KEY = "programme.level_rewards"
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


def set_level_rewards(db: Database, *, doc: dict, actor: Actor | None = None,
                      now: datetime | None = None) -> LevelRewards:
    """HQ's shares for levels 2 and 3 (422 for a third share: three levels at most, naming the field).
    Given the console's `actor` (and `now`), the change is in the audit log too."""
    parsed = parse_level_rewards(doc)
    if isinstance(parsed, tuple):
        raise BadField(str(parsed[0].params.get("field", "rewards")), "; ".join(p.message for p in parsed),
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
    out, seen = [], {holder}
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
                                  .where(M.guide_recruits.c.staff_id == holder)).scalar()
        g = M.guide_recruits.c
        if conn.execute(update(M.guide_recruits).where(g.staff_id == staff_id)
                        .values(recruited_by=recruited_by, at=now)).rowcount == 0:
            conn.execute(M.guide_recruits.insert().values(staff_id=staff_id, recruited_by=recruited_by, at=now))


def _event_id(source: str, level: int) -> str:
    return str(uuid.uuid5(NS, f"{source}:{level}"))


def credit_levels(conn: Connection, seq: Seq, db_url: str, now: datetime) -> dict:
    """The scheduled job: levels 2 and 3 for every level-1 reward HQ stored since the last run."""
    st, e = M.settings.c, M.events.c
    seen = int(conn.execute(select(st.value).where(st.key == SEEN)).scalar() or 0)
    rows = conn.execute(select(e.event_id, e.hq_seq, e.kind, e.member_id, e.payload).where(
        e.hq_seq > seen, e.kind.in_((Kind.GUIDE_EARN, Kind.REFERRAL_BONUS)), e.status == "applied")
        .order_by(e.hq_seq)).all()
    rewards, rules = _rewards(conn), R.current_rules(conn, now)
    entries = []
    for r in rows:
        doc = json.loads(r.payload)
        points = doc.get("points")
        if doc.get("purpose") == "network" or not isinstance(points, int):
            continue  # a reward this job made, or not a credit
        if r.kind == Kind.GUIDE_EARN and isinstance(doc.get("guide_id"), str):
            for up, level, pts in upline_rewards(points, rewards.guide_pct, upline(conn, "guide", doc["guide_id"])):
                entries.append(replace(E.credit(
                    Kind.GUIDE_EARN, account=L.guide_account(up), points=pts, source=L.store_issued(M.HQ_ORIGIN),
                    debt_acct=None, owed=0, lot_id=_event_id(r.event_id, -level), now=now, rules=rules, lock=False,
                    payload={"purpose": "network", "level": level, "from_event": r.event_id, "guide_id": up},
                    member_id=None), event_id=_event_id(r.event_id, level)))
        elif r.kind == Kind.REFERRAL_BONUS and r.member_id:
            for up, level, pts in upline_rewards(points, rewards.agent_pct, upline(conn, "agent", r.member_id)):
                entries.append(replace(E.earn(
                    Kind.REFERRAL_BONUS, member_id=up, points=pts, store_id=M.HQ_ORIGIN, owed=R.owed(conn, up),
                    lot_id=_event_id(r.event_id, -level), now=now, rules=rules, ptype=L.PointType.AGENT,
                    payload={"purpose": "network", "level": level, "from_event": r.event_id}),
                    event_id=_event_id(r.event_id, level)))
    done = set(conn.execute(select(e.event_id).where(e.event_id.in_([en.event_id for en in entries]))).scalars()) \
        if entries else set()
    entries = [en for en in entries if en.event_id not in done]
    if entries:
        hq_events.write(conn, seq, db_url, entries, staff_id=None, rule_version=rules.version, now=now)
    last = conn.execute(select(e.hq_seq).order_by(e.hq_seq.desc()).limit(1)).scalar() or seen
    _put(conn, SEEN, str(last))
    return {"rewards": len(entries), "points": sum(en.payload["points"] for en in entries)}
