"""Sync throughput: a store with N pending events pushing over loopback to a real HQ server.

    python -m bench.sync --events 10000 --db postgresql+psycopg://postgres@127.0.0.1:5432/test
    python -m bench.sync --events 2000 --db sqlite

--db names the database server: PostgreSQL gets a scratch database hq_bench_<random>
on that server (dropped afterwards), `sqlite` a file in a temporary folder.

The store is a real till's database (pos_app.services.setup.open_store, enrolled with
HQ) whose own ledger recorded N events before the timing (earns with lot grants, gift
redemptions taking from the member's lots, postings summing to zero): its outbox holds
them. The timed push is the store's own sync code, pos_app.sync.cycle.push_pending: the
outbox read in device_seq order, batches of wire.MAX_BATCH, gzip, requests,
pos_app.sync.cycle.PUSH_DEPTH (3) batches in flight, and each answer recorded in the
store's database in order, to `hq-server serve` (--workers, default 2) on a loopback port.

push_seconds: from the store's first outbox read to its last answer recorded (every
event must be answered ok; answered_ok counts them). It is end to end, not HQ's CPU
alone: the store's outbox reads, JSON encoding and gzip, HTTP over loopback, HQ's auth,
gunzip, validation, the ledger and merge rules, HQ's commit and the answer, and the
store's commit of the answers. hq_events_per_s = events / push_seconds. (The pushes
around the timed one, for the pull measurements, are made by a simulated till, Till,
over httpx in the same way.)

raw_insert_events_per_s, the ceiling: the rows HQ wrote for those events, read back
from HQ's tables right after the timed push, written again straight into copies of
HQ's tables (the whole schema, same columns, keys, checks and indexes: a schema
bench_raw in the same PostgreSQL database; on SQLite a second file opened as HQ opens
its own, WAL and synchronous=FULL), one transaction per push batch (wire.MAX_BATCH
events), with no reads and no logic: each batch's events, postings, the lots its events
grant, the feed rows made for them, its balance deltas (one upsert per account) and
the remaining of lots granted in earlier batches that its events take from (one
update per lot). raw_insert_path says which way was fastest: `copy` (COPY in its binary
format, as HQ writes them, for the inserts, one statement over arrays for the upsert and
the update; PostgreSQL only), `copy_text` (the same with COPY's text format: its figure is
raw_copy_text_events_per_s) or `executemany` (SQLAlchemy Core executemany for each). ratio = hq / raw;
ratio_vs_executemany = hq / the executemany figure. raw_events_only_events_per_s
(and ratio_vs_events_only) is the figure this bench reported before it counted the
whole write set: the event rows alone, COPY on PostgreSQL. load_avg_1m, cpus and
cpu_calibration_ms say how busy and how fast the machine was.

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
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
from sqlalchemy import create_engine, select, text

from pos_app.domain import entries as E
from pos_app.domain import ledger as L
from pos_app.domain.ids import new_id
from pos_app.domain.ledger import Kind, canonical_json, payload_hash
from pos_app.domain.lots import Lot
from pos_app.domain.rules import Rules
from pos_app.sync.cycle import PUSH_DEPTH
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
    """`hq-server serve` on a loopback port; yields its base URL."""
    with hq_process(url, workers) as (base, _proc):
        yield base


@contextmanager
def hq_process(url: str, workers: int, env: dict[str, str] | None = None):
    """`hq-server serve` in a process group of its own (killed with its workers at the end); yields (base URL,
    the Popen: its pid is the group's id, for benches that read the group's CPU time from /proc)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "HQ_DATABASE_URL": url, "HQ_ADMIN_PASSWORD": PASSWORD, "PYTHONPATH": str(ROOT),
           **(env or {})}
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
            yield base, proc
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


