"""Screenshot of an enrolled till while HQ is down: the offline banner and the status bar.

    bash scripts/screenshots.sh        # runs this under Xvfb after the main screens

A real HQ (`hq-server serve` on SQLite in a temporary folder) enrols a fresh till, which
syncs once; HQ is then killed and the cashier makes a sale, so the banner, the pending
count and the offline window left are what the app really shows.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/hq/server.py starts the HQ process

from pos_app.domain.catalog import Product  # noqa: E402
from pos_app.domain.staff import Role, Staff, hash_pin  # noqa: E402
from pos_app.services import members  # noqa: E402
from pos_app.services.demo import CASHIER_ID, DEMO_RULES, MANAGER_ID, PRODUCTS  # noqa: E402
from pos_app.services.setup import open_store  # noqa: E402
from pos_app.store import repos  # noqa: E402
from pos_app.sync.enrol import enrol  # noqa: E402
from pos_app.ui.app import build  # noqa: E402
from tests.hq.server import HQServer, sqlite_url  # noqa: E402


def fresh_till(folder: Path, hq: HQServer) -> None:
    ctx = open_store(folder)
    with ctx.db.write() as conn:
        repos.save_rules(conn, DEMO_RULES, ctx.now())
        repos.save_staff(conn, Staff(CASHIER_ID, "王芳 (收银)", Role.CASHIER, hash_pin("1111")))
        repos.save_staff(conn, Staff(MANAGER_ID, "李经理 (店长)", Role.MANAGER, hash_pin("9999")))
        for sku, name, cat, price, barcode in PRODUCTS:
            repos.save_product(conn, Product(sku, name, cat, price, barcode))
    hq.create_store("store-021", "上海徐汇店")
    enrol(ctx.db, hq.url, hq.enrolment_token("store-021"), "till-1", who=ctx.who)
    members.register_member(ctx, staff_id=CASHIER_ID, phone="13800138000", name="张伟")
    ctx.db.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lang", default="zh_CN")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    app = QApplication(sys.argv[:1])
    with HQServer(sqlite_url(tmp / "hq"), log=tmp / "hq.log") as hq:
        fresh_till(tmp / "store", hq)
        window, runner = build(tmp / "store", lang=args.lang, demo=False)
        window.sync.interval = 1.0
        window.sync.sched_kw = {"base_backoff": 0.5, "max_backoff": 2.0}
        window.showMaximized()

        def settle(pred=lambda: True, timeout=20.0):
            end = time.monotonic() + timeout
            while (not pred() or runner.pending) and time.monotonic() < end:
                app.processEvents()
                time.sleep(0.01)
            for _ in range(50):
                app.processEvents()
                time.sleep(0.005)

        settle(lambda: window.sync.last is not None and window.sync.last.state == "online"
               and window.sync.last.pending == 0)
        window.signin.choose(CASHIER_ID)
        window.signin.pin.setText("1111")
        window.signin.submit()
        settle(lambda: window.staff is not None)
        hq.kill()
        co = window.checkout
        for code in ("13800138000", "TEA-PUER", "MILKTEA-L"):
            co.handle_scan(code)
            settle()
        co.finish()
        settle(lambda: co.last_sale is not None)
        co.handle_scan("13800138000")
        settle(lambda: window.banner.isVisible() and window.sync.last.pending > 0)
        path = args.out / f"12-offline-banner-{args.lang}.png"
        app.primaryScreen().grabWindow(0).save(str(path))
        print(path)
        window.shutdown()
        window.close()
    app.processEvents()
    shutil.rmtree(tmp, ignore_errors=True)
    app.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
