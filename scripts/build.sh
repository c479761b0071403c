#!/usr/bin/env bash
# Build the one-folder executable with PyInstaller, then prove it starts: --self-test
# opens a fresh store offscreen, shows the sign-in screen and exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/pip install -q "pyinstaller>=6.10"
.venv/bin/pyinstaller --noconfirm --log-level WARN --distpath build/dist --workpath build/work build.spec
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
QT_QPA_PLATFORM=offscreen build/dist/pos-app/pos-app --data "$tmp/store" --self-test
echo "built: build/dist/pos-app ($(du -sh build/dist/pos-app | cut -f1))"