def store_with_pending(folder: Path, base: str, admin: httpx.Client, store_id: str, n: int, members: list[str],
                       rng: random.Random):
    """A till's store database (pos_app.services.setup.open_store) enrolled with HQ, holding n pending
    events in its outbox, recorded by its own ledger (pos_app.store.ledger_repo.record): earns with lot
    grants and, three in ten, gift redemptions taking from the member's lots as the store holds them."""
    from pos_app.services.setup import open_store
    from pos_app.store import ledger_repo
    from pos_app.sync.enrol import enrol as enrol_till

    admin.post("/api/v1/admin/stores", json={"store_id": store_id, "name": store_id})
    token = admin.post(f"/api/v1/admin/stores/{store_id}/enrolment-tokens", json={}).json()["token"]
    ctx = open_store(folder)
    enrol_till(ctx.db, base, token, "bench-till", who=ctx.who)
    rules = Rules(version=1)
    with ctx.db.write() as conn:
        for i in range(n):
            m = rng.choice(members)
            entry = None
            if rng.random() < 0.3:
                lots = ledger_repo.lots_of(conn, L.member_account(m))
                have = sum(lot.remaining for lot in lots)
                if have >= 10:
                    entry = E.spend(Kind.REDEEM_POST, member_id=m, lots=lots, points=rng.randint(1, min(have, 500)),
                                    to_account=L.store_redeemed(ctx.who.store_id), now=datetime.now(timezone.utc)
                                    .replace(tzinfo=None), payload={"purpose": "gift"})
            if entry is None:
                points = rng.randint(5, 300)
                entry = E.earn(Kind.EARN, member_id=m, points=points, store_id=ctx.who.store_id, owed=0,
                               lot_id=new_id(), now=datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(days=1),
                               rules=rules, payload={"sale_id": new_id(), "receipt_no": f"R{i}", "paid_fen": points * 100,
                                                     "lines": [[1, "TEA-OOLONG", points]]})
            ledger_repo.record(conn, entry, who=ctx.who, staff_id="staff-1", rule_version=1,
                               now=datetime.now(timezone.utc).replace(tzinfo=None))
    return ctx


def push_store(ctx) -> tuple[float, int, list[dict]]:
    """The store's own sync push of its whole outbox (pos_app.sync.cycle.push_pending: requests, gzip,
    PUSH_DEPTH batches in flight, each answer recorded in the store's database); returns (seconds,
    events answered ok, the wire events pushed)."""
    from pos_app.sync import cycle, outbox
    with ctx.db.read() as conn:
        events = outbox.pending(conn, 10**9)
    client = cycle.client_for(ctx.db)
    try:
        t0 = time.perf_counter()
        report = cycle.push_pending(ctx.db, client)
        seconds = time.perf_counter() - t0
    finally:
        client.close()
    if report.answers != {"ok": len(events)}:
        raise RuntimeError(f"not all ok: {report.answers}")
    return seconds, report.answers["ok"], events


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
    """The simulated till's push (setting up the pull measurements): in device_seq order, MAX_BATCH a
    request, gzip, PUSH_DEPTH requests in flight as the store's sync keeps them, answers taken in
    order; returns (seconds, events answered ok)."""
    headers = {"Authorization": f"Device {creds['device_id']}:{creds['device_key']}",
               "Content-Type": "application/json", "Content-Encoding": "gzip"}
    starts = list(range(0, len(events), MAX_BATCH))
    clients = [httpx.Client(base_url=base, headers=headers, timeout=300) for _ in range(PUSH_DEPTH)]

    def send(k: int) -> list[dict]:
        body = gzip.compress(json.dumps({"events": events[starts[k]:starts[k] + MAX_BATCH]}).encode(),
                             compresslevel=1)
        r = clients[k % PUSH_DEPTH].post("/api/v1/sync/push", content=body)
        r.raise_for_status()
        return r.json()["answers"]

    ok = 0
    try:
        with ThreadPoolExecutor(PUSH_DEPTH) as pool:
            t0 = time.perf_counter()
            flight = [pool.submit(send, k) for k in range(min(PUSH_DEPTH, len(starts)))]
            for k, i in enumerate(starts):
                answers = flight[k].result()
                if k + PUSH_DEPTH < len(starts):  # this batch's client is free again
                    flight.append(pool.submit(send, k + PUSH_DEPTH))
                batch = events[i:i + MAX_BATCH]
                if [a["event_id"] for a in answers] != [e["event_id"] for e in batch]:
                    raise RuntimeError("the answers do not match the batch's events")
                bad = [a for a in answers if a["status"] != "ok"]
                if bad:
                    raise RuntimeError(f"not ok: {bad[:3]}")
                ok += len(answers)
            return time.perf_counter() - t0, ok
    finally:
        for c in clients:
            c.close()


def _by_chunks(conn, query, col, values: list, chunk: int = 900) -> list[dict]:
    out = []
    for i in range(0, len(values), chunk):
        out += [dict(r._mapping) for r in conn.execute(query.where(col.in_(values[i:i + chunk])))]
    return out


