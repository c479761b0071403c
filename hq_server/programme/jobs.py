"""HQ's scheduled jobs: points expiry and tier downgrades, each run by itself on a schedule.

    run_due(db, now=now)                     -> [JobRun]: each job whose period has passed, run once
    run_job(db, "expire", now=now, force=True)

Every worker of every HQ host calls `run_due` on a timer (hq_server.app); a job's last run is read
and written under HQ's writer lock (job_runs), so one of them runs it per period and the others
find it done. Each job is idempotent besides: it acts on what is due at `now` and leaves nothing
due, so running it twice changes nothing the second time.

- expire: the lots HQ granted (the events of HQ's own device and HQ's corrections; a till expires
  the lots it granted itself) past their expiry go to breakage, one `expire` event per account.
- tiers: a member whose rolling 12 months' spend or points (as HQ's ledger knows them: the sales'
  paid amounts and points less what refunds took back) no longer reach their tier moves down, a
  `tier_change` event, on the chain's tiers (hq_server.programme.tiers). Upgrades
  happen at once at the till of the sale; downgrades only here, where every store's sales meet
  (a till sees only the sales of members it follows, and would downgrade on part of the spend).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select, update

from hq_server.ledger import hq_events
from hq_server import models as M
from hq_server.db import Database, Seq
from hq_server.programme import ledger_reads as R
from hq_server.programme import network
from hq_server.programme import tiers as T
from pos_app.domain import entries as E
from pos_app.domain import ledger as L
from pos_app.domain.ledger import Entry, Kind
from pos_app.domain.lots import Lot
from pos_app.domain.tiers import lowest, on_reevaluation, rank, window_start

BATCH = 500  # accounts or members one run handles in its transaction; the next run takes the rest


@dataclass(frozen=True)
class JobRun:
    job: str
    ran: bool  # False: not due (another worker ran it this period)
    result: dict[str, Any] = field(default_factory=dict)


def _expire(conn: Connection, seq: Seq, db_url: str, now: datetime) -> dict[str, Any]:
    lt, e = M.lots.c, M.events.c
    rows = conn.execute(select(lt.lot_id, lt.account, lt.remaining, lt.available_at, lt.expires_at)
                        .join_from(M.lots, M.events, e.event_id == lt.event_id)
                        .where(lt.remaining > 0, lt.expires_at <= now, e.store_id == M.HQ_ORIGIN)
                        .order_by(lt.account, lt.lot_id)).all()
    by_account: dict[str, list[Lot]] = {}
    for r in rows:
        if r.account in by_account or len(by_account) < BATCH:
            by_account.setdefault(r.account, []).append(Lot(r.lot_id, r.account, r.remaining, r.available_at,
                                                            r.expires_at))
    entries = []
    for account, lots in by_account.items():
        member_id = L.member_of(account)
        entry = E.expire(account=account, lots=lots, now=now, member_id=member_id)
        if entry is not None:
            entries.append(entry)
    if entries:
        hq_events.write(conn, seq, db_url, entries, staff_id=None, rule_version=R.current_rules(conn, now).version,
                        now=now)
    return {"accounts": len(entries), "points": sum(en.payload["points"] for en in entries),
            "more": len(by_account) == BATCH}


def _tiers(conn: Connection, seq: Seq, db_url: str, now: datetime) -> dict[str, Any]:
    rules, tiers = R.current_rules(conn, now), T.chain_tiers(conn, now)
    m = M.members.c
    floor = lowest(tiers).code
    rows = conn.execute(select(m.member_id, m.tier).where(m.merged_into.is_(None), m.tier != floor)
                        .order_by(m.member_id)).all()
    entries = []
    since = window_start(now)
    for member_id, tier in rows:
        new = on_reevaluation(tiers, T.rolling_spend(conn, member_id, since), T.rolling_points(conn, member_id, since))
        if rank(tiers, new) < rank(tiers, tier):
            entries.append(Entry(Kind.TIER_CHANGE, {"member_id": member_id, "from": tier, "to": new,
                                                    "reason": "reevaluation"}, member_id=member_id))
        if len(entries) == BATCH:
            break
    if entries:
        hq_events.write(conn, seq, db_url, entries, staff_id=None, rule_version=rules.version, now=now)
    return {"downgraded": len(entries), "more": len(entries) == BATCH}


JOBS: dict[str, tuple[timedelta, Callable[[Connection, Seq, str, datetime], dict[str, Any]]]] = {
    "expire": (timedelta(hours=1), _expire),
    "tiers": (timedelta(days=1), _tiers),
    "network": (timedelta(minutes=10), network.credit_levels),  # guides' and agents' levels 2 and 3
}


def run_job(db: Database, job: str, *, now: datetime, force: bool = False) -> JobRun:
    """Run `job` if its period has passed since its last run (or `force`), in one transaction."""
    every, work = JOBS[job]
    j = M.job_runs.c
    with db.write() as (conn, seq):
        last = conn.execute(select(j.last_run_at).where(j.job == job)).scalar()
        if not force and last is not None and now - last < every:
            return JobRun(job, False)
        result = work(conn, seq, db.url, now)
        values = {"last_run_at": now, "result": json.dumps(result, sort_keys=True)}
        if conn.execute(update(M.job_runs).where(j.job == job).values(**values)).rowcount == 0:
            conn.execute(M.job_runs.insert().values(job=job, **values))
    return JobRun(job, True, result)


def run_due(db: Database, *, now: datetime) -> list[JobRun]:
    """Every job whose period has passed, each once, each in its own transaction."""
    return [run_job(db, job, now=now) for job in JOBS]


def last_runs(db: Database) -> dict[str, tuple[datetime, dict[str, Any]]]:
    with db.read() as conn:
        rows = conn.execute(select(M.job_runs)).all()
    return {r.job: (r.last_run_at, json.loads(r.result)) for r in rows}
