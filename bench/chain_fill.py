"""A chain of 50 stores, a million members and ten million sale events in a PostgreSQL database kept
between runs (`bench` on the --db server), for the console and mall benches.

    url = bench_database("postgresql+psycopg://postgres@127.0.0.1:5432/test", members=1_000_000,
                         events=10_000_000)

The database is made when missing, migrated to head every time, and filled once: a row in bench_fill
(a table of the bench's own, unknown to HQ) records what it holds, so a second run with the same sizes
skips straight to the measuring. Different sizes empty the chain's tables and fill again.

Fast on a busy 2-CPU machine: members go in by COPY (their card numbers and referral codes made as the
tills make them, so a member code or a card scan finds them); events, postings and balances are made by
the server itself (INSERT ... SELECT over generate_series), with the tables' secondary indexes and unique
constraints dropped during the load and made again after it. Member ids are md5('m' || k) as a uuid,
so the SQL that picks a member for an event and the Python that wrote the member agree.

What the events are: 95% sales (`earn`: paid_fen 5-500 yuan, a point per yuan, from the store's issued
account to the member), 5% gift redemptions (`redeem_post` of one of 20 gifts, from the member to the
store's redeemed account); device times spread over the last 60 days; stores unevenly busy (store k's
share falls with k); members picked at random (about ten events each).
"""

from __future__ import annotations

import hashlib
import random
import sys
import time
import uuid
from datetime import datetime, timedelta

import psycopg

STORES = 50
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红鹏辉建国文斌宇浩凯婷雪琳晶颖"
BULK_TABLES = ("members", "events", "postings", "balances")


def log(msg: str) -> None:
    print(f"[bench.fill] {msg}", file=sys.stderr, flush=True)


def member_id(k: int) -> str:
    return str(uuid.UUID(hashlib.md5(f"m{k}".encode()).hexdigest()))


def store_id(k: int) -> str:
    return f"s{k:03d}"


def member_phone(k: int) -> str:
    """Distinct phones, spread over the prefixes 13x-19x like a real chain's."""
    return f"1{3 + k % 7}{(k * 7919) % 10**9:09d}"


def member_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)


