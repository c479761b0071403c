"""Instant feedback on every scan: a beep and a colour on the scan box.

A wrong scan beeps twice so a cashier who is looking at the customer hears the
difference without looking at the screen.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

FLASH_MS = 600


def flash(widget: QWidget, state: str) -> None:
    """Colour `widget` by its `flash` property ("ok" or "error") for a moment."""
    widget.setProperty("flash", state)
    _repolish(widget)
    QTimer.singleShot(FLASH_MS, lambda: _clear(widget))


def beep(ok: bool) -> None:
    QApplication.beep()
    if not ok:
        QTimer.singleShot(150, QApplication.beep)


def scanned(widget: QWidget, ok: bool) -> None:
    flash(widget, "ok" if ok else "error")
    beep(ok)


def _clear(widget: QWidget) -> None:
    try:
        widget.setProperty("flash", "")
        _repolish(widget)
    except RuntimeError:  # the widget was closed meanwhile
        pass


def _repolish(widget: QWidget) -> None:
    widget.style().unpolish(widget)
    widget.style().polish(widget)
