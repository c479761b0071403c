"""Sync throughput: a store with N pending events pushing over loopback to a real HQ server.

    python -m bench.sync --events 10000 --db postgresql+psycopg://postgres@127.0.0.1:5432/test
    python -m bench.sync --events 2000 --db sqlite

--db names the database server: PostgreSQL gets a scratch database hq_bench_<random>
on that server (dropped afterwards), `sqlite` a file in a temporary folder.

The events are what a till makes (earns with lot grants, gift redemptions taking from
those lots, postings summing to zero), built with pos_app.domain.entries as wire
events, pushed in device_seq order, in batches of wire.MAX_BATCH with gzip, one
request after the other (as a store's outbox does), to `hq-server serve` (--workers,
default 2) on a loopback port.

push_seconds: first request to last answer; every event must be answered ok
(answered_ok counts them). hq_events_per_s = events / push_seconds (end to end: gzip,
HTTP, validation, the ledger and merge rules, commit). raw_insert_events_per_s: the
same event rows inserted straight into a copy of HQ's events table (same columns,
keys and indexes) in the same database, 500 a transaction, by the fastest bulk path
the driver has (COPY on PostgreSQL, executemany on SQLite): the ceiling. ratio =
hq / raw. raw_executemany_events_per_s is the plain SQLAlchemy executemany figure
(ratio_vs_executemany against it). load_avg_1m, cpus and cpu_calibration_ms say how
busy and how fast the machine was.

Pull cost: a second store follows a tenth of the members, so HQ fans the till's
events on them out to it. pull_new_100_ms_before / _after: the least time over
--pull-reps (*_median: the median) of that store's pull, one HTTP GET, of 100
just-made items from a cursor at the end of its feed: first on an almost empty HQ,
then after the N timed events and --history more (default N) on the followed
members, so the reading store's own feed (reader_feed_rows_*) has grown by that
much. pull_new_1000_ms_after shows what does grow a pull: new items, not history.
Progress goes to stderr; one JSON line is printed last on stdout.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
from sqlalchemy import Column, MetaData, Table, UniqueConstraint, create_engine, text

from pos_app.domain import entries as E
from pos_app.domain import ledger as L
from pos_app.domain.ids import new_id
from pos_app.domain.ledger import Kind, canonical_json, payload_hash
from pos_app.domain.lots import Lot
from pos_app.domain.rules import Rules
from pos_app.sync.wire import MAX_BATCH

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-admin-password"


@contextmanager
def scratch_database(db: str):
    if db.startswith("sqlite"):
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/hq.db"
        return
    import psycopg
    admin_url = db.replace("postgresql+psycopg://", "postgresql://", 1)
    name = f"hq_bench_{secrets.token_hex(5)}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield db.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def log(msg: str) -> None:
    print(f"[bench.sync] {msg}", file=sys.stderr, flush=True)


@contextmanager
def server(url: str, workers: int):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "HQ_DATABASE_URL": url, "HQ_ADMIN_PASSWORD": PASSWORD, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen([sys.executable, "-m", "hq_server.cli", "serve", "--port", str(port), "--workers",
                                 str(workers)], env=env, cwd=ROOT, stdout=out, stderr=out, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                if proc.poll() is not None or time.monotonic() > deadline:
                    out.seek(0)
                    raise RuntimeError(f"hq-server did not start:\n{out.read().decode(errors='replace')[-3000:]}")
                try:
                    if httpx.get(base + "/api/v1/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            yield base
        finally:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


class Till:
    """Makes a store's events as its ledger would, for one enrolled device."""

    def __init__(self, creds: dict, rng: random.Random):
        self.store_id, self.device_id = creds["store_id"], creds["device_id"]
        self.seq = 0
        self.rng = rng
        self.rules = Rules(version=1)
        self.lots: dict[str, list[Lot]] = {}

    def _event(self, entry) -> dict:
        self.seq += 1
        payload = json.loads(canonical_json(entry.payload))
        if entry.grants:
            payload["grants"] = [[g.lot_id, g.account, g.amount, g.available_at.isoformat(),
                                  g.expires_at.isoformat()] for g in entry.grants]
        payload["postings"] = [[p.account, p.amount] for p in entry.postings]
        return {"event_id": new_id(), "kind": str(entry.kind), "store_id": self.store_id,
                "device_id": self.device_id, "device_seq": self.seq,
                "device_time": datetime.now(timezone.utc).isoformat(), "staff_id": "staff-1", "rule_version": 1,
                "member_id": entry.member_id, "payload": payload, "payload_hash": payload_hash(payload)}

    def earn(self, member_id: str) -> dict:
        now = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(days=1)
        points = self.rng.randint(5, 300)
        entry = E.earn(Kind.EARN, member_id=member_id, points=points, store_id=self.store_id, owed=0,
                       lot_id=new_id(), now=now, rules=self.rules,
                       payload={"sale_id": new_id(), "receipt_no": f"R{self.seq}", "paid_fen": points * 100,
                                "lines": [[1, "TEA-OOLONG", points]]})
        g = entry.grants[0]
        self.lots.setdefault(member_id, []).append(Lot(g.lot_id, g.account, g.amount, g.available_at, g.expires_at))
        return self._event(entry)

    def spend(self, member_id: str) -> dict | None:
        lots = [lot for lot in self.lots.get(member_id, []) if lot.remaining > 0]
        have = sum(lot.remaining for lot in lots)
        if have < 10:
            return None
        points = self.rng.randint(1, min(have, 500))
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        entry = E.spend(Kind.REDEEM_POST, member_id=member_id, lots=lots, points=points,
                        to_account=L.store_redeemed(self.store_id), now=now, payload={"purpose": "gift"})
        taken = dict((t.lot_id, t.amount) for t in entry.takes)
        self.lots[member_id] = [Lot(lot.lot_id, lot.account, lot.remaining - taken.get(lot.lot_id, 0),
                                    lot.available_at, lot.expires_at) for lot in lots]
        return self._event(entry)


