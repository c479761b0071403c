"""A chain's everyday load: N enrolled tills syncing on a cadence, a few events or none each time.

    python -m bench.fleet --tills 200 --db postgresql+psycopg://postgres@127.0.0.1:5432/test
    python -m bench.fleet --tills 2000 --cadence 30 --db ... --seconds 60

--db: a PostgreSQL URL (a scratch database hq_bench_<random> is made on that server and dropped
afterwards; bench.sync.scratch_database) or `sqlite`. HQ is a real `hq-server serve --workers K`
subprocess (bench.sync.hq_process). Each till is enrolled for real (a store per --tills-per-store
tills, an enrolment token from the admin API, POST /enrol) and then cycles as a till's sync does
(pos_app.sync.cycle): a handshake with its acknowledged count and hash and its pull cursor, a push of
2-3 events (earns and gift redemptions on its store's members, as bench.sync.Till makes them) in a
busy cycle (its answer holds the pull's first page: protocol 2), none in an idle one, and a pull from
its own cursor until HQ has no more, unless the push's answer or the handshake said nothing (more)
waits for the till. The tills of one store share
its members, so HQ fans each till's events out to the store's other tills and pulls carry items.

--threads worker threads run the cycles (a till is never in two at once); --cadence S starts each
till's next cycle S seconds after its last one started (0: as soon as a thread is free: as fast as
they can). After --warmup seconds, three phases of --seconds each are measured: `mixed` (a cycle
is busy with probability --busy), `busy` (every cycle pushes) and `idle` (none does). Per phase:
cycles/s; HQ's CPU per cycle (utime+stime of every process in hq-server's process group, from
/proc); PostgreSQL's CPU per cycle (the backends connected to the scratch database, found in
pg_stat_activity and read from /proc every 0.25 s; a backend's CPU before it was first seen is
not counted); this bench's own CPU per cycle (it shares the machine); p50/p95/p99 ms of each
call (handshake, push, pull) for idle and busy cycles apart; errors (any call that fails or
answers otherwise than a healthy till expects). tills_at_30s = cycles/s x 30 (the tills the
measured rate serves at a 30 s cadence); cpu_tills_at_30s = the same from HQ's and
PostgreSQL's CPU per cycle on this machine's cores, were they theirs alone. The machine's load
average is taken at the start and end of each phase; cpu_work_ms is the CPU time a fixed piece of
Python work takes at the start and the end (CPU per cycle grows with it when other work shares the
cores). The top level of the JSON line (last on
stdout) is the mixed phase's; `phases` holds all three.
"""

from __future__ import annotations

import argparse
import gzip
import heapq
import json
import os
import random
import resource
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import httpx

from bench.sync import PASSWORD, Till, cpu_calibration_ms, enrol, hq_process, scratch_database
from pos_app.domain.ids import new_id
from pos_app.sync.wire import EMPTY_HASH

CALLS = ("handshake", "push", "pull")
TICK = os.sysconf("SC_CLK_TCK")
GZIP_OVER = 1024  # as pos_app.sync.client


def log(msg: str) -> None:
    print(f"[bench.fleet] {msg}", file=sys.stderr, flush=True)


# --- CPU from /proc ------------------------------------------------------------------------------
def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2:].split()  # fields from `state` on (the name may hold spaces)


def cpu_seconds(pid: int) -> float | None:
    f = _stat(pid)
    return None if f is None else (int(f[11]) + int(f[12])) / TICK  # utime, stime


def group_cpu_seconds(pgid: int) -> float:
    """utime+stime of every live process in the process group (hq-server and its uvicorn workers)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            f = _stat(int(entry.name))
            if f is not None and int(f[2]) == pgid:
                total += (int(f[11]) + int(f[12])) / TICK
    return total


class PostgresCPU:
    """CPU of the PostgreSQL backends serving one database, sampled from /proc while a phase runs."""

    def __init__(self, url: str):
        self.dbname = url.rsplit("/", 1)[1]
        self.conninfo = url.replace("postgresql+psycopg://", "postgresql://", 1)
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> PostgresCPU:
        import psycopg
        self._conn = psycopg.connect(self.conninfo, autocommit=True)
        self._sample()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()
        self._conn.close()

    def _run(self) -> None:
        while not self._stop.wait(0.25):
            self._sample()

    def _sample(self) -> None:
        pids = [r[0] for r in self._conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (self.dbname,))]
        for pid in pids:
            cpu = cpu_seconds(pid)
            if cpu is not None:
                self.first.setdefault(pid, cpu)
                self.last[pid] = cpu

    def seconds(self) -> float:
        return sum(self.last[p] - self.first[p] for p in self.last)


class NoCPU:
    """SQLite: the database is inside HQ's processes."""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass

    def seconds(self) -> float:
        return 0.0


