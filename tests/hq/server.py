"""A real HQ server process for tests (store-side sync tests may import this too).

    with postgres_database() as url:                 # or sqlite_url(tmp_path)
        with HQServer(url) as hq:
            device = hq.enrol("store-1")             # {"store_id", "device_id", "device_key"}
            requests.post(hq.url + "/api/v1/sync/handshake", headers=hq.auth(device), json=...)
            hq.kill()                                # kill -9, the whole process group
            hq.start()                               # same database, same port

`hq-server serve` runs in its own process group on a free loopback port, so kill()
takes its uvicorn workers down with it, as a crash would.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
ADMIN_PASSWORD = "test-admin-password"
PG_ADMIN = os.environ.get("HQ_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sqlite_url(folder: Path) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'hq.db'}"


def postgres_available() -> bool:
    try:
        import psycopg
        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return True
    except Exception:
        return False


def need_postgres() -> None:
    """PostgreSQL runs the HQ tests in CI: without it they fail, so a run cannot pass without them.
    ALLOW_NO_POSTGRES=1 skips them instead (a machine with no PostgreSQL, on purpose)."""
    if postgres_available():
        return
    import pytest
    why = f"no PostgreSQL at {PG_ADMIN}"
    if os.environ.get("ALLOW_NO_POSTGRES") == "1":
        pytest.skip(why)
    pytest.fail(f"{why}: the HQ tests run on it (set ALLOW_NO_POSTGRES=1 to skip them)", pytrace=False)


@contextmanager
def postgres_database():
    """A fresh database hq_test_<random> in the local PostgreSQL, dropped afterwards."""
    import psycopg
    name = f"hq_test_{secrets.token_hex(6)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class HQServer:
    def __init__(self, db_url: str, workers: int = 1, port: int | None = None, log: Path | None = None,
                 env: dict[str, str] | None = None):
        self.db_url = db_url
        self.env = env or {}
        self.slots_dir = tempfile.mkdtemp(prefix="hq-slots-")
        self.workers = workers
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.log = log
        self._admin_token: str | None = None

    def start(self, timeout: float = 60) -> None:
        if self.proc is not None and self.proc.poll() is None:
            return  # running already: a second server on the port would fail to bind while this one answered
        # Tests trust loopback as a proxy, so each can log in from an address of its own (X-Forwarded-For)
        # and one test's wrong logins never throttle another's.
        env = {**os.environ, "HQ_DATABASE_URL": self.db_url, "HQ_ADMIN_PASSWORD": ADMIN_PASSWORD,
               "PYTHONPATH": str(ROOT), "HQ_TRUSTED_PROXIES": '["127.0.0.1"]',
               # its own password-hash slots: other test servers on this machine do not share them
               "HQ_LOGIN_SLOTS_DIR": self.slots_dir, **self.env}
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL
        self.proc = subprocess.Popen([sys.executable, "-m", "hq_server.cli", "serve", "--port", str(self.port),
                                      "--workers", str(self.workers)], env=env, cwd=ROOT, stdout=out,
                                     stderr=out, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"hq-server exited with {self.proc.returncode}")
            try:
                if httpx.get(self.url + "/api/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError("hq-server did not start in time")

    def kill(self) -> None:
        """kill -9 the server and its workers, as a crash would."""
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(timeout=10)
        self.proc = None

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.proc = None

    def __enter__(self) -> HQServer:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- admin helpers ---------------------------------------------------------------
    def admin_headers(self) -> dict:
        if self._admin_token is None:
            r = httpx.post(self.url + "/api/v1/admin/login", json={"username": "admin", "password": ADMIN_PASSWORD})
            r.raise_for_status()
            self._admin_token = r.json()["token"]
        return {"Authorization": f"Bearer {self._admin_token}"}

    def admin(self, method: str, path: str, headers: dict | None = None, **kw) -> httpx.Response:
        return httpx.request(method, self.url + "/api/v1/admin" + path, headers={**self.admin_headers(),
                                                                                  **(headers or {})}, timeout=30,
                             **kw)

    def ensure_product(self, sku: str, name: str | None = None) -> None:
        """The product `sku` in HQ's catalogue (a label batch needs one). A demo SKU gets the demo
        catalogue's record, so a demo till pulling it changes nothing."""
        from pos_app.services.demo import PRODUCTS
        if sku in [i["key"] for i in self.admin("GET", "/catalog/product").json()]:
            return
        demo = {p[0]: p for p in PRODUCTS}.get(sku)
        data = ({"name": demo[1], "category": demo[2], "price_fen": demo[3], "barcode": demo[4]} if demo
                else {"name": name or sku, "category": "tea", "price_fen": 100})
        r = self.admin("PUT", f"/catalog/product/{sku}", json=data)
        if r.status_code != 200:
            raise RuntimeError(r.text)

    def label_batch(self, sku: str = "TEA", count: int = 3, prizes: str = "28", name: str = "乌龙") -> dict:
        """A label batch HQ issued, signed with its active label key (made if there is none): the
        batch file, whose labels a store trusting `public_key` scans and HQ recognises."""
        self.ensure_product(sku, name)
        if not [k for k in self.admin("GET", "/label-keys").json() if k.get("active")]:
            r = self.admin("POST", "/label-keys")
            if r.status_code != 201:
                raise RuntimeError(r.text)
        r = self.admin("POST", "/label-batches", json={"sku": sku, "name": name, "count": count, "prizes": prizes})
        if r.status_code != 201:
            raise RuntimeError(r.text)
        return r.json()

    def create_store(self, store_id: str, name: str | None = None) -> None:
        r = self.admin("POST", "/stores", json={"store_id": store_id, "name": name or store_id})
        if r.status_code not in (201, 409):
            raise RuntimeError(r.text)

    def enrolment_token(self, store_id: str) -> str:
        self.create_store(store_id)
        r = self.admin("POST", f"/stores/{store_id}/enrolment-tokens", json={"hours": 24})
        r.raise_for_status()
        return r.json()["token"]

    def enrol(self, store_id: str, device_name: str = "till-1") -> dict:
        r = httpx.post(self.url + "/api/v1/enrol", json={"token": self.enrolment_token(store_id),
                                                         "device_name": device_name})
        r.raise_for_status()
        return r.json()

    @staticmethod
    def auth(device: dict) -> dict:
        return {"Authorization": f"Device {device['device_id']}:{device['device_key']}"}
