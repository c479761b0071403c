"""The HQ console under load, on PostgreSQL: member search, the dashboard, and every page with 20 staff
signed in at once.

    python -m bench.console --db postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        [--members 1000000] [--events 10000000] [--sessions 20] [--seconds 30] [--think 3]

The chain lives in the database `bench` on --db's server, filled once and kept between runs
(bench.chain_fill: 50 stores with a till each, --members members, --events sales and gift redemptions
over 60 days, their postings and balances; a run with other sizes fills it again). A real
`hq-server serve` (--workers 2) answers; the bench signs in through the console's own form.

What it models: the search and dashboard figures are one staff member at a time (the page's own cost).
The load phase is --sessions staff signed in at once, each opening a page, reading it for --think
seconds on average (uniform 0.2x-1.8x: staff click, read, then click again), and so on for --seconds;
--think 0 makes them fire pages back to back, a stress test of 20 requests always in flight rather
than 20 people.

Figures (the last line, one JSON object):
  member_search_p95_ms  GET /console/members?q=... for 50 phone prefixes and 50 name prefixes, one at a time
  dashboard_ms          GET /console/dashboard?period=30d, chain-wide (median of 3, after a warm-up)
  page_p95_ms           the slowest page's p95 while --sessions signed-in staff load every page for --seconds
  pages                 each page's p95 under that load (members' pages, searches and stores' pages pooled)
  hq_cpu_ms_per_request, pg_cpu_ms_per_request
                        CPU (utime+stime from /proc) of the HQ processes and of PostgreSQL's backends of
                        the database, per request of the load phase: what a page costs, whatever the queueing
  cpu_ms_per_page       HQ CPU per request of each page, one staff member at a time (--cpu-rounds each)
  load_avg_start/end    the machine's load average (1, 5, 15 min) around the run (2 CPUs, shared)
Targets (issue 14): member_search_p95_ms <= 50, dashboard_ms <= 300, page_p95_ms <= 100.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import statistics
import sys
import threading
import time

import httpx

from bench.chain_fill import bench_database, sample as members_sample
from bench.fleet import PostgresCPU, group_cpu_seconds
from bench.login_flood import PASSWORD, free_port, start_server



def log(msg: str) -> None:
    print(f"[bench.console] {msg}", file=sys.stderr, flush=True)


class Staff:
    def __init__(self, url: str):
        self.http = httpx.Client(base_url=url, timeout=60,
                                 headers={"X-Forwarded-For": f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.1"})
        form = self.http.get("/console/login")
        token = re.search(r'name="csrf" value="([^"]+)"', form.text)
        if token is None:
            raise RuntimeError("no sign-in form")
        r = self.http.post("/console/login", data={"csrf": token.group(1), "username": "admin", "password": PASSWORD})
        if r.status_code != 303:
            raise RuntimeError(f"sign-in refused: {r.status_code}")

    def timed(self, path: str) -> float:
        """One page's time to its last byte (a status other than 200 stops the bench)."""
        t = time.perf_counter()
        r = self.http.get(path)
        ms = (time.perf_counter() - t) * 1000
        if r.status_code != 200:
            raise RuntimeError(f"{path}: {r.status_code}")
        return ms


