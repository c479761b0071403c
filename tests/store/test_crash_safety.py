"""kill -9 at random instants while checkouts commit: nothing committed is lost, nothing
half-done is left.

A child process (forked by checkout_loop.py's server, so restarts are quick) runs
the full checkout use case in a loop on a store database in tmp_path and prints each
sale id once its transaction committed. The test SIGKILLs it at a random instant,
starts a fresh one on the same database, many times over, then checks the whole database (bench.ledger.check_store: integrity,
double entry, balances = postings, lots = holder balances, one outbox row per event
with gapless device_seq, every sale whole and no trace of an uncommitted one) and
that every sale the child reported is there.
"""

from __future__ import annotations

import collections
import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

from bench.ledger import check_store
from pos_app.services import checkout as checkout_uc
from pos_app.services import members as members_uc
from pos_app.services import points as points_uc
from pos_app.services.demo import CASHIER_ID, DEMO_MEMBER_PIN, seed_demo
from pos_app.services.setup import open_store

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
KILLS = 30
BUDGET_S = 50  # stop early (but after at least 10 kills) on a slow machine
# The longest a child or the server may go without a line the test is waiting for (a child
# opens the store in well under a second; a cold import on a loaded machine takes seconds).
# Past it the test fails with both processes' stacks rather than waiting for ever.
SILENCE_S = 60


def seed_store(data_dir: Path) -> None:
    """Demo store plus members with points to spend (so coupons and points-as-cash happen)."""
    ctx = open_store(data_dir)
    try:
        seed_demo(ctx)
        for i in range(12):
            m = members_uc.register_member(ctx, staff_id=CASHIER_ID, phone=f"1370000{i:04d}", name=f"会员{i}",
                                           member_pin=DEMO_MEMBER_PIN)
            if i < 8:
                points_uc.label_earn(ctx, staff_id=CASHIER_ID, member_id=m.member_id, serial=uuid.uuid4().hex[:20],
                                     sku="TEA-OOLONG", points=4000)
    finally:
        ctx.db.close()


