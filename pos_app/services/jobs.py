"""The till's scheduled jobs, run at start and on a timer (the UI's MainWindow, `pos-app run-jobs`).

Idempotent: each acts on what is due at the till's time and leaves nothing due, and a job whose
period has not passed since its last run (kept in meta) is skipped, so a second call changes
nothing. The till expires the lots it granted itself (pos_app.services.points.expire_due); HQ
expires the lots it granted, and decides tier downgrades, where every store's sales meet
(hq_server.programme.jobs): they reach the till by pull.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pos_app.services import points
from pos_app.services.context import StoreContext
from pos_app.store import repos

EVERY = {"expire": timedelta(hours=1)}
LAST_RUN = "jobs.last_run."  # + job name -> ISO time of its last run


def _due(ctx: StoreContext, job: str, now: datetime) -> bool:
    with ctx.db.read() as conn:
        last = repos.get_meta(conn, LAST_RUN + job)
    return last is None or now - datetime.fromisoformat(last) >= EVERY[job] or now < datetime.fromisoformat(last)


def run_due_jobs(ctx: StoreContext, *, force: bool = False) -> dict[str, int | None]:
    """Each due job once: {job: its result (points expired), or None when it was not due}."""
    now = ctx.now()
    out: dict[str, int | None] = {}
    if force or _due(ctx, "expire", now):
        out["expire"] = points.expire_due(ctx)
        with ctx.db.write() as conn:
            repos.set_meta(conn, LAST_RUN + "expire", now.isoformat())
    else:
        out["expire"] = None
    return out