def p95(values: list[float]) -> float:
    values = sorted(values)
    return round(values[max(0, int(len(values) * 0.95) - 1)], 1)


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
                        help="a PostgreSQL server's URL; the bench's data is kept in its database 'bench'")
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--think", type=float, default=3.0,
                        help="a staff member's mean pause between pages, seconds (uniform 0.2x-1.8x); 0: back to back")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--bench-db", default="bench", help="the database on --db's server that keeps the chain")
    parser.add_argument("--cpu-rounds", type=int, default=10, help="requests of each page for cpu_ms_per_page")
    args = parser.parse_args()
    if not args.db.startswith("postgresql"):
        parser.error("the console bench runs on PostgreSQL (--db postgresql+psycopg://...)")
    db_url = bench_database(args.db, args.members, args.events, args.bench_db)
    sample = members_sample(db_url, 200)
    port = free_port()
    proc = start_server(db_url, port, args.workers)
    url = f"http://127.0.0.1:{port}"
    load_start = load()
    try:
        one = Staff(url)
        rng = random.Random(5)
        searches = [m[1][:rng.choice((5, 6, 7))] for m in rng.sample(sample, 50)] + \
                   [m[2][:2] for m in rng.sample(sample, 50)]
        one.timed("/console/members?q=138")  # warm-up
        search = [one.timed(f"/console/members?q={q}") for q in searches]
        one.timed("/console/dashboard?period=30d")
        dashboard = statistics.median(one.timed("/console/dashboard?period=30d") for _ in range(3))
        log(f"search p95 {p95(search)} ms, dashboard {dashboard:.1f} ms; {args.sessions} staff for {args.seconds} s")
        pages = ["/console/", "/console/members", "/console/conflicts", "/console/programme/product",
                 "/console/stores", "/console/users", "/console/audit", "/console/members/approvals",
                 "/console/programme/rules", "/console/dashboard?period=today", "/console/dashboard?period=30d",
                 *[f"/console/members/{m[0]}" for m in sample[:20]], "/console/stores/s001",
                 *[f"/console/members?q={q}" for q in searches[::10]]]
        per_page_cpu: dict[str, float] = {}
        for page in dict.fromkeys(re.sub(r"\?q=.*", "?q=138", p) for p in pages
                                  if not re.search(r"/console/members/[0-9a-f-]{36}$", p)):
            one.timed(page)
            c0 = group_cpu_seconds(proc.pid)
            for _ in range(args.cpu_rounds):
                one.timed(page)
            per_page_cpu[page] = round((group_cpu_seconds(proc.pid) - c0) * 1000 / args.cpu_rounds, 1)
        c0 = group_cpu_seconds(proc.pid)
        for m in sample[:args.cpu_rounds]:
            one.timed(f"/console/members/{m[0]}")
        per_page_cpu["/console/members/{id}"] = round((group_cpu_seconds(proc.pid) - c0) * 1000 / args.cpu_rounds, 1)
        log(f"HQ CPU ms per request, one at a time: {per_page_cpu}")
        staff = [Staff(url) for _ in range(args.sessions)]
        times: dict[str, list[float]] = {}
        lock = threading.Lock()
        stop = time.monotonic() + args.seconds

        def work(s: Staff) -> None:
            r = random.Random(id(s))
            if args.think:
                time.sleep(r.uniform(0, 2 * args.think))  # the staff arrive spread out, not in step
            while time.monotonic() < stop:
                page = r.choice(pages)
                ms = s.timed(page)
                key = re.sub(r"/console/members/[0-9a-f-]{36}$", "/console/members/{id}", page)
                key = re.sub(r"\?q=.*", "?q={search}", key)
                with lock:
                    times.setdefault(key, []).append(ms)
                if args.think:
                    time.sleep(r.uniform(0.2, 1.8) * args.think)
        threads = [threading.Thread(target=work, args=(s,)) for s in staff]
        hq0 = group_cpu_seconds(proc.pid)
        with PostgresCPU(db_url) as pg:
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        hq_cpu = group_cpu_seconds(proc.pid) - hq0
        requests = sum(len(v) for v in times.values())
        per_page = {k: p95(v) for k, v in sorted(times.items())}
        figures = {"members": args.members, "events": args.events, "sessions": args.sessions,
                   "think_s": args.think, "seconds": args.seconds, "workers": args.workers,
                   "member_search_p95_ms": p95(search), "dashboard_ms": round(dashboard, 1),
                   "page_p95_ms": max(per_page.values()), "requests": requests, "pages": per_page,
                   "hq_cpu_ms_per_request": round(hq_cpu * 1000 / max(1, requests), 1),
                   "pg_cpu_ms_per_request": round(pg.seconds() * 1000 / max(1, requests), 1),
                   "cpu_ms_per_page": per_page_cpu,
                   "load_avg_start": load_start, "load_avg_end": load(), "cpus": os.cpu_count()}
    finally:
        import signal
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
