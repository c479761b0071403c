#!/usr/bin/env bash
# Set up if needed, then run the module-boundary contracts and the whole test suite.
# Services the tests need (PostgreSQL for the HQ tests, Xvfb) are started here or by
# the tests themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export QT_QPA_PLATFORM=offscreen
# PostgreSQL is part of this machine's kind; start it if a previous session stopped it.
if command -v pg_ctlcluster >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi
echo "== lint (pyflakes)"
.venv/bin/ruff check pos_app hq_server bench scripts tests
echo "== import contracts"
.venv/bin/lint-imports
echo "== types (mypy --strict: pyproject [tool.mypy])"
.venv/bin/mypy
echo "== tests"
.venv/bin/python -m pytest "$@"
# The one-folder executable must build and start (skip locally with SKIP_BUILD=1).
if [ "${SKIP_BUILD:-0}" != "1" ]; then
  echo "== PyInstaller build and self-test"
  bash scripts/build.sh
fi
