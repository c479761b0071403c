"""`hq-server`: serve the HQ API, migrate its database, create an admin.

    hq-server serve [--host 127.0.0.1] [--port 8700] [--workers 1] [--data DIR]
    hq-server migrate [--data DIR]
    hq-server create-admin USERNAME            (password from HQ_ADMIN_PASSWORD or a prompt)
    hq-server run-jobs [--force]               (the scheduled jobs now: expiry, tier downgrades)
    hq-server backup FILE                      (a consistent copy while HQ runs: hq_server/backup.py)

The database is SQLite in the data folder unless HQ_DATABASE_URL names another
(e.g. postgresql+psycopg://user@host/db). HQ_ADMIN_PASSWORD, when set at `serve`,
creates the `admin` user or resets its password if it differs (a reset ends the admin's sessions;
`create-admin` always does). HQ_SECRET_KEY (32 bytes, base64) seals HQ's private
label keys in the database; without it HQ makes secret.key in the data folder (keep it
out of database backups, and back it up on its own: see hq_server/sealing.py).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from hq_server.db import migrate
from hq_server.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hq-server", description="Points-mall HQ server")
    parser.add_argument("--data", help="data folder for the embedded SQLite database (default ./hq-data)")
    sub = parser.add_subparsers(dest="cmd", required=True)
    serve = sub.add_parser("serve", help="migrate, then serve the API with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8700)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--log-level", default="warning")
    sub.add_parser("migrate", help="bring the database schema up to date")
    ca = sub.add_parser("create-admin", help="create an admin user or reset its password")
    ca.add_argument("username")
    jobs_cmd = sub.add_parser("run-jobs", help="run the scheduled jobs that are due (serve runs them by itself)")
    jobs_cmd.add_argument("--force", action="store_true", help="run every job, due or not")
    backup_cmd = sub.add_parser("backup", help="copy the database to a new file while HQ runs (SQLite's online "
                                               "backup, or pg_dump)")
    backup_cmd.add_argument("file", help="the new file (never overwritten)")
    args = parser.parse_args(argv)
    settings = Settings(data_dir=args.data) if args.data else Settings()
    url = settings.db_url()
    # uvicorn's workers each build the app from the environment (create_app reads Settings again):
    # they are told this process's choices the same way.
    if args.data:
        os.environ["HQ_DATA_DIR"] = args.data  # the workers find secret.key there
    os.environ["HQ_DATABASE_URL"] = url
    if args.cmd == "backup":  # the database as it is: a backup never migrates it
        return _backup(url, args.file)
    migrate(url)
    if args.cmd == "migrate":
        return 0
    password = settings.admin_password.get_secret_value() if settings.admin_password else None
    if args.cmd == "create-admin":
        return _set_admin(url, args.username, password or getpass.getpass("admin password: "))
    if args.cmd == "run-jobs":
        return _run_jobs(url, args.force)
    if password:
        _set_admin(url, "admin", password, unless_same=True)
    import uvicorn
    # uvicorn's supervisor kills a worker whose ping goes unanswered for timeout_worker_healthcheck seconds
    # (default 5) and starts another, which spends seconds importing the app: under a crowd on a busy machine
    # the ping thread waits for the GIL longer than that, and every kill failed or delayed the requests in
    # flight (bench.mall: workers restarted every few seconds, page p95 in seconds). A worker that is truly
    # hung is still replaced, after a minute.
    uvicorn.run("hq_server.app:create_app", factory=True, host=args.host, port=args.port, workers=args.workers,
                log_level=args.log_level, timeout_worker_healthcheck=60)
    return 0


def _set_admin(url: str, username: str, password: str, unless_same: bool = False) -> int:
    from hq_server.admin_users import set_admin
    from hq_server.db import Database
    problem = set_admin(Database(url), username, password, unless_same=unless_same)
    if problem:
        print(f"refused: {problem}", file=sys.stderr)
        return 2
    return 0


def _run_jobs(url: str, force: bool) -> int:
    import json

    from hq_server.auth import now
    from hq_server.db import Database
    from hq_server.programme import jobs
    db = Database(url)
    try:
        runs = [jobs.run_job(db, job, now=now(), force=force) for job in jobs.JOBS]
    finally:
        db.dispose()
    print(json.dumps({r.job: r.result if r.ran else "not due" for r in runs}, sort_keys=True))
    return 0


def _backup(url: str, file: str) -> int:
    import json
    from pathlib import Path

    from hq_server.backup import BackupRefused, backup
    try:
        made = backup(url, Path(file))
    except BackupRefused as refused:
        print(f"refused: {refused}", file=sys.stderr)
        return 2
    print("HQ's secret (HQ_SECRET_KEY or secret.key) is not in the copy: keep it apart, in its own safe place",
          file=sys.stderr)
    print(json.dumps({"backup": str(made.path), "bytes": made.bytes, "database": made.database}))
    return 0


# Last: `python -m hq_server.cli` runs main once every helper above is defined (run-jobs failed with a
# NameError when this stood before them).
if __name__ == "__main__":
    sys.exit(main())
