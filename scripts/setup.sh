#!/usr/bin/env bash
# One-time (and idempotent) set-up on a fresh Debian machine: system packages,
# a virtualenv in .venv and the project installed into it. Re-running is cheap:
# each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

# chromium, chromium-driver: the web faces' tests drive Debian's browser (Playwright launches
# /usr/bin/chromium; no browser is ever downloaded). libzbar0: pyzbar's decoder. fonts-noto-cjk: Chinese glyphs for the UI and labels.
# xvfb: a real X screen for screenshots. The libxcb/libegl/... set is what Qt's
# xcb and offscreen platforms load at run time on a bare machine.
SYSTEM_PACKAGES=(libzbar0 fonts-noto-cjk xvfb libxkbcommon0 libxkbcommon-x11-0 libegl1 libgl1
  libfontconfig1 libdbus-1-3 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0
  libxcb-randr0 libxcb-render-util0 libxcb-xinerama0 libxcb-image0 libglib2.0-0 chromium chromium-driver)

missing=()
for p in "${SYSTEM_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing system packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PY" -m venv .venv
  .venv/bin/pip install -q --upgrade pip
fi
# Reinstall only when the dependency list changed.
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo "setup: installing Python packages"
  .venv/bin/pip install -q -e '.[dev]'
  rm -f .venv/.installed-*
  touch "$stamp"
fi
# The decoder needs both barcode libraries (zxing-cpp from its wheel, zbar from libzbar0):
# fail here, not at the first scan.
.venv/bin/python -c "import zxingcpp, pyzbar.pyzbar" || { echo "setup: zxing-cpp or zbar is missing" >&2; exit 1; }
