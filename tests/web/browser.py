"""A real browser for the web faces' tests: Debian's Chromium (installed by scripts/setup.sh), driven
by Playwright. Playwright never downloads a browser here: it launches /usr/bin/chromium."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

CHROMIUM = os.environ.get("HQ_TEST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def chromium_path() -> str | None:
    return CHROMIUM if Path(CHROMIUM).exists() else None


def launch(playwright):
    # --no-sandbox: CI and these machines run as root, where Chromium's sandbox will not start
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                      args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"])