def make_events(till: Till, n: int, members: list[str]) -> list[dict]:
    out = []
    while len(out) < n:
        m = till.rng.choice(members)
        ev = till.spend(m) if till.rng.random() < 0.3 else None
        out.append(ev or till.earn(m))
    return out


def enrol(client: httpx.Client, store_id: str) -> dict:
    client.post("/api/v1/admin/stores", json={"store_id": store_id, "name": store_id})
    token = client.post(f"/api/v1/admin/stores/{store_id}/enrolment-tokens", json={}).json()["token"]
    return client.post("/api/v1/enrol", json={"token": token, "device_name": "bench"}).json()


def push_all(base: str, creds: dict, events: list[dict]) -> tuple[float, int]:
    """Push in device_seq order, MAX_BATCH a request, gzip; returns (seconds, events answered ok)."""
    headers = {"Authorization": f"Device {creds['device_id']}:{creds['device_key']}",
               "Content-Type": "application/json", "Content-Encoding": "gzip"}
    ok = 0
    with httpx.Client(base_url=base, headers=headers, timeout=300) as c:
        t0 = time.perf_counter()
        for i in range(0, len(events), MAX_BATCH):
            batch = events[i:i + MAX_BATCH]
            body = gzip.compress(json.dumps({"events": batch}).encode(), compresslevel=1)
            r = c.post("/api/v1/sync/push", content=body)
            r.raise_for_status()
            answers = r.json()["answers"]
            if [a["event_id"] for a in answers] != [e["event_id"] for e in batch]:
                raise RuntimeError("the answers do not match the batch's events")
            bad = [a for a in answers if a["status"] != "ok"]
            if bad:
                raise RuntimeError(f"not ok: {bad[:3]}")
            ok += len(answers)
        return time.perf_counter() - t0, ok


def _raw_table(meta: MetaData) -> Table:
    """HQ's events table under another name: same columns, keys and indexes (names left to the database)."""
    from hq_server import models as M
    cols = [Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable, unique=bool(c.unique) or None,
                   index=bool(c.index) or None) for c in M.events.columns]
    return Table("bench_raw_events", meta, *cols, UniqueConstraint("device_id", "device_seq"))


