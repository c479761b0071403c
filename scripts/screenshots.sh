#!/usr/bin/env bash
# Refresh docs/screenshots from the running app on a virtual X screen (Xvfb): every main
# screen in Chinese at 1366x768, 1024x768 and 1920x1080 (the window starts maximised, so
# the X screen's size is the size shot), the checkout in English, the offline banner and
# "My guide points" (F11) at every size.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
unset QT_QPA_PLATFORM
for size in 1366x768 1024x768 1920x1080; do
  xvfb-run -a -s "-screen 0 ${size}x24" .venv/bin/python scripts/screenshots.py --lang zh_CN --all --size "$size" "$@"
done
xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python scripts/screenshots.py --lang en --size 1366x768 "$@"
xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python scripts/screenshot_offline.py --lang zh_CN "$@"
# "My guide points" (F11) with a refund and every withdrawal state: Chinese at each size, English at 1366x768
for size in 1366x768 1024x768 1920x1080; do
  xvfb-run -a -s "-screen 0 ${size}x24" .venv/bin/python scripts/screenshot_guide_points.py --lang zh_CN --size "$size" "$@"
done
xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python scripts/screenshot_guide_points.py --lang en --size 1366x768 "$@"
