#!/usr/bin/env bash
# Set up if needed, then start the store app on its embedded SQLite database
# (demo data is created on first start). Extra arguments go to `pos-app`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/pos-app "$@"
