"""bench.ledger at a tiny size: its JSON line, and the store it built is a valid ledger.

No timing asserts: the figures depend on the machine. The checker the bench and the
crash-safety test rely on is checked too: it must see a tampered database.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bench.ledger import check_store

ROOT = Path(__file__).resolve().parent.parent.parent
KEYS = {"events", "checkout_p50_ms", "checkout_p99_ms", "balance_p50_ms", "balance_p99_ms", "balance_ratio",
        "fill_seconds", "db_mb", "statement_p50_ms", "statement_p99_ms", "ledger_ok"}


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench-ledger")
    proc = subprocess.run([sys.executable, "-m", "bench.ledger", "--events", "2000", "--baseline-events", "1000",
                           "--checkouts", "20", "--reads", "200", "--dir", str(folder)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1]), proc.stderr


def test_prints_its_figures_as_one_json_line_last(bench_run):
    result, _ = bench_run
    assert KEYS <= result.keys()
    assert result["events"] >= 2000
    assert result["ledger_ok"] is True
    assert result["checkouts"] == 20
    for key in KEYS - {"events", "ledger_ok"}:
        assert isinstance(result[key], (int, float)) and result[key] >= 0, key


def test_the_store_it_built_is_a_valid_ledger_of_mixed_events(bench_run):
    result, _ = bench_run
    db = Path(result["db"])
    assert check_store(db) == []
    con = sqlite3.connect(db)
    try:
        kinds = dict(con.execute("SELECT kind, COUNT(*) FROM events GROUP BY kind").fetchall())
        members = con.execute("SELECT COUNT(*) FROM members").fetchone()[0]
        used = con.execute("SELECT COUNT(*) FROM sales WHERE coupons <> '[]'").fetchone()[0]
    finally:
        con.close()
    for kind in ("member_register", "earn", "redeem_post", "guide_earn", "label_earn", "tier_change", "adjust"):
        assert kinds.get(kind), f"no {kind} events in {kinds}"
    assert members >= 200
    assert used, "some fill sales should apply a coupon bought with points"


@pytest.mark.parametrize("tamper, finding", [
    ("DELETE FROM outbox WHERE device_seq = (SELECT MAX(device_seq) FROM outbox)", "outbox"),
    ("UPDATE balances SET balance = balance + 1 WHERE account LIKE 'member:%' AND rowid = "
     "(SELECT MIN(rowid) FROM balances WHERE account LIKE 'member:%')", "balances that differ"),
    ("DELETE FROM sale_lines WHERE rowid = (SELECT MIN(rowid) FROM sale_lines)", "sale"),
    ("DELETE FROM sales WHERE sale_id = (SELECT sale_id FROM sales WHERE earn_event IS NOT NULL LIMIT 1)", "sale"),
    ("UPDATE lots SET remaining = remaining - 1 WHERE rowid = (SELECT MIN(rowid) FROM lots WHERE remaining > 0)",
     "lots' remaining"),
])
def test_the_checker_sees_a_tampered_store(bench_run, tmp_path, tamper, finding):
    result, _ = bench_run
    copy = tmp_path / "store.sqlite3"
    src = sqlite3.connect(result["db"])
    dst = sqlite3.connect(copy)
    src.backup(dst)
    src.close()
    dst.execute("PRAGMA foreign_keys=OFF")
    dst.execute(tamper)
    dst.commit()
    dst.close()
    problems = check_store(copy)
    assert any(finding in p for p in problems), problems
