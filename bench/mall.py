"""The members' mall under a crowd: many members browsing and ordering at once against a chain of a
million members.

    python -m bench.mall --db postgresql+psycopg://postgres@127.0.0.1:5432/test
    python -m bench.mall --db ... --members 1000000 --concurrent 500 --seconds 60 --think 5 --workers 2

The chain lives in the database `bench` on --db's server (bench.chain_fill: a million members, ten
million events, kept between runs; the console bench uses the same). HQ is a real
`hq-server serve --workers K` subprocess. Each run makes its own: --concurrent members, picked at random
from the million, get a signed-in mall session each (a member_sessions row, as an SMS sign-in leaves) and
500 points by an HQ adjustment (so their orders take points from real lots); two gifts for pickup at
store s001, BENCH-CUP (plenty of stock) and BENCH-RARE (--rare units: the oversold check).

What it models: a member on a phone opens a page, reads it for --think seconds on average (uniform
0.2x-1.8x), then opens the next; members start spread over the first --think*2 seconds. A page is one of
the mall's (home, statement, member code, scan, lottery, game, donation, invitations, me; and the gift
shelf, a gift's page and the orders list when this HQ has them). One view in ten is an order: the gift's
page, then its form posted (BENCH-RARE or BENCH-CUP, half each), timed as order_p95_ms; a placed order
answers 303, a sold-out one 409 with the gift's page (refused, not an error). --think 0 is a stress test
(every member fires its next request the moment the last one answered), not a crowd of people.

Last line on stdout, one JSON object: page_p50/p95/p99_ms, pages, pages_per_s, orders placed and refused,
order_p95_ms, errors (a failure or an unexpected status), oversold (units of BENCH-RARE ordered beyond
its stock, and any location's count below zero), first_load_kb (the home page and everything it loads,
over the wire, on an empty cache: HTML, its stylesheets and scripts, the manifest and icons), the CPU
HQ's processes and the bench database's PostgreSQL backends spent per request during the crowd (from
/proc, as bench.fleet reads it: what a request costs, whatever the queueing), the CPU this bench's own
process spent per request (the 500 members' HTTP clients share the machine's 2 CPUs with HQ), and the load
average around the run (2 CPUs shared with other engineers' tests).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone

import httpx

from bench.chain_fill import bench_database, raw
from bench.chain_fill import sample as members_sample
from bench.fleet import PostgresCPU, group_cpu_seconds
from bench.sync import hq_process
from hq_server.security import new_secret, secret_hash
from hq_server.web.csrf import token_for

PAGES = ("/m/", "/m/statement", "/m/code", "/m/scan", "/m/lottery", "/m/game", "/m/donate", "/m/invite", "/m/me")
SHOP_PAGES = ("/m/mall", "/m/gift/BENCH-CUP", "/m/orders")
COOKIE = "pm_member"
STORE = "s001"
GIFTS = {"BENCH-CUP": 1_000_000, "BENCH-RARE": None}  # units at STORE (None: --rare)


def log(msg: str) -> None:
    print(f"[bench.mall] {msg}", file=sys.stderr, flush=True)


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def prepare(url: str, concurrent: int, rare: int) -> list[str]:
    """The run's members (signed in, with points) and gifts; their session tokens."""
    import psycopg

    from hq_server.db import Database
    from hq_server.programme import adjustments, catalogue, stock
    from hq_server.programme.audit import Actor
    from hq_server.programme.order_tables import orders
    from hq_server.roles import StaffRole
    now = utcnow()
    members = [m for m, _phone, _name in members_sample(url, concurrent, seed=int(time.time()))]
    tokens = [new_secret() for _ in members]
    with psycopg.connect(raw(url)) as conn:
        conn.execute("TRUNCATE member_sessions")
        with conn.cursor() as cur, cur.copy("COPY member_sessions (token_hash, member_id, created_at, signed_in_at, "
                                            "expires_at) FROM STDIN") as copy:
            for member_id, token in zip(members, tokens):
                copy.write_row((secret_hash(token), member_id, now, now, now + timedelta(days=1)))
    db = Database(url)
    try:
        operator = Actor("bench-mall", StaffRole.OPERATOR)
        with db.side_write() as conn:  # a fresh BENCH-RARE each run: the oversold count is this run's
            conn.execute(orders.delete().where(orders.c.gift_id == "BENCH-RARE"))
        for gift, units in GIFTS.items():
            catalogue.put_record(db, type_="gift", key=gift, data={"name": f"测试礼品 {gift}", "points_cost": 10},
                                 now=now)
            have = {s.location: s.qty for s in stock.stock_by_location(db, gift_id=gift)}.get(STORE, 0)
            want = rare if units is None else units
            if have != want:
                stock.allot_stock(db, operator, gift_id=gift, location=STORE, qty=want - have, now=now)
        t = time.monotonic()
        for m in members:
            adjustments.request_adjustment(db, member_id=m, points=500, reason="bench.mall", staff="bench", now=now)
        log(f"{len(members)} members signed in with 500 points each ({time.monotonic() - t:.0f} s)")
    finally:
        db.dispose()
    return tokens


