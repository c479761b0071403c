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
if [ "$#" -eq 0 ]; then
  # The whole suite: the longest runs (the multistore and two-HQ property runs, the API fuzz) go in a
  # second pytest beside the rest, as one pytest keeps one of CI's 2 CPUs busy and the run must stay
  # under 30 minutes. Both use their own HQ servers, ports and databases.
  heavy=(tests/sync/test_multistore_properties.py tests/sync/test_two_hqs.py tests/hq/test_api_fuzz.py)
  heavy_log=$(mktemp)
  .venv/bin/python -m pytest -p no:cacheprovider "${heavy[@]}" >"$heavy_log" 2>&1 &
  heavy_pid=$!
  rest=0
  .venv/bin/python -m pytest -p no:cacheprovider $(printf -- '--ignore=%s ' "${heavy[@]}") || rest=$?
  heavy_rc=0
  wait "$heavy_pid" || heavy_rc=$?
  echo "== tests: the long runs (${heavy[*]})"
  cat "$heavy_log"
  rm -f "$heavy_log"
  if [ "$rest" != 0 ] || [ "$heavy_rc" != 0 ]; then exit 1; fi
else
  .venv/bin/python -m pytest "$@"
fi
# The one-folder executable must build and start (skip locally with SKIP_BUILD=1).
if [ "${SKIP_BUILD:-0}" != "1" ]; then
  echo "== PyInstaller build and self-test"
  bash scripts/build.sh
fi