def raw_insert(url: str, events: list[dict]) -> dict[str, float]:
    """The same rows straight into a copy of HQ's events table, 500 a transaction: the ceiling for ingest.

    Returns events/s by each bulk path tried: executemany (SQLAlchemy Core), and COPY on PostgreSQL.
    """
    meta = MetaData()
    raw = _raw_table(meta)
    engine = create_engine(url)
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    rows = [{"event_id": e["event_id"], "hq_seq": i + 1, "store_id": e["store_id"], "device_id": e["device_id"],
             "device_seq": e["device_seq"], "kind": e["kind"],
             "device_time": datetime.fromisoformat(e["device_time"]).astimezone(timezone.utc).replace(tzinfo=None),
             "received_at": now, "staff_id": e["staff_id"], "rule_version": e["rule_version"],
             "member_id": e["member_id"], "payload": canonical_json(e["payload"]), "payload_hash": e["payload_hash"],
             "status": "applied", "flags": ""} for i, e in enumerate(events)]
    rates: dict[str, float] = {}
    try:
        meta.drop_all(engine)
        meta.create_all(engine)
        t0 = time.perf_counter()
        for i in range(0, len(rows), MAX_BATCH):
            with engine.begin() as conn:
                conn.execute(raw.insert(), rows[i:i + MAX_BATCH])
        rates["executemany"] = len(rows) / (time.perf_counter() - t0)
        if engine.dialect.name == "postgresql":
            meta.drop_all(engine)
            meta.create_all(engine)
            names = list(rows[0])
            sql = f"COPY {raw.name} ({', '.join(names)}) FROM STDIN"
            t0 = time.perf_counter()
            for i in range(0, len(rows), MAX_BATCH):
                with engine.begin() as conn:
                    with conn.connection.driver_connection.cursor() as cur, cur.copy(sql) as copy:
                        for r in rows[i:i + MAX_BATCH]:
                            copy.write_row([r[n] for n in names])
            rates["copy"] = len(rows) / (time.perf_counter() - t0)
        meta.drop_all(engine)
    finally:
        engine.dispose()
    return rates


def drain(reader: httpx.Client, cursor: int) -> tuple[int, int]:
    """Pull to the end of the feed; returns (cursor, items)."""
    n = 0
    while True:
        r = reader.get("/api/v1/sync/pull", params={"after": cursor, "limit": 5000})
        r.raise_for_status()
        doc = r.json()
        cursor, n = doc["cursor"], n + len(doc["items"])
        if not doc["more"]:
            return cursor, n


def pull_new_ms(base: str, till: Till, till_creds: dict, reader: httpx.Client, followed: list[str],
                new: int = 100, reps: int = 5) -> tuple[float, float]:
    """(Least, median) time to pull `new` items just made (the till's earns on members the reader follows),
    from a cursor at the end of the reader's feed."""
    times = []
    cursor, _ = drain(reader, 0)
    for _ in range(reps):
        cursor, _ = drain(reader, cursor)
        push_all(base, till_creds, [till.earn(till.rng.choice(followed)) for _ in range(new)])
        t0 = time.perf_counter()
        r = reader.get("/api/v1/sync/pull", params={"after": cursor, "limit": 5000})
        times.append((time.perf_counter() - t0) * 1000)
        r.raise_for_status()
        doc = r.json()
        if len(doc["items"]) != new or doc["more"]:
            raise RuntimeError(f"expected {new} new items, pulled {len(doc['items'])}")
        cursor = doc["cursor"]
    return min(times), statistics.median(times)


