"""A screenshot of "My guide points" (F11), the demo guide signed in, on a real (virtual) X screen.

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python scripts/screenshot_guide_points.py --lang zh_CN

scripts/screenshots.sh runs it at 1024x768, 1366x768 and 1920x1080 in Chinese and at 1366x768 in English.
The demo's sales named the guide, and a manager refunds one of them (the guide's points for it taken
back: its line names the refunded sale's receipt); three withdrawals reach the till as HQ's events
through the pull applier, as from a real HQ (one waiting for finance, one paid out, one refused), so
every state shows.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtWidgets import QApplication

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pos_app.services.demo import DEMO_PINS, GUIDE_ID, MANAGER_ID
from pos_app.ui.app import build


def refund_a_sale(ctx) -> None:
    """A manager refunds the first sale the guide served, wholly (pos_app.services.refunds)."""
    from sqlalchemy import select

    from pos_app.services import refunds
    from pos_app.store import tables as T

    with ctx.db.read() as conn:
        receipt = conn.execute(select(T.sales.c.receipt_no).where(T.sales.c.guide_id == GUIDE_ID)
                               .order_by(T.sales.c.receipt_no).limit(1)).scalar_one()
    refunds.refund(ctx, staff_id=MANAGER_ID, sale=receipt, reason="customer return", approver_pin=DEMO_PINS["manager"])


def withdrawals_from_hq(ctx) -> None:
    from pos_app.domain import ledger as L
    from pos_app.domain.ledger import payload_hash
    from pos_app.store import ledger_repo
    from pos_app.sync import pull
    from pos_app.sync.wire import PullItem, PullResponse

    account = L.guide_account(GUIDE_ID)
    with ctx.db.read() as conn:
        lot = max(ledger_repo.lots_of(conn, account), key=lambda x: x.remaining)
    held, paid, refused = (lot.remaining // 10 or 1), (lot.remaining // 5 or 1), (lot.remaining // 8 or 1)
    ids = [str(uuid.uuid4()) for _ in range(3)]
    docs = [("redeem_hold", {"purpose": "withdrawal", "withdrawal_id": w, "points": n, "account": account,
                             "lots": [[lot.lot_id, n]], "postings": [[account, -n], [L.suspense("hq"), n]]})
            for w, n in zip(ids, (held, paid, refused))]
    docs.append(("redeem_post", {"purpose": "withdrawal", "withdrawal_id": ids[1],
                                 "postings": [[L.suspense("hq"), -paid], [L.store_redeemed("hq"), paid]]}))
    docs.append(("redeem_void", {"purpose": "withdrawal", "withdrawal_id": ids[2], "lots": [[lot.lot_id, -refused]],
                                 "postings": [[L.suspense("hq"), -refused], [account, refused]]}))
    items = []
    for seq, (kind, payload) in enumerate(docs, start=1):
        event = {"event_id": str(uuid.uuid4()), "kind": kind, "store_id": "hq", "device_id": "hq", "device_seq": seq,
                 "device_time": (datetime.now(UTC).replace(tzinfo=None, microsecond=0) + timedelta(minutes=seq))
                 .isoformat(), "staff_id": None,
                 "rule_version": 1, "member_id": None, "payload": payload, "payload_hash": payload_hash(payload),
                 "hq_seq": seq, "status": "applied"}
        items.append(PullItem(hq_seq=seq, type="event", key=event["event_id"], data=event))
    pull.apply_page(ctx.db, PullResponse(items=items, cursor=len(items), more=False))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lang", default="zh_CN")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--size", default="1366x768", help="the X screen's size: part of the file name")
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    tmp = Path(tempfile.mkdtemp())
    window, runner = build(tmp / "store", lang=args.lang)
    window.show()

    def settle(pred=lambda: True, timeout=20.0):
        end = time.monotonic() + timeout
        while (not pred() or runner.pending) and time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)
        for _ in range(50):
            app.processEvents()
            time.sleep(0.005)

    settle(lambda: window.signin.staff_id is not None)
    window.signin.choose(GUIDE_ID)
    window.signin.pin.setText(DEMO_PINS["guide"])
    window.signin.submit()
    settle(lambda: window.staff is not None)
    refund_a_sale(window.ctx)
    withdrawals_from_hq(window.ctx)
    index = next(i for i, (key, _title, _w) in enumerate(window.screens) if key == "F11")
    window.show_screen(index)
    settle()
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"12-guide-points-{args.lang}-{args.size}.png"
    app.primaryScreen().grabWindow(0).save(str(path))
    print(path)
    window.shutdown()
    window.close()
    app.processEvents()
    shutil.rmtree(tmp, ignore_errors=True)
    app.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
