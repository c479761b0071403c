"""Smoke test of `python -m bench.sync`: it runs end to end on a small N and prints its JSON last.

No timing is asserted (the figures depend on the machine); what is checked is that every
pushed event was answered ok and the figures the issue asks for are there.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.hq.server import PG_ADMIN, ROOT, need_postgres

KEYS = {"events", "answered_ok", "push_seconds", "hq_events_per_s", "raw_insert_events_per_s", "ratio", "raw_rows",
        "pull_new_100_ms_before", "pull_new_100_ms_after", "pull_new_1000_ms_after", "feed_rows_before",
        "feed_rows_after", "reader_feed_rows_before", "reader_feed_rows_after", "workers", "db"}


def run_bench(db: str, events: int) -> dict:
    out = subprocess.run([sys.executable, "-m", "bench.sync", "--events", str(events), "--db", db, "--pull-reps", "1"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    last = out.stdout.strip().splitlines()[-1]
    return json.loads(last)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_bench_sync_runs_and_every_event_is_answered(backend):
    if backend == "sqlite":
        db = "sqlite"
    else:
        need_postgres()
        db = PG_ADMIN.replace("postgresql://", "postgresql+psycopg://", 1)
    result = run_bench(db, 600)
    assert KEYS <= set(result), KEYS - set(result)
    assert result["db"] == backend and result["workers"] >= 2
    assert result["events"] == result["answered_ok"] == 600
    for key in ("push_seconds", "hq_events_per_s", "raw_insert_events_per_s", "ratio", "pull_new_100_ms_before",
                "pull_new_100_ms_after", "pull_new_1000_ms_after"):
        assert isinstance(result[key], (int, float)) and result[key] > 0, key
    assert result["feed_rows_after"] > result["feed_rows_before"]
    assert result["reader_feed_rows_after"] >= result["reader_feed_rows_before"] + 600  # the --history events
    # the ceiling rewrites what HQ wrote for the timed events: every event, its postings, its lots, balances
    rows = result["raw_rows"]
    assert rows["events"] == 600 and rows["postings"] >= 2 * 600 and rows["lots"] > 0 and rows["balances"] > 0
    assert rows["lot_updates"] > 0 and rows["feed"] > 0
    if backend == "postgresql":
        # COPY beats executemany; which of its formats wins on 600 events is the machine's noise
        assert result["raw_insert_path"] in ("copy", "copy_text")
        assert result["raw_events_only_events_per_s"] > 0 and result["raw_copy_text_events_per_s"] > 0
