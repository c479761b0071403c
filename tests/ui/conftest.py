"""A real app on a fresh store in tmp_path, driven by keys and clicks (offscreen Qt)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from pos_app.services.demo import CASHIER_ID, MANAGER_ID
from pos_app.ui.app import build

WAIT_MS = 15000


@pytest.fixture
def app_window(qtbot, tmp_path):
    window, runner = build(tmp_path / "store", lang="en")
    qtbot.addWidget(window)
    window.show()
    # QTest types faster than any person, so the wedge would take every typed line for a
    # scan: off here, on in the tests about scanning (tests/ui/test_scanning.py).
    window.wedge.enabled = False
    qtbot.waitUntil(lambda: window.ctx is not None and window.signin.staff_id is not None, timeout=WAIT_MS)
    yield window
    window.wedge.uninstall()
    window.shutdown()


def sign_in(qtbot, window, staff_id: str = CASHIER_ID, pin: str = "1111") -> None:
    window.signin.choose(staff_id)
    qtbot.keyClicks(window.signin.pin, pin)
    qtbot.keyClick(window.signin.pin, Qt.Key_Return)


@pytest.fixture
def cashier(qtbot, app_window):
    sign_in(qtbot, app_window)
    qtbot.waitUntil(lambda: app_window.staff is not None, timeout=WAIT_MS)
    return app_window


def idle(qtbot, window) -> None:
    """Wait until the DB worker has answered everything asked of it."""
    qtbot.waitUntil(lambda: window.runner.pending == 0, timeout=WAIT_MS)


__all__ = ["MANAGER_ID", "sign_in", "idle", "WAIT_MS"]
