"""The till's scheduled jobs (pos_app.services.jobs): run at start and on a timer, each once a
period, idempotent: the points expired once stay expired once."""

from __future__ import annotations

from pos_app.domain import ledger as L
from pos_app.services import jobs
from pos_app.store import ledger_repo


def balance(ctx, member_id: str) -> int:
    with ctx.db.read() as conn:
        return ledger_repo.balance(conn, L.member_account(member_id))


def test_expiry_runs_once_a_period_and_twice_changes_nothing(ctx, clock, new_member, top_up):
    m = new_member()
    top_up(m.member_id, 120)
    assert jobs.run_due_jobs(ctx) == {"expire": 0}  # at start: nothing due yet
    assert jobs.run_due_jobs(ctx) == {"expire": None}  # within the hour: not run again
    clock.advance(days=366)  # the demo rules' points last 365 days
    with ctx.db.read() as conn:
        breakage = ledger_repo.balance(conn, L.BREAKAGE)
    expired = jobs.run_due_jobs(ctx)["expire"]
    assert expired >= 120 and balance(ctx, m.member_id) == 0  # the demo members' points went too
    with ctx.db.read() as conn:
        assert ledger_repo.balance(conn, L.BREAKAGE) == breakage + expired
    assert jobs.run_due_jobs(ctx, force=True) == {"expire": 0}  # idempotent: nothing left due
    clock.advance(hours=2)
    assert jobs.run_due_jobs(ctx) == {"expire": 0}


def test_a_clock_set_back_does_not_stop_the_jobs(ctx, clock):
    clock.advance(days=2)
    assert jobs.run_due_jobs(ctx)["expire"] == 0
    clock.advance(days=-1)  # the till's clock corrected backwards: the last run looks in the future
    assert jobs.run_due_jobs(ctx)["expire"] == 0