class LoopServer:
    """checkout_loop.py's fork server: one child at a time, each killed at an instant we choose."""

    def __init__(self, data_dir: Path, log):
        env = {**os.environ,
               "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        self.log = log
        self.child: int | None = None
        self.proc = subprocess.Popen([sys.executable, str(HERE / "checkout_loop.py"), str(data_dir)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True,
                                     cwd=ROOT, env=env)
        # Lines arrive through a thread so that every wait has a deadline.
        self.lines: queue.Queue[str] = queue.Queue()
        self.last: collections.deque[str] = collections.deque(maxlen=30)  # shown when a wait fails
        threading.Thread(target=self._pump, name="checkout loop stdout", daemon=True).start()
        assert self.line() == "imported"

    def _pump(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put("")  # end of output: the server is gone

    def line(self) -> str:
        try:
            line = self.lines.get(timeout=SILENCE_S)
        except queue.Empty:
            raise AssertionError(self.stacks(f"no line from the checkout loop in {SILENCE_S} s")) from None
        self.last.append(line.strip())
        assert line, f"the checkout loop server ended (exit {self.proc.poll()}); see {self.log.name}"
        return line.strip()

    def stacks(self, what: str) -> str:
        """`what`, then the stacks of the child and the server (SIGUSR1: faulthandler)."""
        for pid in (self.child, self.proc.pid):
            if pid is not None:
                try:
                    os.kill(pid, signal.SIGUSR1)
                except ProcessLookupError:
                    pass
                time.sleep(0.5)  # one dump at a time: both write to the same log
        self.log.flush()
        return (f"{what}; child {self.child}, server {self.proc.pid}; the last lines read:\n" + "\n".join(self.last)
                + "\nstacks:\n" + Path(self.log.name).read_text()[-8000:])

    def start_child(self, seed: int) -> tuple[int, list[str]]:
        """A fresh child on the same database: its pid once it has opened the store."""
        self.proc.stdin.write(f"go {seed}\n")
        self.proc.stdin.flush()
        pid, ready, lines = None, False, []
        while pid is None or not ready:
            line = self.line()
            if line.startswith("child "):
                pid = self.child = int(line.split()[1])
            elif line == "ready":
                ready = True
            elif line.startswith("reaped "):  # it died before it was ready: fail, do not wait for it
                self.child = None
                raise AssertionError(f"a checkout child ended before opening the store ({line}); "
                                     f"see {self.log.name}")
            else:
                lines.append(line)
        return pid, lines

    def kill_child(self, pid: int) -> list[str]:
        """SIGKILL the child now; every line it printed before dying."""
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:  # it died on its own: the status below says how
            pass
        lines = []
        while True:
            line = self.line()
            if line.startswith(f"reaped {pid} "):
                self.child = None  # reaped: its pid may be another process's now
                status = int(line.split()[2])
                assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, \
                    f"the checkout loop ended on its own (status {status}); see {self.log.name}"
                return lines
            lines.append(line)

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()  # the server's loop ends
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        if self.child is not None:  # a child the server never reaped (it hung): not left running
            try:
                os.kill(self.child, signal.SIGKILL)
            except ProcessLookupError:
                pass


def parse(lines: list[str]) -> tuple[list[str], int]:
    """(sale ids reported, refusals reported); every line is whole (checkout_loop.say)."""
    sales, refused = [], 0
    for line in lines:
        word, _, rest = line.partition(" ")
        if word == "sale" and len(rest) == 36:
            sales.append(rest)
        elif word == "refused":
            refused += 1
    return sales, refused


@pytest.mark.slow
def test_kill_minus_9_during_checkouts_loses_no_sale_and_leaves_no_half(tmp_path):
    data_dir = tmp_path / "store"
    start0 = time.monotonic()
    seed_store(data_dir)
    seeded = time.monotonic()
    rng = random.Random(20261125)
    printed: list[str] = []
    refused = kills = 0
    start = time.monotonic()
    with open(tmp_path / "child-stderr.log", "w") as log:
        server = LoopServer(data_dir, log)
        try:
            for i in range(KILLS):
                if kills >= 10 and time.monotonic() - start > BUDGET_S:
                    break
                pid, early = server.start_child(seed=i)
                time.sleep(rng.uniform(0.02, 0.5))
                sales, n_refused = parse(early + server.kill_child(pid))
                printed += sales
                refused += n_refused
                kills += 1
        finally:
            server.close()
    print(f"crash loop: {kills} kills, {len(printed)} sales reported, seeded in {seeded - start0:.1f} s, "
          f"loop {time.monotonic() - start:.1f} s")
    assert kills >= 10
    assert refused == 0, "the loop's checkouts should all be accepted"
    assert len(printed) >= kills, f"too few sales to mean anything: {len(printed)} in {kills} runs"

    problems = check_store(data_dir / "store.sqlite3")
    assert problems == [], "\n".join(problems)

    ctx = open_store(data_dir)  # the app starts again on the crashed database
    try:
        with ctx.db.read() as conn:
            stored = set(conn.execute(text("SELECT sale_id FROM sales")).scalars())
            coupon_sales = conn.execute(text("SELECT COUNT(*) FROM sales WHERE coupons <> '[]'")).scalar()
            cash_sales = conn.execute(text("SELECT COUNT(*) FROM sales WHERE cash_points > 0")).scalar()
        lost = [s for s in printed if s not in stored]
        assert not lost, f"{len(lost)} committed sales are missing after kill -9, e.g. {lost[:3]}"
        assert len(set(printed)) == len(printed)
        assert coupon_sales and cash_sales, "the loop should have used coupons and points as cash"
        # and it still sells
        checkout_uc.checkout(ctx, staff_id=CASHIER_ID, items=[("TEA-PUER", 1)])
    finally:
        ctx.db.close()
    assert check_store(data_dir / "store.sqlite3") == []
