"""`pos-app`: the store app's command line, for support staff and scripts.

With no command it starts the desktop app when the UI is installed, else it prints
the store's status. Every command works on the store database in --data (default:
the platform's user data folder, or $POS_DATA_DIR), creating it and the demo data on
first start unless --no-demo is given.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys
from dataclasses import asdict
from datetime import date
from pathlib import Path

from pos_app.domain.money import format_fen
from pos_app.domain.problems import Refused, problem


def _ctx(args):
    from pos_app.services.demo import seed_demo
    from pos_app.services.setup import open_store

    ctx = open_store(args.data)
    if not args.no_demo and seed_demo(ctx):
        print(f"created demo data in {ctx.db.path}", file=sys.stderr)
    return ctx


def cmd_status(args) -> int:
    from pos_app.services import reports

    ctx = _ctx(args)
    check = reports.check_ledger(ctx)
    with ctx.db.read() as conn:
        from pos_app.store import repos
        from pos_app.sync import outbox, state

        members = repos.count_members(conn)
        enrolled = state.credentials(conn) is not None
        unsent = outbox.pending_count(conn)
        synced = state.get_time(conn, "last_success_at")
    print(f"store   {ctx.who.store_id}\ndevice  {ctx.who.device_id}\ndb      {ctx.db.path}")
    print(f"members {members}\nevents  {check.events}\nledger  {'ok' if check.ok else 'MISMATCH'}")
    # what support asks first of a till that was offline: is anything waiting to reach HQ, and since when
    print(f"hq      {'enrolled' if enrolled else 'not enrolled (working offline)'}\nunsent  {unsent}\n"
          f"synced  {f'{synced:%Y-%m-%d %H:%M:%S} UTC' if synced else 'never'}")
    return 0 if check.ok else 1


def cmd_demo_seed(args) -> int:
    from pos_app.services.demo import seed_demo
    from pos_app.services.setup import open_store

    ctx = open_store(args.data)
    print("demo data created" if seed_demo(ctx) else "store already has data: nothing changed")
    return 0


def local_day(text: str) -> date:
    """A day typed on the command line; a bad one is a usage error (exit 2), never a traceback."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day (YYYY-MM-DD)") from None


def cmd_report(args) -> int:
    from pos_app.services import reports

    ctx = _ctx(args)
    rep = reports.day_report(ctx, args.day, args.to)
    if args.json:
        print(json.dumps(asdict(rep), default=str, ensure_ascii=False))
        return 0
    span = str(rep.first_day) if rep.first_day == rep.last_day else f"{rep.first_day} .. {rep.last_day}"
    print(f"Report {span}")
    print(f"  sales          {rep.sales_count:6d}   {format_fen(rep.sales_fen)}")
    print(f"  refunds        {rep.refunds_count:6d}   {format_fen(rep.refunds_fen)}")
    for method, fen in sorted(rep.tender.items()):
        print(f"  tender {method:8s}         {format_fen(fen)}")
    print(f"  points issued  {rep.points_issued:6d}\n  points redeemed{rep.points_redeemed:6d}")
    print(f"  points expired {rep.points_expired:6d}\n  points reversed{rep.points_reversed:6d}")
    print(f"  points donated {rep.points_donated:6d}\n  new members    {rep.new_members:6d}")
    print(f"  coupons used   {rep.coupons_used:6d}\n  coupons sold   {rep.coupons_sold:6d}")
    print(f"  redemptions    {rep.redemptions:6d}")
    print("  gift stock")
    for gift_id, name, stock in rep.gift_stock:
        print(f"    {gift_id:16s} {stock:5d}  {name}")
    return 0


def cmd_member(args) -> int:
    from pos_app.services import members

    ctx = _ctx(args)
    m = members.find_member(ctx, args.query)
    st = members.member_statement(ctx, m.member_id, history_limit=args.history)
    print(f"{m.name}  {m.phone}  card {m.card_no}  tier {m.tier}  referral {m.referral_code}")
    print(f"balance {st.balance}  spendable {st.spendable}  locked {st.locked}  debt {st.debt}  "
          f"agent {st.agent_points}")
    for day, pts in st.expiring_soon:
        print(f"  expiring {day:%Y-%m-%d}: {pts}")
    for h in st.history:
        print(f"  {h.at:%Y-%m-%d %H:%M}  {h.kind:16s} {h.points:+6d}")
    return 0


MAX_QTY = 999


