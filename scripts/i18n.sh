#!/usr/bin/env bash
# Refresh the Chinese catalogue from the UI sources, then compile it.
# New strings arrive as "unfinished": translate them in the .ts (Qt Linguist:
# .venv/bin/pyside6-linguist resources/i18n/pos_zh_CN.ts), then run this again.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/pyside6-lupdate -no-obsolete $(find pos_app/ui -name '*.py' | sort) -ts resources/i18n/pos_zh_CN.ts
.venv/bin/pyside6-lrelease resources/i18n/pos_zh_CN.ts -qm resources/i18n/pos_zh_CN.qm