def raw(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def bench_database(server_url: str, members: int, events: int, name: str = "bench") -> str:
    """The URL of the filled bench database on server_url's server (made, migrated and filled as needed)."""
    from hq_server.db import migrate
    with psycopg.connect(raw(server_url), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    url = server_url.rsplit("/", 1)[0] + "/" + name
    t = time.monotonic()
    migrate(url)
    log(f"migrated in {time.monotonic() - t:.0f} s")
    with psycopg.connect(raw(url), autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bench_fill (members bigint, events bigint, filled_at timestamp)")
        row = conn.execute("SELECT members, events, filled_at FROM bench_fill").fetchone()
        if row and row[0] == members and row[1] == events:
            log(f"{name} holds {members:,} members and {events:,} events (filled {row[2]:%Y-%m-%d %H:%M}): no fill")
            return url
        fill(conn, members, events)
        rebuild_rollup(url)
        conn.execute("DELETE FROM bench_fill")
        conn.execute("INSERT INTO bench_fill VALUES (%s, %s, now() AT TIME ZONE 'UTC')", (members, events))
    return url


def _drop_secondary(conn: psycopg.Connection, table: str) -> list[str]:
    """Drop table's keys, unique constraints and indexes; the statements that make them again (an index
    built over the loaded rows at once is several times faster than one kept up row by row)."""
    again = []
    for name, definition in conn.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
            "AND contype IN ('p', 'u')", (table,)).fetchall():
        conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        again.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for name, definition in conn.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = %s::regclass", (table,)).fetchall():
        conn.execute(f"DROP INDEX {name}")
        again.append(definition)
    return again


def fill(conn: psycopg.Connection, members: int, events: int) -> None:
    """Empty the chain's tables and fill them (conn: autocommit)."""
    now = datetime.utcnow().replace(microsecond=0)
    conn.execute("SET maintenance_work_mem = '256MB'")
    conn.execute("TRUNCATE members, events, postings, balances, lots, follows, feed, devices, stores, "
                 "member_sessions")
    # the rollup HQ keeps of the ledger (if this HQ has one) is made again from the filled ledger below
    again = [s for t in BULK_TABLES for s in _drop_secondary(conn, t)]
    with conn.cursor() as cur:
        with cur.copy("COPY stores (store_id, name, created_at) FROM STDIN") as cp:
            for k in range(STORES):
                cp.write_row((store_id(k), f"门店 {k:03d}", now - timedelta(days=400)))
        with cur.copy("COPY devices (device_id, store_id, name, key_hash, created_at, last_seen) FROM STDIN") as cp:
            for k in range(STORES):
                cp.write_row((str(uuid.UUID(hashlib.md5(f"d{k}".encode()).hexdigest())), store_id(k), "till-1", "-",
                              now - timedelta(days=400), now))
    from pos_app.domain.members import card_no_for, referral_code_for
    rng = random.Random(14)
    t = time.monotonic()
    with conn.cursor() as cur, cur.copy("COPY members (member_id, phone, name, tier, card_no, referral_code, "
                                        "home_store, created_at, updated_seq, extra) FROM STDIN") as cp:
        for k in range(members):
            m = member_id(k)
            cp.write_row((m, member_phone(k), member_name(rng), "basic", card_no_for(m), referral_code_for(m),
                          store_id(k % STORES), now - timedelta(minutes=rng.randrange(60 * 24 * 90)), k + 1, "{}"))
    log(f"{members:,} members in {time.monotonic() - t:.0f} s")
    t = time.monotonic()
    conn.execute("SELECT setseed(0.14)")
    conn.execute(f"""
        INSERT INTO events (event_id, hq_seq, store_id, device_id, device_seq, kind, device_time, received_at,
                            staff_id, rule_version, member_id, payload, payload_hash, status, flags)
        SELECT md5('e' || n)::uuid::text, {members} + n, 's' || lpad(st::text, 3, '0'), md5('d' || st)::uuid::text,
               n, CASE WHEN r < 0.95 THEN 'earn' ELSE 'redeem_post' END, at, at, 'staff-1', 1,
               md5('m' || mk)::uuid::text,
               CASE WHEN r < 0.95 THEN '{{"paid_fen": ' || paid || ', "points": ' || greatest(paid / 100, 1) || '}}'
                    ELSE '{{"gift_id": "G' || lpad(gift::text, 2, '0') || '", "qty": 1, "points": '
                         || (gift + 1) * 100 || '}}' END,
               repeat('0', 64), 'applied', ''
        FROM (SELECT n, floor({STORES} * power(random(), 1.5))::int AS st, floor(random() * {members})::int AS mk,
                     random() AS r, 500 + floor(random() * 49500)::int AS paid, floor(20 * power(random(), 2))::int AS gift,
                     %s::timestamp - random() * interval '60 days' AS at
              FROM generate_series(1, {events}) AS n) AS x""", (now,))
    log(f"{events:,} events in {time.monotonic() - t:.0f} s")
    t = time.monotonic()
    conn.execute("""
        INSERT INTO postings (event_id, account, amount)
        SELECT event_id, a, amt FROM (
            SELECT event_id, store_id, member_id, kind, (payload::jsonb ->> 'points')::bigint AS pts FROM events) AS e,
        LATERAL (VALUES
            (CASE WHEN kind = 'earn' THEN 'store:' || store_id || ':issued' ELSE 'member:' || member_id || ':consumer' END,
             -pts),
            (CASE WHEN kind = 'earn' THEN 'member:' || member_id || ':consumer' ELSE 'store:' || store_id || ':redeemed' END,
             pts)) AS p(a, amt)""")
    conn.execute("INSERT INTO balances (account, balance) SELECT account, sum(amount) FROM postings GROUP BY account")
    log(f"{2 * events:,} postings and their balances in {time.monotonic() - t:.0f} s")
    conn.execute("UPDATE devices d SET acked_max_seq = x.hi, acked_count = x.n FROM "
                 "(SELECT device_id, max(device_seq) AS hi, count(*) AS n FROM events GROUP BY device_id) AS x "
                 "WHERE d.device_id = x.device_id")
    conn.execute("UPDATE hq_counter SET value = %s WHERE name = 'seq'", (members + events + 1,))
    t = time.monotonic()
    for statement in again:
        conn.execute(statement)
    log(f"indexes made again in {time.monotonic() - t:.0f} s")
    t = time.monotonic()
    conn.execute("VACUUM ANALYZE")
    log(f"vacuumed and analyzed in {time.monotonic() - t:.0f} s")


def rebuild_rollup(url: str) -> None:
    """HQ's dashboard rollup made again from the ledger just filled."""
    from sqlalchemy import create_engine

    from hq_server.programme import dashboard_rollup
    t = time.monotonic()
    engine = create_engine(url)
    try:
        with engine.begin() as c:
            dashboard_rollup.rebuild(c)
    finally:
        engine.dispose()
    log(f"dashboard rollup made from the ledger in {time.monotonic() - t:.0f} s")


def sample(url: str, n: int, seed: int = 5) -> list[tuple[str, str, str]]:
    """n members of the bench database: (member_id, phone, name)."""
    with psycopg.connect(raw(url)) as conn:
        total = conn.execute("SELECT members FROM bench_fill").fetchone()[0]  # type: ignore[index]
        ks = random.Random(seed).sample(range(total), n)
        ids = [member_id(k) for k in ks]
        rows = conn.execute("SELECT member_id, phone, name FROM members WHERE member_id = ANY(%s)", (ids,)).fetchall()
    return sorted(rows, key=lambda r: ids.index(r[0]))