def cart_item(text: str) -> tuple[str, int]:
    """`SKU` or `SKU:QTY` -> (code, quantity). A quantity that is not a whole number from 1
    to 999 is refused (`SKU:-1` and `SKU:abc` once sold one)."""
    code, sep, qty = text.rpartition(":")
    if not sep:
        code, qty = text, "1"
    if not (qty.isascii() and qty.isdigit() and 1 <= int(qty) <= MAX_QTY) or not code.strip():
        raise Refused(problem("cart.bad_qty", f"{text!r}: write an item as SKU or SKU:QTY, "
                                              f"QTY a whole number from 1 to {MAX_QTY}", item=text))
    return code.strip(), int(qty)


def cmd_checkout(args) -> int:
    from pos_app.services import checkout, members
    from pos_app.services.demo import CASHIER_ID

    items = [cart_item(item) for item in args.item]  # refused before the store is even opened
    ctx = _ctx(args)
    member_id = members.find_member(ctx, args.member).member_id if args.member else None
    tender = {args.tender: int(args.paid)} if args.paid is not None else None
    r = checkout.checkout(ctx, staff_id=args.staff or CASHIER_ID, items=items, member_id=member_id,
                          coupons=args.coupon or [], cash_points=args.points, tender=tender,
                          member_pin=args.member_pin)
    print(f"receipt {r.receipt_no}  due {format_fen(r.quote.due_fen)}  change {format_fen(r.change_fen)}  "
          f"points +{r.points_earned}  balance {r.balance_after}")
    return 0


def cmd_expire(args) -> int:
    from pos_app.services import points

    print(f"expired {points.expire_due(_ctx(args))} points")
    return 0


def cmd_jobs(args) -> int:
    from pos_app.services import jobs

    print(json.dumps(jobs.run_due_jobs(_ctx(args), force=args.force), sort_keys=True))
    return 0


def cmd_tiers(args) -> int:
    from pos_app.services import tiers

    changed = tiers.reevaluate_tiers(_ctx(args))
    for member_id, (old, new) in changed.items():
        print(f"{member_id}  {old} -> {new}")
    print(f"{len(changed)} members changed tier")
    return 0


def cmd_check(args) -> int:
    from pos_app.services import reports

    check = reports.check_ledger(_ctx(args))
    print(json.dumps({"events": check.events, "ok": check.ok, "unbalanced_events": check.unbalanced_events,
                      "balance_mismatches": check.balance_mismatches, "lot_mismatches": check.lot_mismatches,
                      "seq_gaps": check.seq_gaps}))
    return 0 if check.ok else 1


def cmd_enrol(args) -> int:
    from pos_app.services.setup import open_store
    from pos_app.sync.enrol import enrol
    from pos_app.sync.errors import SyncError

    ctx = open_store(args.data)  # never demo data: its events would belong to no enrolled store
    try:
        answer = enrol(ctx.db, args.hq, args.token, args.name, who=ctx.who, clock=ctx.clock)
    except SyncError as err:
        print(f"enrolment failed: {err}", file=sys.stderr)
        return 2
    print(f"enrolled: store {answer.store_id}  device {answer.device_id}  HQ {args.hq}")
    return 0


def cmd_sync(args) -> int:
    from pos_app.sync.scheduler import SyncScheduler

    sched = SyncScheduler(_ctx(args).db, interval=args.interval)
    if args.once:
        st = sched.run_once()
        print(json.dumps({"state": st.state, "pending": st.pending, "problems": st.problems,
                          "last_success": st.last_success, "error": st.last_error, "clock_skew_s": st.clock_skew_s,
                          "offline_hours_left": round(st.offline_window_left.total_seconds() / 3600, 2)},
                         default=str))
        return 0 if st.online else 1
    import time

    sched.start()
    try:
        while True:
            time.sleep(args.interval)
            st = sched.status()
            print(f"{st.state}  pending {st.pending}  last success {st.last_success}  {st.last_error or ''}",
                  file=sys.stderr)
    except KeyboardInterrupt:
        sched.stop()
    return 0


# What the desktop app needs to open the store and list its staff. Imported before Qt:
# once PySide6 is imported, its import hook reads the source of every module imported
# after it (looking for `from __feature__`): these ~440 modules cost 15-50% more CPU.
STORE_MODULES = ("pos_app.services.setup", "pos_app.services.demo", "pos_app.services.catalog",
                 "pos_app.services.staff")


