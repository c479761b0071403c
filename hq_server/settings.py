"""HQ's settings, read once from the environment (HQ_*) into one object handed to create_app.

This is the one place HQ reads its environment: the database, the data folder, the secret that
seals HQ's private keys, the admin password `serve` sets, and the limits below. Every other module
is handed the object (or what it needs of it); `hq-server serve` passes its choices to uvicorn's
workers through the same HQ_* variables, and each worker reads them here again.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HQ_", extra="ignore")

    # --- where HQ keeps its data (hq_server.db, hq_server.sealing) ---
    database_url: str | None = Field(None, description="HQ_DATABASE_URL, e.g. postgresql+psycopg://hq@db/hq; "
                                                       "unset: SQLite in data_dir")
    data_dir: Path | None = Field(None, description="HQ_DATA_DIR: the embedded database and secret.key "
                                                    "(default ./hq-data for the database)")
    secret_key: SecretStr | None = Field(None, description="HQ_SECRET_KEY: 32 bytes, base64, sealing HQ's "
                                                           "private keys (unset: secret.key in the data folder)")
    admin_password: SecretStr | None = Field(None, description="HQ_ADMIN_PASSWORD: `serve` creates or resets "
                                                               "the admin user with it")

    # --- login (hq_server.login) ---
    login_window_s: int = Field(900, ge=1, description="the throttle's window")
    login_user_failures: int = Field(5, ge=1, description="wrong passwords per username in the window, then 429")
    login_address_failures: int = Field(30, ge=1, description="wrong logins per client address in the window")
    login_lock_after: int = Field(20, ge=1, description="wrong passwords in a row that lock the account")
    # Each argon2 check takes ~64 MiB for ~50-300 ms: at most this many at once on the host (every worker
    # together, by lock files in login_slots_dir), at most login_queue more waiting in each process; a
    # login beyond that is answered 429 at once, so memory stays flat under a flood.
    login_hash_slots: int = Field(1, ge=1, le=16)
    login_queue: int = Field(16, ge=0)
    login_slots_dir: Path = Field(default_factory=lambda: Path(tempfile.gettempdir()) / "hq-login-slots")
    session_hours: int = Field(12, ge=1, le=24 * 30)
    # Client addresses are taken from X-Forwarded-For only when the peer is one of these (a load balancer).
    trusted_proxies: list[str] = Field(default_factory=list)

    # --- member lookups by a till (api_sync.lookup) ---
    lookup_window_s: int = Field(600, ge=1)
    lookup_misses: int = Field(30, ge=1, description="lookups that found nobody, per till in the window")

    # --- the console (hq_server.programme.member_care) ---
    adjust_approval_above: int = Field(1000, ge=0, description="points: a bigger adjustment waits for a second "
                                                               "person's approval")

    # --- scale-out (hq_server.db.Database.replica_read) ---
    # A PostgreSQL read replica (streaming replication) that serves tills' pulls and member lookups;
    # unset: the primary serves them.
    replica_url: str | None = Field(None, description="HQ_REPLICA_URL, e.g. postgresql+psycopg://hq@replica/hq")

    # --- every request (hq_server.guards) ---
    max_body_bytes: int = Field(256 * 1024, ge=1024, description="any request body but a push")
    max_json_depth: int = Field(32, ge=4)

    # --- scheduled jobs (hq_server.programme.jobs): every worker checks this often; a job runs once a period ---
    jobs_check_s: int = Field(300, ge=0, description="seconds between checks for due jobs; 0 turns the timer off")

    def db_url(self) -> str:
        """The database to use: database_url, else SQLite in the data folder (made if missing)."""
        if self.database_url:
            return self.database_url
        folder = self.data_dir or Path("hq-data")
        folder.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{folder.resolve() / 'hq.db'}"