def hq_writes(url: str, events: list[dict]) -> list[dict]:
    """What HQ wrote for the events, read back from its tables, per push batch (MAX_BATCH events, as pushed):
    events, postings (in HQ's order), the lots they granted, the feed rows made for them, balance deltas,
    and lots granted in an earlier batch that the batch's events took from (with their remaining)."""
    from hq_server import models as M
    engine = create_engine(url)
    ids = [e["event_id"] for e in events]
    try:
        with engine.connect() as conn:
            ev = {r["event_id"]: r for r in _by_chunks(conn, select(M.events), M.events.c.event_id, ids)}
            p = M.postings.c
            postings = _by_chunks(conn, select(p.event_id, p.account, p.amount, p.id), p.event_id, ids)
            lots = _by_chunks(conn, select(*(c for c in M.lots.c)), M.lots.c.event_id, ids)
            f = M.feed.c
            feed = _by_chunks(conn, select(M.feed).where(f.type == "event"), f.key, ids)
    finally:
        engine.dispose()
    if len(ev) != len(ids):
        raise RuntimeError(f"HQ holds {len(ev)} of the {len(ids)} pushed events")
    by_event: dict[str, list] = {}
    for r in sorted(postings, key=lambda r: r["id"]):
        by_event.setdefault(r["event_id"], []).append({k: r[k] for k in ("event_id", "account", "amount")})
    lots_by_event: dict[str, list] = {}
    for r in lots:
        lots_by_event.setdefault(r["event_id"], []).append(r)
    feed_by_event: dict[str, list] = {}
    for r in sorted(feed, key=lambda r: r["seq"]):
        feed_by_event.setdefault(r["key"], []).append(r)
    lot_remaining = {r["lot_id"]: r["remaining"] for r in lots}
    granted_before: set[str] = set()
    batches = []
    for i in range(0, len(events), MAX_BATCH):
        batch = events[i:i + MAX_BATCH]
        granted = {g[0] for e in batch for g in e["payload"].get("grants", [])}
        taken = sorted({t[0] for e in batch for t in e["payload"].get("lots", [])} & granted_before)
        granted_before |= granted
        deltas: dict[str, int] = {}
        b_postings = [r for e in batch for r in by_event.get(e["event_id"], [])]
        for r in b_postings:
            deltas[r["account"]] = deltas.get(r["account"], 0) + r["amount"]
        batches.append({
            "events": [ev[e["event_id"]] for e in batch], "postings": b_postings,
            "lots": [r for e in batch for r in lots_by_event.get(e["event_id"], [])],
            "feed": [r for e in batch for r in feed_by_event.get(e["event_id"], [])],
            "balances": sorted((a, d) for a, d in deltas.items() if d),
            "lot_updates": [(lot_id, lot_remaining[lot_id]) for lot_id in taken]})
    return batches


@contextmanager
def raw_schema(url: str):
    """An engine on empty copies of HQ's tables (M.metadata: same columns, keys, checks, indexes).

    PostgreSQL: a schema bench_raw in the same database (tables named as HQ's, via schema_translate_map).
    SQLite: a second file beside HQ's, opened by hq_server.db.make_engine (WAL, synchronous=FULL, as HQ).
    """
    from hq_server import models as M
    from hq_server.db import make_engine
    if url.startswith("sqlite"):
        engine = make_engine(url.rsplit("/", 1)[0] + "/bench_raw.db")
    else:
        engine = make_engine(url).execution_options(schema_translate_map={None: "bench_raw"})
    try:
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA IF EXISTS bench_raw CASCADE")
                conn.exec_driver_sql("CREATE SCHEMA bench_raw")
        else:
            M.metadata.drop_all(engine)
        M.metadata.create_all(engine)
        yield engine
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA bench_raw CASCADE")
    finally:
        engine.dispose()


def _write_copy(conn, b: dict, binary: bool = True) -> None:
    """One batch by PostgreSQL's fastest plain paths: COPY (in its binary format, as HQ writes when the values
    fit: hq_server.bulk.copy_rows; binary=False: text), and one statement over arrays for upsert/update."""
    from hq_server import models as M
    from hq_server.bulk import binary_types, copy_rows, pg_array  # pg_array: an array as one literal
    raw = conn.connection.driver_connection
    for table, rows in (("events", b["events"]), ("postings", b["postings"]), ("lots", b["lots"]),
                        ("feed", b["feed"])):
        if rows:
            names = list(rows[0])
            copy_rows(raw, f"bench_raw.{table}", names, [[r[n] for n in names] for r in rows],
                      binary_types(M.metadata.tables[table], tuple(names)) if binary else None)
    with raw.cursor() as cur:
        if b["balances"]:
            cur.execute("INSERT INTO bench_raw.balances (account, balance) SELECT * FROM unnest(%s::text[], "
                        "%s::bigint[]) ON CONFLICT (account) DO UPDATE SET balance = balances.balance + "
                        "excluded.balance", (pg_array(a for a, _ in b["balances"]), pg_array(d for _, d in b["balances"])))
        if b["lot_updates"]:
            cur.execute("UPDATE bench_raw.lots SET remaining = u.remaining FROM unnest(%s::text[], %s::bigint[]) "
                        "AS u(lot_id, remaining) WHERE lots.lot_id = u.lot_id",
                        (pg_array(i for i, _ in b["lot_updates"]), pg_array(r for _, r in b["lot_updates"])))


