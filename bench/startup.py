"""Desktop app speed: cold start to an idle sign-in screen, and scan-to-cart latency.

    python -m bench.startup [--runs 5] [--scans 200]

cold_start_s: a fresh process on an existing store (the everyday start), from spawn to
the sign-in screen listing staff with the DB worker idle (the app's --self-test
prints its line at that moment). first_start_s is the same on an empty data folder
(migrations and demo data included). scan_to_cart_ms: in one running app, from a
decoded scan handed to the checkout to its cart row painted; scan_to_total_ms: the
same scan to the cart's new total painted (the requote follows the row's paint).
Prints one JSON line last.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

READY = "self-test ok"


def start_once(data_dir: Path) -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "pos_app", "--data", str(data_dir), "--self-test"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    for line in proc.stdout:
        if line.startswith(READY):
            elapsed = time.perf_counter() - t0
            proc.wait(timeout=30)
            return elapsed
    proc.wait(timeout=30)
    raise RuntimeError(f"the app did not report ready (exit {proc.returncode})")


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def scan_to_cart(data_dir: Path, scans: int, totals: list[float] | None = None) -> list[float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from pos_app.services.demo import CASHIER_ID, PRODUCTS
    from pos_app.ui.app import build

    app = QApplication.instance() or QApplication([])
    window, runner = build(data_dir, lang="zh_CN")
    window.show()

    def spin_until(pred, timeout=30.0):
        end = time.perf_counter() + timeout
        while not pred():
            app.processEvents()
            if time.perf_counter() > end:
                raise TimeoutError("the app did not answer")

    spin_until(lambda: window.signin.staff_id is not None)
    window.signin.choose(CASHIER_ID)
    window.signin.pin.setText("1111")
    window.signin.submit()
    spin_until(lambda: window.staff is not None)
    view = window.checkout
    codes = [barcode for _sku, _name, _cat, _price, barcode in PRODUCTS]
    out = []
    for i in range(scans):
        if i % 20 == 0:
            view.reset()
        before = sum(r.qty for r in view.cart.rows)
        t0 = time.perf_counter()
        view.handle_scan(codes[i % len(codes)])
        spin_until(lambda: sum(r.qty for r in view.cart.rows) > before)
        view.table.viewport().repaint()  # the row is on screen, not just in the model
        out.append((time.perf_counter() - t0) * 1000)
        spin_until(lambda: runner.pending == 0)  # let the requote finish before the next scan
        view.due.repaint()
        if totals is not None:
            totals.append((time.perf_counter() - t0) * 1000)
    window.shutdown()
    window.close()
    window.deleteLater()
    app.processEvents()
    app.shutdown()  # destroy Qt objects now, not in arbitrary order at interpreter exit
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scans", type=int, default=200)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "store"
        first = start_once(data)
        print(f"first start (empty store): {first:.2f} s", file=sys.stderr)
        starts = [start_once(data) for _ in range(args.runs)]
        print(f"cold starts: {', '.join(f'{s:.2f}' for s in starts)} s", file=sys.stderr)
        totals: list[float] = []
        latencies = scan_to_cart(data, args.scans, totals)
    result = {
        "cold_start_s": round(statistics.median(starts), 3),
        "cold_start_max_s": round(max(starts), 3),
        "first_start_s": round(first, 3),
        "scan_to_cart_ms": round(p95(latencies), 2),
        "scan_to_cart_p50_ms": round(statistics.median(latencies), 2),
        "scan_to_total_ms": round(p95(totals), 2),
        "scans": len(latencies),
        "runs": args.runs,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