def oversold(url: str, rare: int) -> int:
    import psycopg
    with psycopg.connect(raw(url)) as conn:
        ordered = conn.execute("SELECT coalesce(sum(qty), 0) FROM orders WHERE gift_id = 'BENCH-RARE' "
                               "AND status <> 'cancelled'").fetchone()
        below = conn.execute("SELECT count(*) FROM gift_stock WHERE qty < 0").fetchone()
    return max(0, int(ordered[0]) - rare) + int(below[0])  # type: ignore[index]


async def first_load_bytes(base: str, token: str) -> int:
    """Bytes over the wire for the home page on an empty cache: the page, then what it links to."""
    async with httpx.AsyncClient(base_url=base, cookies={COOKIE: token},
                                 headers={"Accept-Encoding": "gzip, deflate, br"}) as c:
        page = await c.get("/m/")
        total = page.num_bytes_downloaded + sum(len(k) + len(v) + 4 for k, v in page.headers.raw)
        links = set(re.findall(r'(?:href|src)="(/(?:static|m/manifest)[^"]+)"', page.text))
        for path in sorted(links):
            r = await c.get(path)
            total += r.num_bytes_downloaded + sum(len(k) + len(v) + 4 for k, v in r.headers.raw)
    return total


class Crowd:
    def __init__(self, base: str, pages: tuple[str, ...], shop: bool, think: float):
        self.base, self.pages, self.shop, self.think = base, pages, shop, think
        self.page_ms: list[float] = []
        self.order_ms: list[float] = []
        self.placed = self.refused = self.errors = 0
        self.statuses: dict[str, int] = {}

    def _error(self, what: str) -> None:
        self.errors += 1
        self.statuses[what] = self.statuses.get(what, 0) + 1

    async def _get(self, client: httpx.AsyncClient, token: str, path: str) -> None:
        t0 = time.perf_counter()
        try:
            r = await client.get(path, cookies={COOKIE: token})
            ok = r.status_code == 200
            what = f"{path.split('/')[2] or 'home'}:{r.status_code}"
        except httpx.HTTPError as e:
            ok, what = False, type(e).__name__
        self.page_ms.append((time.perf_counter() - t0) * 1000)
        if not ok:
            self._error(what)

    async def _order(self, client: httpx.AsyncClient, token: str, rng: random.Random) -> None:
        gift = rng.choice(list(GIFTS))
        await self._get(client, token, f"/m/gift/{gift}")
        form = {"csrf": token_for(token), "qty": "1", "mode": "pickup", "store_id": STORE, "address_id": "",
                "key": uuid.uuid4().hex}
        t0 = time.perf_counter()
        try:
            r = await client.post(f"/m/gift/{gift}/order", data=form, cookies={COOKIE: token})
            status: int | str = r.status_code
        except httpx.HTTPError as e:
            status = type(e).__name__
        self.order_ms.append((time.perf_counter() - t0) * 1000)
        if status == 303:
            self.placed += 1
        elif status == 409:
            self.refused += 1
        else:
            self._error(f"order:{status}")

    async def run(self, tokens: list[str], seconds: float) -> None:
        limits = httpx.Limits(max_connections=len(tokens), max_keepalive_connections=len(tokens))
        async with httpx.AsyncClient(base_url=self.base, timeout=30, limits=limits) as client:
            end = time.monotonic() + seconds

            async def member(token: str) -> None:
                rng = random.Random(token)
                if self.think:
                    await asyncio.sleep(rng.uniform(0, 2 * self.think))
                while time.monotonic() < end:
                    if self.shop and rng.random() < 0.1:
                        await self._order(client, token, rng)
                    else:
                        await self._get(client, token, rng.choice(self.pages))
                    if self.think:
                        await asyncio.sleep(rng.uniform(0.2, 1.8) * self.think)

            await asyncio.gather(*(member(t) for t in tokens))


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    return round(s[min(len(s) - 1, int(p / 100 * len(s)))], 1)


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.mall")
    parser.add_argument("--db", required=True, help="a PostgreSQL server's URL; the chain is kept in its database "
                                                    "'bench'")
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--concurrent", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=5.0,
                        help="a member's mean pause between pages, seconds (uniform 0.2x-1.8x); 0: back to back")
    parser.add_argument("--rare", type=int, default=20, help="units of BENCH-RARE in stock")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--bench-db", default="bench", help="the database on --db's server that keeps the chain")
    args = parser.parse_args(argv)
    if not args.db.startswith("postgresql"):
        parser.error("--db is a PostgreSQL URL (the fill uses COPY)")
    url = bench_database(args.db, args.members, args.events, args.bench_db)
    with hq_process(url, args.workers) as (base, proc):
        tokens = prepare(url, args.concurrent, args.rare)
        shop = httpx.get(base + "/m/mall", cookies={COOKIE: tokens[0]}).status_code == 200
        pages = PAGES + (SHOP_PAGES if shop else ())
        first = asyncio.run(first_load_bytes(base, tokens[0]))
        asyncio.run(Crowd(base, pages, False, 0).run(tokens[:20], 3))  # warm-up: every worker's connections
        load_start = load()
        crowd = Crowd(base, pages, shop, args.think)
        t0, hq0, me0 = time.monotonic(), group_cpu_seconds(proc.pid), time.process_time()
        with PostgresCPU(url) as pg:
            asyncio.run(crowd.run(tokens, args.seconds))
        spent, hq_cpu = time.monotonic() - t0, group_cpu_seconds(proc.pid) - hq0
        client_cpu = time.process_time() - me0
        load_end = load()
    times = crowd.page_ms
    requests = len(times) + len(crowd.order_ms)
    result = {"members": args.members, "concurrent": args.concurrent, "seconds": round(spent, 1),
              "think_s": args.think, "workers": args.workers, "pages": len(times),
              "pages_per_s": round(len(times) / spent, 1), "page_p50_ms": pct(times, 50),
              "page_p95_ms": pct(times, 95), "page_p99_ms": pct(times, 99), "errors": crowd.errors,
              "error_kinds": crowd.statuses, "first_load_kb": round(first / 1024, 1),
              "orders_placed": crowd.placed, "orders_refused": crowd.refused,
              "order_p95_ms": pct(crowd.order_ms, 95) if shop else None,
              "oversold": oversold(url, args.rare) if shop else None,
              "hq_cpu_ms_per_request": round(hq_cpu * 1000 / max(1, requests), 1),
              "pg_cpu_ms_per_request": round(pg.seconds() * 1000 / max(1, requests), 1),
              "client_cpu_ms_per_request": round(client_cpu * 1000 / max(1, requests), 1),
              "load_avg_start": load_start, "load_avg_end": load_end, "cpus": os.cpu_count()}
    if not shop:
        result["note"] = "this HQ has no mall gift pages: nothing is ordered"
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