def cmd_gui(args) -> int:
    for module in STORE_MODULES:
        importlib.import_module(module)
    try:
        from pos_app.ui.app import run  # built in the desktop app issue
    except ImportError:
        print("the desktop UI is not part of this build yet; showing the store status instead\n", file=sys.stderr)
        return cmd_status(args)
    return run(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pos-app", description="Points-mall store app")
    parser.add_argument("--data", type=Path, default=None, help="store data folder (default: user data dir)")
    parser.add_argument("--no-demo", action="store_true", help="do not create demo data on first start")
    parser.add_argument("--lang", choices=("zh_CN", "en"), help="UI language (default: the saved choice, else zh_CN)")
    parser.add_argument("--self-test", action="store_true",
                        help="start the UI, open the store, show the sign-in screen, exit 0 (for built executables)")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("status", help="store identity and ledger health").set_defaults(func=cmd_status)
    sub.add_parser("demo-seed", help="create demo data in an empty store").set_defaults(func=cmd_demo_seed)
    p = sub.add_parser("report", help="the store's daily report")
    p.add_argument("--day", type=local_day, help="first local day, YYYY-MM-DD (default today)")
    p.add_argument("--to", type=local_day, help="last local day of a range, YYYY-MM-DD")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_report)
    p = sub.add_parser("member", help="look up a member by phone, card or referral code")
    p.add_argument("query")
    p.add_argument("--history", type=int, default=20)
    p.set_defaults(func=cmd_member)
    p = sub.add_parser("checkout", help="record a sale (scripted use)")
    p.add_argument("item", nargs="+", help="SKU or barcode, optionally :QTY")
    p.add_argument("--member", help="phone, card number or referral code")
    p.add_argument("--coupon", action="append")
    p.add_argument("--points", type=int, default=0, help="points to pay with (needs --member-pin)")
    p.add_argument("--member-pin", help="the member's PIN: paying with points is a redemption")
    p.add_argument("--tender", choices=("cash", "card", "other"), default="cash")
    p.add_argument("--paid", type=int, help="amount tendered in fen (default: exact)")
    p.add_argument("--staff", help="staff id (default: the demo cashier)")
    p.set_defaults(func=cmd_checkout)
    sub.add_parser("expire", help="post expired points to breakage").set_defaults(func=cmd_expire)
    p = sub.add_parser("run-jobs", help="the scheduled jobs that are due (the app runs them by itself)")
    p.add_argument("--force", action="store_true", help="run every job, due or not")
    p.set_defaults(func=cmd_jobs)
    sub.add_parser("reevaluate-tiers", help="set tiers from rolling 12-month spend (may downgrade)"
                   ).set_defaults(func=cmd_tiers)
    sub.add_parser("check", help="recompute balances from postings and lots").set_defaults(func=cmd_check)
    p = sub.add_parser("enrol", help="enrol this store with HQ (a fresh database, one-time token from HQ)")
    p.add_argument("--hq", required=True, help="HQ's base URL, e.g. https://hq.example.com")
    p.add_argument("--token", required=True, help="the one-time enrolment token (write --token=TOKEN: a token may start with '-')")
    p.add_argument("--name", default="till-1", help="this device's name at HQ")
    p.set_defaults(func=cmd_enrol)
    p = sub.add_parser("sync", help="sync with HQ: push the outbox, pull HQ's changes")
    p.add_argument("--once", action="store_true", help="one run, then exit (0 when it reached HQ)")
    p.add_argument("--interval", type=float, default=30.0, help="seconds between runs (default 30)")
    p.set_defaults(func=cmd_sync)
    try:
        from pos_app.scanner import labels_cli
    except ImportError:
        labels_cli = None
    if labels_cli is not None:
        labels_cli.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    func = getattr(args, "func", cmd_gui)
    _start_log(args)
    try:
        return func(args)
    except Refused as err:
        print(f"refused: {err}", file=sys.stderr)
        logging.getLogger("pos_app.cli").info("refused: %s", err)
        return 2


def _start_log(args) -> None:
    """Every run writes to the store's rotating log (services.logfile); a folder we cannot
    write to leaves the run as it was, logging to the console only."""
    from pos_app.services.logfile import start_log
    from pos_app.services.setup import default_data_dir

    try:
        path = start_log(getattr(args, "data", None) or default_data_dir())
    except OSError as err:
        print(f"no log file: {err}", file=sys.stderr)
        return
    command = getattr(getattr(args, "func", None), "__name__", "cmd_gui").removeprefix("cmd_")
    logging.getLogger("pos_app.cli").info("pos-app %s started (log: %s)", command, path)


if __name__ == "__main__":
    sys.exit(main())
