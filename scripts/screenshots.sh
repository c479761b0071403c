#!/usr/bin/env bash
# Refresh docs/screenshots from the running app on a virtual X screen (Xvfb).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
unset QT_QPA_PLATFORM
xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python scripts/screenshots.py --lang zh_CN --all "$@"
xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python scripts/screenshots.py --lang en "$@"
xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python scripts/screenshot_offline.py --lang zh_CN "$@"
