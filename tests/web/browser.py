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


_shared: dict = {}


def shared_browser():
    """One Playwright and one Chromium for the whole test process: fixtures of the same name imported
    into several conftests (tests/web, tests/console, the mall's) are separate fixtures, and a second
    sync Playwright started while the first runs fails."""
    if "browser" not in _shared:
        import atexit

        from playwright.sync_api import sync_playwright
        _shared["playwright"] = sync_playwright().start()
        _shared["browser"] = launch(_shared["playwright"])
        atexit.register(close_shared)
    return _shared["browser"]


def close_shared() -> None:
    browser, pw = _shared.pop("browser", None), _shared.pop("playwright", None)
    if browser is not None:
        browser.close()
    if pw is not None:
        pw.stop()
