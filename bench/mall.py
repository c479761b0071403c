"""The members' mall under a crowd: many members browsing at once against a chain of a million members.

    python -m bench.mall --db postgresql+psycopg://postgres@127.0.0.1:5432/test
    python -m bench.mall --db ... --members 1000000 --concurrent 500 --seconds 60 --workers 2

--db: a PostgreSQL URL (a scratch database hq_bench_<random> is made on that server and dropped
afterwards: bench.sync.scratch_database). HQ is a real `hq-server serve --workers K` subprocess
(bench.sync.hq_process), which makes the schema. The members are filled in bulk with PostgreSQL's
COPY (ids, phones, cards and referral codes as the tills make them); --concurrent of them get a
signed-in mall session each (a member_sessions row, as an SMS sign-in leaves), so the crowd starts
browsing without texting. Each simulated member then loops for --seconds: a page of the mall (home,
statement, member code, scan, lottery, game, donation, invitations, me) as soon as the last one
answered. A page is an error when it fails or answers anything but 200.

Last line on stdout, one JSON object: page_p50_ms, page_p95_ms, page_p99_ms, pages, pages_per_s, errors,
first_load_kb (the home page and everything it loads, over the wire, on an empty cache: HTML and its
own stylesheets and scripts, the manifest and icons), and order_p95_ms / oversold as null: the
mall's exchange orders are not built yet (issue 13's gift orders), so nothing is ordered here.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone

import httpx

from bench.sync import hq_process, scratch_database
from hq_server.security import new_secret, secret_hash
from pos_app.domain.members import card_no_for, referral_code_for

PAGES = ("/m/", "/m/statement", "/m/code", "/m/scan", "/m/lottery", "/m/game", "/m/donate", "/m/invite", "/m/me")
COOKIE = "pm_member"


def log(msg: str) -> None:
    print(f"[bench.mall] {msg}", file=sys.stderr, flush=True)


def fill(url: str, members: int, signed_in: int) -> list[str]:
    """`members` members by COPY; the first `signed_in` of them with a live session: their tokens."""
    import psycopg
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    tokens = []
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1)) as conn:
        with conn.cursor() as cur:
            with cur.copy("COPY members (member_id, phone, name, tier, card_no, referral_code, home_store, "
                          "created_at, extra, updated_seq) FROM STDIN") as copy:
                for i in range(members):
                    member_id = str(uuid.UUID(int=random.getrandbits(128), version=4))
                    if i < signed_in:
                        token = new_secret()
                        tokens.append((member_id, token))
                    copy.write_row((member_id, f"13{i:09d}", f"会员{i % 10000:04d}", "basic", card_no_for(member_id),
                                    referral_code_for(member_id), "hq", now, "{}", 0))
            with cur.copy("COPY member_sessions (token_hash, member_id, created_at, signed_in_at, expires_at) "
                          "FROM STDIN") as copy:
                for member_id, token in tokens:
                    copy.write_row((secret_hash(token), member_id, now, now, now + timedelta(days=1)))
        conn.commit()
        with conn.cursor() as cur:
            cur.execute("ANALYZE members")
            cur.execute("ANALYZE member_sessions")
        conn.commit()
    return [t for _, t in tokens]


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


async def crowd(base: str, tokens: list[str], seconds: float) -> tuple[list[float], int]:
    times: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=len(tokens), max_keepalive_connections=len(tokens))
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        end = time.monotonic() + seconds

        async def member(token: str) -> None:
            nonlocal errors
            rng = random.Random(token)
            while time.monotonic() < end:
                path = rng.choice(PAGES)
                t0 = time.perf_counter()
                try:
                    r = await client.get(path, cookies={COOKIE: token})
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                times.append((time.perf_counter() - t0) * 1000)
                errors += not ok

        await asyncio.gather(*(member(t) for t in tokens))
    return times, errors


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    return round(s[min(len(s) - 1, int(p / 100 * len(s)))], 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.mall")
    parser.add_argument("--db", required=True, help="a PostgreSQL URL (a scratch database is made there)")
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--concurrent", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    if not args.db.startswith("postgresql"):
        parser.error("--db is a PostgreSQL URL (the fill uses COPY)")
    with scratch_database(args.db) as url, hq_process(url, args.workers) as (base, _proc):
        t0 = time.monotonic()
        tokens = fill(url, args.members, args.concurrent)
        fill_s = time.monotonic() - t0
        log(f"{args.members:,} members filled in {fill_s:.1f} s; {len(tokens)} signed in")
        first = asyncio.run(first_load_bytes(base, tokens[0]))
        asyncio.run(crowd(base, tokens[:20], 3))  # warm-up: every worker's connections and templates
        t0 = time.monotonic()
        times, errors = asyncio.run(crowd(base, tokens, args.seconds))
        spent = time.monotonic() - t0
    result = {"members": args.members, "concurrent": args.concurrent, "seconds": round(spent, 1),
              "workers": args.workers, "fill_s": round(fill_s, 1), "pages": len(times),
              "pages_per_s": round(len(times) / spent, 1), "page_p50_ms": pct(times, 50),
              "page_p95_ms": pct(times, 95), "page_p99_ms": pct(times, 99), "errors": errors,
              "first_load_kb": round(first / 1024, 1), "order_p95_ms": None, "oversold": None,
              "note": "order_p95_ms and oversold are null: the mall's exchange orders are not built yet"}
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