def _write_executemany(conn, b: dict) -> None:
    """One batch by SQLAlchemy Core executemany, statement by statement."""
    from sqlalchemy import bindparam, update
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    from hq_server import models as M
    for table, rows in ((M.events, b["events"]), (M.postings, b["postings"]), (M.lots, b["lots"]),
                        (M.feed, b["feed"])):
        if rows:
            conn.execute(table.insert(), rows)
    if b["balances"]:
        ins = (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(M.balances)
        conn.execute(ins.on_conflict_do_update(index_elements=["account"],
                                               set_={"balance": M.balances.c.balance + ins.excluded.balance}),
                     [{"account": a, "balance": d} for a, d in b["balances"]])
    if b["lot_updates"]:
        conn.execute(update(M.lots).where(M.lots.c.lot_id == bindparam("lid")).values(remaining=bindparam("rem")),
                     [{"lid": i, "rem": r} for i, r in b["lot_updates"]])


def _write_copy_text(conn, b: dict) -> None:
    """_write_copy with COPY's text format (how HQ wrote, and this bench measured, until binary)."""
    _write_copy(conn, b, binary=False)


def _events_only_copy(conn, b: dict) -> None:
    """The figure this bench reported before: the event rows alone (COPY)."""
    _write_copy(conn, {"events": b["events"], "postings": [], "lots": [], "feed": [], "balances": [],
                       "lot_updates": []})


def raw_insert(url: str, batches: list[dict]) -> dict[str, float]:
    """HQ's writes for the timed events again, with no reads and no logic, one transaction a batch: the ceiling.

    Returns events/s by each path: executemany (SQLAlchemy Core), and on PostgreSQL copy (COPY and array
    statements) and events_only (COPY of the event rows alone). Each path starts on empty tables.
    """
    n = sum(len(b["events"]) for b in batches)
    paths = {"executemany": _write_executemany}
    if not url.startswith("sqlite"):
        paths.update(copy=_write_copy, copy_text=_write_copy_text, events_only=_events_only_copy)
    rates: dict[str, float] = {}
    for name, write in paths.items():
        with raw_schema(url) as engine:
            with engine.connect() as conn:  # the connection is made before the clock starts
                conn.exec_driver_sql("SELECT 1")
            t0 = time.perf_counter()
            for b in batches:
                with engine.begin() as conn:
                    write(conn, b)
            rates[name] = n / (time.perf_counter() - t0)
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
                with tempfile.TemporaryDirectory() as folder:
                    log(f"recording {args.events} events in a till's store database")
                    store = store_with_pending(Path(folder), base, admin, "bench-till", args.events, members, rng)
                    try:
                        log(f"pushing {args.events} events")
                        push_s, answered, events = push_store(store)
                    finally:
                        store.db.close()
                log(f"pushed in {push_s:.2f} s")
                written = hq_writes(url, events)  # before --history takes from these lots
                history = args.events if args.history < 0 else args.history
                if history:
                    log(f"pushing {history} more events on followed members (history for the pull)")
                    push_all(base, till_creds, make_events(till, history, followed))
                history_after = feed_rows(url, other_creds["store_id"])
                after = pull_new_ms(base, till, till_creds, reader, followed, reps=args.pull_reps)
                after_1000 = pull_new_ms(base, till, till_creds, reader, followed, new=1000,
                                         reps=max(1, (args.pull_reps + 1) // 2))
        log("raw inserts")
        rates = raw_insert(url, written)
    hq_rate = args.events / push_s
    raw_path = max(("copy", "copy_text", "executemany"), key=lambda k: rates.get(k, 0))
    raw_rate = rates[raw_path]
    result = {"events": args.events, "answered_ok": answered, "db": "postgresql" if url.startswith("postgresql")
              else "sqlite", "workers": args.workers, "push_seconds": round(push_s, 3),
              "hq_events_per_s": round(hq_rate), "raw_insert_events_per_s": round(raw_rate),
              "raw_insert_path": raw_path, "raw_executemany_events_per_s": round(rates["executemany"]),
              "raw_copy_text_events_per_s": round(rates["copy_text"]) if "copy_text" in rates else None,
              "ratio": round(hq_rate / raw_rate, 3), "ratio_vs_executemany": round(hq_rate / rates["executemany"], 3),
              "raw_events_only_events_per_s": round(rates["events_only"]) if "events_only" in rates else None,
              "ratio_vs_events_only": round(hq_rate / rates["events_only"], 3) if "events_only" in rates else None,
              "raw_rows": {k: sum(len(b[k]) for b in written) for k in ("events", "postings", "lots", "feed",
                                                                          "balances", "lot_updates")},
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
