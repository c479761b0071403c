#!/usr/bin/env bash
# The fast lane: lint, import contracts and every test not marked slow (crash loops,
# property runs, the built executable), under 5 minutes on the 2-CPU dev machine.
# The whole suite is scripts/test.sh. Extra arguments go to pytest (e.g. tests/ui).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export QT_QPA_PLATFORM=offscreen
if command -v pg_ctlcluster >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi
.venv/bin/ruff check pos_app hq_server bench scripts tests
.venv/bin/lint-imports
.venv/bin/python -m pytest -m "not slow" -p no:cacheprovider -q "$@"
