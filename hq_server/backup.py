"""`hq-server backup FILE`: a consistent copy of HQ's database while HQ runs.

- SQLite (the embedded default): SQLite's online backup in one step, into a new file. HQ's
  database is in WAL mode, so the copy reads one snapshot while tills go on pushing (a step at
  a time would start again after each of their commits, and might never end under load); its
  integrity is checked before it is kept.
- PostgreSQL: `pg_dump --format=custom` of HQ's database (one snapshot); restore it with
  `pg_restore --clean --if-exists --no-owner --dbname <url> FILE`.

HQ's secret (HQ_SECRET_KEY, or secret.key in the data folder) is not in the copy, by design
(hq_server.sealing): without it the sealed private label keys in the copy cannot be opened, so
keep it apart from the copies, in its own safe place.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupRefused(Exception):
    """Nothing was written: why, in a sentence for the operator."""


@dataclass(frozen=True)
class Backup:
    path: Path
    bytes: int
    database: str


def backup(url: str, target: Path) -> Backup:
    """Copy the database at `url` to `target` (a new file: an existing one is never overwritten)."""
    target = target.expanduser().resolve()
    if target.exists():
        raise BackupRefused(f"{target} exists already: name a new file (a backup never overwrites one)")
    if not target.parent.is_dir():
        raise BackupRefused(f"the folder {target.parent} does not exist")
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        _sqlite(parsed.database or "", target)
        kind = "sqlite"
    elif parsed.get_backend_name() == "postgresql":
        _postgres(url, target)
        kind = "postgresql"
    else:
        raise BackupRefused(f"no backup for a {parsed.get_backend_name()} database")
    return Backup(target, target.stat().st_size, kind)


def _sqlite(source: str, target: Path) -> None:
    if not source or not Path(source).is_file():
        raise BackupRefused(f"there is no SQLite database at {source or '(none)'}")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source, timeout=30)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
            ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            dst.close()
    finally:
        src.close()
    if ok != "ok":
        partial.unlink(missing_ok=True)
        raise BackupRefused(f"the copy failed SQLite's integrity check ({ok}); nothing was kept")
    os.replace(partial, target)


def _postgres(url: str, target: Path) -> None:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupRefused("pg_dump is not installed (Debian: apt install postgresql-client)")
    libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    partial = target.with_name(target.name + ".partial")
    done = subprocess.run([pg_dump, "--format=custom", "--no-owner", "--file", str(partial), "--dbname", libpq],
                          capture_output=True, text=True)
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupRefused(f"pg_dump failed: {done.stderr.strip()[:500]}")
    os.replace(partial, target)
