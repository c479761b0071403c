"""The HQ console under load, on PostgreSQL: member search, the dashboard, and every page with 20 staff
signed in at once.

    python -m bench.console --db postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        [--members 1000000] [--events 10000000] [--sessions 20] [--seconds 20]

A scratch database (made beside --db and dropped after) is migrated, then filled with COPY: 50 stores
with a till each, --members members, --events sale events (each posting points from its store to a
member, with the sale's paid_fen), their balances. A real `hq-server serve` (2 workers) answers; the
bench signs in through the console's own form.

Figures (the last line, one JSON object):
  member_search_p95_ms  GET /console/members?q=... for 50 phone prefixes and 50 name prefixes, one at a time
  dashboard_ms          GET /console/dashboard?period=30d, chain-wide (median of 3, after a warm-up)
  page_p95_ms           the slowest page's p95 while --sessions signed-in staff load every page for --seconds
  pages                 each page's p95 under that load
Targets (issue 14): member_search_p95_ms <= 50, dashboard_ms <= 300, page_p95_ms <= 100.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import secrets
import statistics
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta

import httpx

from bench.login_flood import PASSWORD, free_port, start_server
from bench.sync import scratch_database

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红鹏辉建国文斌宇浩凯婷雪琳晶颖"
STORES = 50


def log(msg: str) -> None:
    print(f"[bench.console] {msg}", file=sys.stderr, flush=True)


def fill(db_url: str, members: int, events: int) -> list[tuple[str, str, str]]:
    """COPY the chain into the scratch database; a sample of (member_id, phone, name) comes back."""
    import psycopg
    raw = db_url.replace("postgresql+psycopg://", "postgresql://", 1)
    rng = random.Random(14)
    now = datetime.utcnow().replace(microsecond=0)
    stores = [f"s{i:03d}" for i in range(STORES)]
    devices = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in stores]
    ids, sample = [], []
    # postings go through a second connection: one connection carries one COPY at a time
    with psycopg.connect(raw) as conn, psycopg.connect(raw) as conn2:
        with conn.cursor() as cur:
            with cur.copy("COPY stores (store_id, name, created_at) FROM STDIN") as cp:
                for s in stores:
                    cp.write_row((s, f"门店 {s}", now - timedelta(days=400)))
            with cur.copy("COPY devices (device_id, store_id, name, key_hash, created_at, last_seen) FROM STDIN") as cp:
                for s, d in zip(stores, devices):
                    cp.write_row((d, s, "till-1", "-", now - timedelta(days=400), now))
            t = time.monotonic()
            with cur.copy("COPY members (member_id, phone, name, tier, card_no, home_store, created_at, updated_seq, "
                          "extra) FROM STDIN") as cp:
                for i in range(members):
                    m = str(uuid.UUID(int=rng.getrandbits(128)))
                    phone = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
                    name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
                    ids.append(m)
                    if i % max(1, members // 200) == 0:
                        sample.append((m, phone, name))
                    cp.write_row((m, phone, name, "basic", f"{rng.randrange(10**12):012d}", rng.choice(stores),
                                  now - timedelta(minutes=rng.randrange(60 * 24 * 90)), i + 1, "{}"))
            log(f"{members} members in {time.monotonic() - t:.0f} s")
            t = time.monotonic()
            balances: dict[str, int] = {}
            seqs = {d: 0 for d in devices}
            with cur.copy("COPY events (event_id, hq_seq, store_id, device_id, device_seq, kind, device_time, "
                          "received_at, staff_id, rule_version, member_id, payload, payload_hash, status, flags) "
                          "FROM STDIN") as ev, \
                    conn2.cursor().copy("COPY postings (event_id, account, amount) FROM STDIN") as po:
                for n in range(events):
                    k = rng.randrange(STORES)
                    store, device, member = stores[k], devices[k], ids[rng.randrange(members)]
                    seqs[device] += 1
                    paid = rng.randrange(500, 50_000)
                    points = paid // 100 or 1
                    eid = str(uuid.UUID(int=rng.getrandbits(128)))
                    at = now - timedelta(seconds=rng.randrange(60 * 60 * 24 * 60))
                    ev.write_row((eid, members + n + 1, store, device, seqs[device], "earn", at, at, "staff-1", 1,
                                  member, json.dumps({"paid_fen": paid, "points": points}), "0" * 64, "applied", ""))
                    issued, acct = f"store:{store}:issued", f"member:{member}:consumer"
                    po.write_row((eid, issued, -points))
                    po.write_row((eid, acct, points))
                    balances[issued] = balances.get(issued, 0) - points
                    balances[acct] = balances.get(acct, 0) + points
            log(f"{events} events, {2 * events} postings in {time.monotonic() - t:.0f} s")
            with cur.copy("COPY balances (account, balance) FROM STDIN") as cp:
                for a, b in balances.items():
                    cp.write_row((a, b))
            for d, s in seqs.items():
                cur.execute("UPDATE devices SET acked_max_seq = %s, acked_count = %s WHERE device_id = %s", (s, s, d))
            cur.execute("UPDATE hq_counter SET value = %s WHERE name = 'seq'", (members + events + 1,))
        conn2.commit()
        conn.commit()
        conn.autocommit = True
        t = time.monotonic()
        conn.execute("VACUUM ANALYZE")
        log(f"analyzed in {time.monotonic() - t:.0f} s")
    return sample


class Staff:
    def __init__(self, url: str):
        self.http = httpx.Client(base_url=url, timeout=60,
                                 headers={"X-Forwarded-For": f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.1"})
        form = self.http.get("/console/login")
        token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        r = self.http.post("/console/login", data={"csrf": token, "username": "admin", "password": PASSWORD})
        if r.status_code != 303:
            raise RuntimeError(f"sign-in refused: {r.status_code}")

    def timed(self, path: str) -> float:
        t = time.perf_counter()
        r = self.http.get(path)
        ms = (time.perf_counter() - t) * 1000
        if r.status_code != 200:
            raise RuntimeError(f"{path}: {r.status_code}")
        return ms


def p95(values: list[float]) -> float:
    values = sorted(values)
    return round(values[max(0, int(len(values) * 0.95) - 1)], 1)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    if not args.db.startswith("postgresql"):
        parser.error("the console bench runs on PostgreSQL (--db postgresql+psycopg://...)")
    from hq_server.db import migrate
    with scratch_database(args.db) as db_url:
        migrate(db_url)
        sample = fill(db_url, args.members, args.events)
        port = free_port()
        proc = start_server(db_url, port, 2)
        url = f"http://127.0.0.1:{port}"
        try:
            one = Staff(url)
            rng = random.Random(5)
            searches = [m[1][:rng.choice((5, 6, 7))] for m in rng.sample(sample, 50)] + \
                       [m[2][:2] for m in rng.sample(sample, 50)]
            one.timed("/console/members?q=138")  # warm-up
            search = [one.timed(f"/console/members?q={q}") for q in searches]
            one.timed("/console/dashboard?period=30d")
            dashboard = statistics.median(one.timed("/console/dashboard?period=30d") for _ in range(3))
            pages = ["/console/", "/console/members", "/console/conflicts", "/console/programme/product",
                     "/console/stores", "/console/users", "/console/audit", "/console/members/approvals",
                     "/console/programme/rules", "/console/dashboard?period=today",
                     *[f"/console/members/{m[0]}" for m in sample[:20]], "/console/stores/s001"]
            staff = [Staff(url) for _ in range(args.sessions)]
            times: dict[str, list[float]] = {}
            lock = threading.Lock()
            stop = time.monotonic() + args.seconds

            def work(s: Staff) -> None:
                r = random.Random(id(s))
                while time.monotonic() < stop:
                    page = r.choice(pages)
                    ms = s.timed(page)
                    key = "/console/members/{id}" if page.startswith("/console/members/0") or \
                        re.match(r"/console/members/[0-9a-f-]{36}$", page) else page
                    with lock:
                        times.setdefault(key, []).append(ms)
            threads = [threading.Thread(target=work, args=(s,)) for s in staff]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            per_page = {k: p95(v) for k, v in sorted(times.items())}
            figures = {"members": args.members, "events": args.events, "sessions": args.sessions,
                       "member_search_p95_ms": p95(search), "dashboard_ms": round(dashboard, 1),
                       "page_p95_ms": max(per_page.values()), "requests": sum(len(v) for v in times.values()),
                       "pages": per_page}
        finally:
            import os
            import signal
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
