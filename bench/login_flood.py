"""Memory under a flood of wrong logins: HQ's RSS must stay within 100 MB of idle.

    python -m bench.login_flood [--clients 200] [--seconds 30] [--workers 2] [--db sqlite|postgresql+psycopg://...]

A real `hq-server serve` (--workers processes) on a loopback port. The flood is the worst case for
memory: every request a new username from a new client address (HQ trusts the bench as its proxy, so
X-Forwarded-For sets the address), so no throttle ever stops one and each wants a password hash
(~64 MiB of argon2). `--clients` connections send such logins back to back for `--seconds`.

The server's RSS is the sum over its process group (uvicorn's parent and workers), read from /proc
every 100 ms. idle_rss_mb: after start, a right login and a wrong one (argon2 loaded, each worker
warm). peak_over_idle_mb = peak - idle: the target is <= 100.

Then, with no flood, known_ms_p50 / unknown_ms_p50: the median time of a wrong password for a real
username and for a made-up one (30 each, interleaved), which must not tell them apart.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench admin password"


def group_rss_mb(pgid: int) -> float:
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid:  # field 5 of stat: the process group
                continue
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            continue
    return total / 2**20


class Sampler(threading.Thread):
    def __init__(self, pgid: int):
        super().__init__(daemon=True)
        self.pgid, self.peak, self.stop = pgid, 0.0, threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.peak = max(self.peak, group_rss_mb(self.pgid))
            time.sleep(0.1)


def start_server(db_url: str, port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "HQ_DATABASE_URL": db_url, "HQ_ADMIN_PASSWORD": PASSWORD, "PYTHONPATH": str(ROOT),
           "HQ_TRUSTED_PROXIES": '["127.0.0.1"]', "HQ_LOGIN_SLOTS_DIR": tempfile.mkdtemp(prefix="hq-slots-")}
    proc = subprocess.Popen([sys.executable, "-m", "hq_server.cli", "serve", "--port", str(port),
                             "--workers", str(workers)], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    raise RuntimeError("hq-server did not start")


def login(url: str, username: str, password: str) -> httpx.Response:
    return httpx.post(url + "/api/v1/admin/login", json={"username": username, "password": password},
                      headers={"X-Forwarded-For": f"10.9.{secrets.randbelow(250)}.{secrets.randbelow(250)}"},
                      timeout=60)


async def flood(url: str, clients: int, seconds: float) -> Counter:
    statuses: Counter = Counter()
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=120) as client:
        async def one_client() -> None:
            while time.monotonic() < deadline:
                addr = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
                try:
                    r = await client.post("/api/v1/admin/login", headers={"X-Forwarded-For": addr},
                                          json={"username": f"x-{secrets.token_hex(6)}", "password": "guess"})
                    statuses[r.status_code] += 1
                except httpx.HTTPError as exc:
                    statuses[type(exc).__name__] += 1
        await asyncio.gather(*(one_client() for _ in range(clients)))
    return statuses


def timing(url: str, rounds: int = 30) -> tuple[float, float]:
    """Median ms of a wrong password for the real 'admin' and for made-up names, interleaved. The real
    name is given a fresh address each time and the throttle's per-name count is kept low by a right
    login every 4 tries."""
    known, unknown = [], []
    for i in range(rounds):
        for name, into in (("admin", known), (f"nobody-{secrets.token_hex(4)}", unknown)):
            t = time.perf_counter()
            r = login(url, name, "not the password")
            into.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 401, r.text
        if i % 4 == 3:
            assert login(url, "admin", PASSWORD).status_code == 200
    return statistics.median(known), statistics.median(unknown)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.login_flood")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--db", default="sqlite")
    args = parser.parse_args(argv)
    from bench.sync import scratch_database  # the same scratch databases as the sync bench
    with scratch_database(args.db) as db_url:
        port = free_port()
        proc = start_server(db_url, port, args.workers)
        url = f"http://127.0.0.1:{port}"
        try:
            assert login(url, "admin", PASSWORD).status_code == 200
            for _ in range(args.workers * 2):
                login(url, f"warm-{secrets.token_hex(3)}", "x")
            time.sleep(1)
            idle = group_rss_mb(proc.pid)
            sampler = Sampler(proc.pid)
            sampler.start()
            started = time.monotonic()
            statuses = asyncio.run(flood(url, args.clients, args.seconds))
            elapsed = time.monotonic() - started
            sampler.stop.set()
            sampler.join()
            after = group_rss_mb(proc.pid)
            known_ms, unknown_ms = timing(url)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    result = {"clients": args.clients, "seconds": round(elapsed, 1), "workers": args.workers,
              "db": "postgresql" if args.db.startswith("postgresql") else "sqlite",
              "requests": sum(statuses.values()), "by_status": {str(k): v for k, v in sorted(statuses.items(),
                                                                                            key=str)},
              "idle_rss_mb": round(idle, 1), "peak_rss_mb": round(sampler.peak, 1),
              "after_rss_mb": round(after, 1), "peak_over_idle_mb": round(sampler.peak - idle, 1),
              "target_over_idle_mb": 100, "known_ms_p50": round(known_ms, 1), "unknown_ms_p50": round(unknown_ms, 1)}
    print(json.dumps(result), flush=True)
    return 0


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


if __name__ == "__main__":
    sys.exit(main())
