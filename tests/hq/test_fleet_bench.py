"""Smoke test of `python -m bench.fleet`: a handful of tills for a second a phase, its JSON line last.

No timing is asserted (the figures depend on the machine); what is checked is that every till's cycles
went through without an error and that the figures the issue asks for are there and measured.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.hq.server import PG_ADMIN, ROOT, need_postgres

KEYS = {"cycles_per_s", "hq_cpu_ms_per_cycle", "pg_cpu_ms_per_cycle", "latency_ms", "errors", "tills_at_30s",
        "hq_cpu_ms_per_busy_cycle", "hq_cpu_ms_per_idle_cycle", "load_avg_1m_start", "phases"}


def test_bench_fleet_runs_every_phase_without_errors():
    need_postgres()
    db = PG_ADMIN.replace("postgresql://", "postgresql+psycopg://", 1)
    out = subprocess.run([sys.executable, "-m", "bench.fleet", "--tills", "6", "--threads", "3", "--db", db,
                          "--seconds", "1.5", "--warmup", "0.5"], cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert KEYS <= set(result), KEYS - set(result)
    assert result["errors_all_phases"] == 0, result
    assert set(result["phases"]) == {"mixed", "busy", "idle"}
    busy, idle = result["phases"]["busy"], result["phases"]["idle"]
    assert busy["busy_cycles"] > 0 and busy["idle_cycles"] == 0 and "push" in busy["latency_ms"]["busy"]
    assert idle["idle_cycles"] > 0 and idle["busy_cycles"] == 0 and not idle["latency_ms"]["busy"]
    for phase in (busy, idle):
        assert phase["hq_cpu_ms_per_cycle"] > 0 and phase["pg_cpu_ms_per_cycle"] > 0
        assert phase["latency_ms"][("busy" if phase is busy else "idle")]["handshake"]["p95"] > 0