def feed_rows(url: str, store_id: str) -> tuple[int, int]:
    """(rows in HQ's whole feed, rows the store's pull reads through: its own and the chain's)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return (conn.execute(text("SELECT COUNT(*) FROM feed")).scalar_one(),
                    conn.execute(text("SELECT COUNT(*) FROM feed WHERE store_id IN (:s, '*')"), {"s": store_id})
                    .scalar_one())
    finally:
        engine.dispose()


def cpu_calibration_ms() -> float:
    """How fast this machine runs Python right now: median ms of sum(range(1_000_000)) (about 10 ms on an
    unloaded current desktop core), to read the figures against."""
    times = []
    for _ in range(7):
        t0 = time.perf_counter()
        sum(range(1_000_000))
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sync")
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--db", default="sqlite", help="sqlite, or a PostgreSQL URL (a scratch database is made)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--members", type=int, default=0, help="default: events / 20")
    parser.add_argument("--pull-reps", type=int, default=5)
    parser.add_argument("--history", type=int, default=-1,
                        help="events on the followed members pushed after the timed push, so the reading store's "
                             "own feed history grows before the second pull measurement (default: --events)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if args.events < 1:
        parser.error("--events must be at least 1")
    rng = random.Random(args.seed)
    with scratch_database(args.db) as url:
        log(f"database {url.rsplit('/', 1)[-1]}; starting hq-server with {args.workers} workers")
        with server(url, args.workers) as base, httpx.Client(base_url=base, timeout=60) as admin:
            r = admin.post("/api/v1/admin/login", json={"username": "admin", "password": PASSWORD})
            r.raise_for_status()
            admin.headers["Authorization"] = f"Bearer {r.json()['token']}"
            till_creds = enrol(admin, "bench-store")
            till = Till(till_creds, rng)
            other_creds = enrol(admin, "bench-other")
            other = Till(other_creds, rng)
            members = [new_id() for _ in range(args.members or max(10, args.events // 20))]
            followed = members[::10]
            # a second store follows a tenth of the members, so HQ fans their events out to it
            follow_s, _ = push_all(base, other_creds, [other.earn(m) for m in followed])
            with httpx.Client(base_url=base, timeout=60, headers={
                    "Authorization": f"Device {other_creds['device_id']}:{other_creds['device_key']}"}) as reader:
                before = pull_new_ms(base, till, till_creds, reader, followed, reps=args.pull_reps)
                history_before = feed_rows(url, other_creds["store_id"])
                events = make_events(till, args.events, members)
                log(f"pushing {len(events)} events")
                push_s, answered = push_all(base, till_creds, events)
                log(f"pushed in {push_s:.2f} s")
                history = args.events if args.history < 0 else args.history
                if history:
                    log(f"pushing {history} more events on followed members (history for the pull)")
                    push_all(base, till_creds, make_events(till, history, followed))
                history_after = feed_rows(url, other_creds["store_id"])
                after = pull_new_ms(base, till, till_creds, reader, followed, reps=args.pull_reps)
                after_1000 = pull_new_ms(base, till, till_creds, reader, followed, new=1000,
                                         reps=max(1, (args.pull_reps + 1) // 2))
        log("raw inserts")
        rates = raw_insert(url, events)
    hq_rate = args.events / push_s
    raw_rate = max(rates.values())
    result = {"events": args.events, "answered_ok": answered, "db": "postgresql" if url.startswith("postgresql")
              else "sqlite", "workers": args.workers, "push_seconds": round(push_s, 3),
              "hq_events_per_s": round(hq_rate), "raw_insert_events_per_s": round(raw_rate),
              "raw_insert_path": max(rates, key=rates.get), "raw_executemany_events_per_s": round(rates["executemany"]),
              "ratio": round(hq_rate / raw_rate, 3), "ratio_vs_executemany": round(hq_rate / rates["executemany"], 3),
              "pull_new_100_ms_before": round(before[0], 2), "pull_new_100_ms_after": round(after[0], 2),
              "pull_new_1000_ms_after": round(after_1000[0], 2),
              "pull_new_100_ms_before_median": round(before[1], 2), "pull_new_100_ms_after_median": round(after[1], 2),
              "pull_new_1000_ms_after_median": round(after_1000[1], 2),
              "feed_rows_before": history_before[0], "feed_rows_after": history_after[0],
              "reader_feed_rows_before": history_before[1], "reader_feed_rows_after": history_after[1],
              "setup_follow_push_seconds": round(follow_s, 3), "load_avg_1m": round(os.getloadavg()[0], 2),
              "cpus": os.cpu_count(), "cpu_calibration_ms": round(cpu_calibration_ms(), 1)}
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