# --- the tills -------------------------------------------------------------------------------------
@dataclass
class FleetTill:
    creds: dict
    maker: Till  # makes the till's events as its ledger would (bench.sync.Till)
    members: list[str]
    acked_count: int = 0
    acked_hash: str = EMPTY_HASH
    cursor: int = 0

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Device {self.creds['device_id']}:{self.creds['device_key']}"}


class Refusal(Exception):
    pass


@dataclass
class Phase:
    name: str
    busy: float
    started: float = 0.0
    ended: float = 0.0
    cycles: dict[str, int] = field(default_factory=lambda: {"idle": 0, "busy": 0})
    ms: dict[tuple[str, str], list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    samples: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _timed(phase: Phase, kind: str, call: str, fn):
    t0 = time.perf_counter()
    out = fn()
    phase.ms[(kind, call)].append((time.perf_counter() - t0) * 1000)
    return out


def _ok(r: httpx.Response, call: str) -> dict:
    if r.status_code != 200:
        raise Refusal(f"{call}: HTTP {r.status_code} {r.text[:200]}")
    return r.json()


def cycle(client: httpx.Client, till: FleetTill, phase: Phase, busy: bool, rng: random.Random) -> None:
    """One sync cycle of one till, as pos_app.sync.cycle.sync_once makes it (protocol 2: the handshake carries
    the pull cursor, and a till with nothing to push pulls only when HQ says something waits for it)."""
    kind = "busy" if busy else "idle"
    h = till.headers
    body = {"protocol_min": 1, "protocol_max": 2, "device_time": datetime.now(timezone.utc).isoformat(),
            "acked_count": till.acked_count, "acked_hash": till.acked_hash, "pull_cursor": till.cursor}
    doc = _ok(_timed(phase, kind, "handshake", lambda: client.post("/api/v1/sync/handshake", json=body, headers=h)),
              "handshake")
    if doc["full_resync_required"]:
        raise Refusal(f"handshake: HQ holds {doc['hq_acked_count']} events of this till, the till {till.acked_count}")
    if not busy and doc.get("feed_news") is False:
        till.cursor = max(till.cursor, doc["feed_head"])
        return
    if busy:
        events = []
        for _ in range(rng.randint(2, 3)):
            m = rng.choice(till.members)
            events.append((rng.random() < 0.3 and till.maker.spend(m)) or till.maker.earn(m))
        raw = json.dumps({"events": events, "pull_cursor": till.cursor}, separators=(",", ":")).encode()
        ph = {**h, "Content-Type": "application/json"}
        if len(raw) > GZIP_OVER:
            raw, ph["Content-Encoding"] = gzip.compress(raw, compresslevel=5), "gzip"
        doc = _ok(_timed(phase, kind, "push", lambda: client.post("/api/v1/sync/push", content=raw, headers=ph)),
                  "push")
        bad = [a for a in doc["answers"] if a["status"] != "ok"]
        if bad:
            raise Refusal(f"push: {bad[0]}")
        till.acked_count, till.acked_hash = doc["hq_acked_count"], doc["hq_acked_hash"]
        till.cursor = doc["pull"]["cursor"]  # the push's answer holds the pull's first page (protocol 2)
        if not doc["pull"]["more"]:
            return
    while True:
        params = {"after": till.cursor, "limit": 500}
        doc = _ok(_timed(phase, kind, "pull", lambda: client.get("/api/v1/sync/pull", params=params, headers=h)),
                  "pull")
        till.cursor = doc["cursor"]
        if not doc["more"]:
            break


class Fleet:
    """--threads threads cycling the tills on the cadence, a phase at a time."""

    def __init__(self, base: str, tills: list[FleetTill], threads: int, cadence: float, seed: int):
        self.base, self.tills, self.threads, self.cadence = base, tills, threads, cadence
        self.rng = random.Random(seed)
        start = time.monotonic()
        # spread the first cycles over one cadence, so tills on a cadence do not all sync at once
        self.due = [(start + (self.rng.random() * cadence if cadence else 0), i) for i in range(len(tills))]
        heapq.heapify(self.due)
        self.lock = threading.Lock()

    def run(self, phase: Phase, seconds: float) -> None:
        phase.started = time.monotonic()
        until = phase.started + seconds
        workers = [threading.Thread(target=self._work, args=(phase, until, k)) for k in range(self.threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        phase.ended = until

    def _work(self, phase: Phase, until: float, k: int) -> None:
        rng = random.Random(self.rng.random() + k)
        with httpx.Client(base_url=self.base, timeout=60) as client:
            while True:
                with self.lock:
                    due, i = heapq.heappop(self.due)
                wait = due - time.monotonic()
                if due >= until or time.monotonic() + max(0.0, wait) >= until:
                    with self.lock:
                        heapq.heappush(self.due, (due, i))
                    return
                if wait > 0:
                    time.sleep(wait)
                started = time.monotonic()
                busy = rng.random() < phase.busy
                try:
                    cycle(client, self.tills[i], phase, busy, rng)
                    if time.monotonic() <= until:
                        with phase.lock:
                            phase.cycles["busy" if busy else "idle"] += 1
                except (Refusal, httpx.HTTPError, ValueError, KeyError) as exc:
                    with phase.lock:
                        phase.errors[type(exc).__name__] += 1
                        if len(phase.samples) < 5:
                            phase.samples.append(str(exc)[:300])
                    self._resync(client, self.tills[i])
                with self.lock:
                    heapq.heappush(self.due, (max(started + self.cadence, time.monotonic()) if self.cadence
                                              else time.monotonic(), i))

    @staticmethod
    def _resync(client: httpx.Client, till: FleetTill) -> None:
        """After an error the till does not know what HQ holds of it: take HQ's word at the next handshake
        (a real till re-pushes; these events are made up, so nothing is lost by not doing so)."""
        try:
            doc = client.post("/api/v1/sync/handshake", headers=till.headers, json={
                "protocol_min": 1, "protocol_max": 1, "device_time": datetime.now(timezone.utc).isoformat(),
                "acked_count": till.acked_count, "acked_hash": till.acked_hash}).json()
            till.acked_count, till.acked_hash = doc["hq_acked_count"], doc["hq_acked_hash"]
        except (httpx.HTTPError, ValueError, KeyError):
            pass


def percentiles(values: list[float]) -> dict[str, float] | None:
    if not values:
        return None
    v = sorted(values)

    def at(q: float) -> float:
        return round(v[min(len(v) - 1, int(q * len(v)))], 1)
    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "n": len(v)}


def figures(phase: Phase, hq_cpu_s: float, pg_cpu_s: float, self_cpu_s: float, load: tuple) -> dict:
    seconds = phase.ended - phase.started
    cycles = sum(phase.cycles.values())
    per = (lambda s: round(s * 1000 / cycles, 2)) if cycles else (lambda s: None)
    rate = cycles / seconds
    hq_pg = (hq_cpu_s + pg_cpu_s) * 1000 / cycles if cycles else 0
    return {"phase": phase.name, "busy_share": phase.busy, "seconds": round(seconds, 1), "cycles": cycles,
            "idle_cycles": phase.cycles["idle"], "busy_cycles": phase.cycles["busy"],
            "cycles_per_s": round(rate, 1), "hq_cpu_ms_per_cycle": per(hq_cpu_s), "pg_cpu_ms_per_cycle": per(pg_cpu_s),
            "bench_cpu_ms_per_cycle": per(self_cpu_s),
            "latency_ms": {kind: {call: percentiles(phase.ms[(kind, call)]) for call in CALLS
                                  if phase.ms[(kind, call)]} for kind in ("idle", "busy")},
            "errors": sum(phase.errors.values()), "error_kinds": dict(phase.errors), "error_samples": phase.samples,
            "tills_at_30s": round(rate * 30), "cpu_tills_at_30s": round(os.cpu_count() * 1000 / hq_pg * 30) if hq_pg
            else None, "load_avg_1m_start": load[0], "load_avg_1m_end": load[1]}


def measure(fleet: Fleet, phase: Phase, seconds: float, hq_pgid: int, pg) -> dict:
    load0 = round(os.getloadavg()[0], 2)
    hq0, me0 = group_cpu_seconds(hq_pgid), _self_cpu()
    with pg:
        fleet.run(phase, seconds)
    hq1, me1 = group_cpu_seconds(hq_pgid), _self_cpu()
    result = figures(phase, hq1 - hq0, pg.seconds(), me1 - me0, (load0, round(os.getloadavg()[0], 2)))
    log(f"{phase.name}: {result['cycles_per_s']} cycles/s, HQ {result['hq_cpu_ms_per_cycle']} ms/cycle, "
        f"PostgreSQL {result['pg_cpu_ms_per_cycle']} ms/cycle, {result['errors']} errors")
    return result


def _self_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def enrol_fleet(admin: httpx.Client, n: int, per_store: int, members: int, seed: int) -> list[FleetTill]:
    tills, store_members = [], {}
    for i in range(n):
        store = f"fleet-{i // per_store:05d}"
        creds = enrol(admin, store)
        if "device_id" not in creds:
            raise RuntimeError(f"enrolment failed: {creds}")
        ms = store_members.setdefault(store, [new_id() for _ in range(members)])
        tills.append(FleetTill(creds, Till(creds, random.Random(seed * 100_003 + i)), ms))
    return tills


def cpu_work_ms() -> float:
    """CPU time (not wall time, as bench.sync.cpu_calibration_ms) of a fixed piece of Python work, median of
    7: on a machine shared with other work, a core's CPU time for the same work grows (caches, a core's
    sibling busy), and HQ's CPU per cycle with it, though HQ's code did not change."""
    times = []
    for _ in range(7):
        t0 = time.thread_time()
        sum(range(1_000_000))
        times.append((time.thread_time() - t0) * 1000)
    return sorted(times)[3]


def uptime() -> str:
    return Path("/proc/loadavg").read_text().strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fleet")
    parser.add_argument("--tills", type=int, default=200)
    parser.add_argument("--db", default="sqlite", help="sqlite, or a PostgreSQL URL (a scratch database is made)")
    parser.add_argument("--workers", type=int, default=2, help="hq-server serve --workers")
    parser.add_argument("--seconds", type=float, default=20, help="length of each measured phase")
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--cadence", type=float, default=0, help="seconds between a till's cycles (0: flat out)")
    parser.add_argument("--threads", type=int, default=16, help="cycles in flight at most")
    parser.add_argument("--busy", type=float, default=0.5, help="share of busy cycles in the mixed phase")
    parser.add_argument("--tills-per-store", type=int, default=2)
    parser.add_argument("--members", type=int, default=20, help="members per store")
    parser.add_argument("--phases", default="mixed,busy,idle")
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args(argv)
    if args.tills < 1 or args.threads < 1 or not 0 <= args.busy <= 1:
        parser.error("--tills and --threads must be at least 1, --busy within 0..1")
    shares = {"mixed": args.busy, "busy": 1.0, "idle": 0.0}
    phases = [p for p in args.phases.split(",") if p]
    if not phases or set(phases) - set(shares):
        parser.error(f"--phases: a comma-separated list of {', '.join(shares)}")
    work_start = cpu_work_ms()
    with scratch_database(args.db) as url:
        log(f"database {url.rsplit('/', 1)[-1]}; hq-server with {args.workers} workers")
        with hq_process(url, args.workers) as (base, proc), httpx.Client(base_url=base, timeout=60) as admin:
            r = admin.post("/api/v1/admin/login", json={"username": "admin", "password": PASSWORD})
            r.raise_for_status()
            admin.headers["Authorization"] = f"Bearer {r.json()['token']}"
            log(f"enrolling {args.tills} tills")
            tills = enrol_fleet(admin, args.tills, args.tills_per_store, args.members, args.seed)
            fleet = Fleet(base, tills, args.threads, args.cadence, args.seed)
            pg = (lambda: NoCPU()) if url.startswith("sqlite") else (lambda: PostgresCPU(url))
            log(f"warming up for {args.warmup} s")
            fleet.run(Phase("warmup", args.busy), args.warmup)
            results = [measure(fleet, Phase(name, shares[name]), args.seconds, proc.pid, pg()) for name in phases]
    top = dict(results[0])
    by = {r["phase"]: r for r in results}
    top.update({"tills": args.tills, "workers": args.workers, "threads": args.threads, "cadence_s": args.cadence,
                "db": "sqlite" if url.startswith("sqlite") else "postgresql",
                "hq_cpu_ms_per_busy_cycle": by.get("busy", {}).get("hq_cpu_ms_per_cycle"),
                "hq_cpu_ms_per_idle_cycle": by.get("idle", {}).get("hq_cpu_ms_per_cycle"),
                "errors_all_phases": sum(r["errors"] for r in results),
                "phases": {r["phase"]: r for r in results}, "loadavg_end": uptime(), "cpus": os.cpu_count(),
                "cpu_calibration_ms": round(cpu_calibration_ms(), 1),
                "cpu_work_ms": [round(work_start, 1), round(cpu_work_ms(), 1)]})
    print(json.dumps(top), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
