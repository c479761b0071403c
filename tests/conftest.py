import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Qt tests never need a screen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# The fast lane, `pytest -m "not slow"` (scripts/test-fast.sh), leaves out what the full one
# runs besides: tests marked slow in their file, the PostgreSQL half of the tests that run on
# both of HQ's backends (SQLite half kept), and the tests listed in slow-tests.txt (each took
# a second or more on the 2-CPU machine; the list is refreshed from `--durations`).
SLOW_LIST = Path(__file__).with_name("slow-tests.txt")


def _listed() -> set[str]:
    if not SLOW_LIST.exists():
        return set()
    lines = SLOW_LIST.read_text(encoding="utf-8").splitlines()
    return {ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")}


def pytest_collection_modifyitems(config, items):
    listed = _listed()
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        on_postgres = any(isinstance(v, str) and v == "postgresql" for v in params.values())
        if item.nodeid in listed or on_postgres:
            item.add_marker(pytest.mark.slow)


# Input generation's speed is the machine's, not the code's: on a busy CI runner Hypothesis' too_slow
# check failed a property whose examples are cheap (4 inputs in 1.08 s at load 15). Every other health
# check stays on, and each test's own settings (examples, deadline) still apply.
settings.register_profile("project", suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("project")
