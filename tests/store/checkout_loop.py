"""Child processes for the crash-safety test: real checkouts in a loop until killed.

    python tests/store/checkout_loop.py DATA_DIR
    stdin:  go SEED        -> stdout: child PID, ready, sale <id>..., and once it is dead: reaped PID STATUS

The process started is a fork server: it imports everything once (a cold Python start
with SQLAlchemy and Alembic costs seconds on a busy machine), never touches the
database, and for each "go" forks a fresh child. The test SIGKILLs that child at a
random instant; the server reaps it and reports its wait status.

Each child opens the store the way the app does (migrations at start-up), then loops over the
full checkout use case: members and walk-ins, random baskets, sometimes points as
cash, sometimes a coupon bought with points just before (buy_coupon, its own use
case), sometimes crediting the shopping guide. After each checkout returns (its
transaction committed) it prints ``sale <sale_id>``; a line printed is a promise
that the sale is in the database. It records nothing outside the database.
"""

from __future__ import annotations

import faulthandler
import os
import random
import signal
import sys
import traceback

from sqlalchemy import select

from pos_app.domain import ledger as L
from pos_app.domain.lots import spendable_total
from pos_app.domain.problems import Refused
from pos_app.services import checkout as checkout_uc
from pos_app.services import points as points_uc
from pos_app.services.demo import CASHIER_ID, DEMO_MEMBER_PIN, GUIDE_ID, PRODUCTS
from pos_app.services.setup import open_store
from pos_app.store import ledger_repo
from pos_app.store import tables as T


def say(line: str) -> None:
    """One line in one write(2): the child and the server share the pipe, and a child killed
    between print()'s two writes (text, then newline) once glued the server's "reaped" line
    to its cut "sale" line, so the test never saw the reap and waited for ever. A write of
    at most PIPE_BUF bytes to a pipe is atomic: a kill leaves a whole line or none."""
    os.write(1, (line + "\n").encode())


def run(data_dir: str, seed: int) -> None:
    ctx = open_store(data_dir)
    rng = random.Random(seed)
    with ctx.db.read() as conn:
        members = conn.execute(select(T.members.c.member_id)).scalars().all()
    skus = [p[0] for p in PRODUCTS]
    say("ready")
    while True:
        member_id = rng.choice(members) if rng.random() < 0.85 else None
        items = [(sku, rng.randint(1, 3)) for sku in rng.sample(skus, rng.randint(1, 4))]
        kw: dict = {}
        if rng.random() < 0.3:
            kw["guide_id"] = GUIDE_ID
        if member_id:
            with ctx.db.read() as conn:
                spendable = spendable_total(ledger_repo.lots_of(conn, L.member_account(member_id)), ctx.now())
            if spendable >= 400 and rng.random() < 0.25:
                bought = points_uc.buy_coupon(ctx, staff_id=CASHIER_ID, member_id=member_id, type_id="CPN-5",
                                              member_pin=DEMO_MEMBER_PIN)
                kw["coupons"] = [bought.code]
                items.append(("TEA-PUER", 1))  # over the coupon's minimum spend
                spendable -= 400
            if spendable >= 100 and rng.random() < 0.3:
                kw["cash_points"] = min(spendable, 500) // 100 * 100  # at most 5.00, under half of any such bill
                kw["member_pin"] = DEMO_MEMBER_PIN  # paying with points needs the member there
                items.append(("TEA-GREEN", 1))
        try:
            sale = checkout_uc.checkout(ctx, staff_id=CASHIER_ID, member_id=member_id, items=items, **kw)
        except Refused as err:  # the daily earn cap or the like: say so, the parent fails on it
            say(f"refused {','.join(err.codes)}")
            continue
        say(f"sale {sale.sale_id}")


def serve(data_dir: str) -> None:
    # SIGUSR1 prints every thread's stack to stderr (the test's log): the test sends it to a
    # child or to this server that stops answering, so a hang shows where it was.
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    say("imported")
    for line in sys.stdin:
        cmd, _, arg = line.strip().partition(" ")
        if cmd != "go":
            break
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child: sell until killed; never return into the server's loop
            try:
                run(data_dir, int(arg))
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(1)
        say(f"child {pid}")
        _, status = os.waitpid(pid, 0)
        say(f"reaped {pid} {status}")


if __name__ == "__main__":
    serve(sys.argv[1])
