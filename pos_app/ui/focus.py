"""Focus moves only where the cashier's keys will follow.

Keys typed ahead of the screen are queued by Qt and delivered to whichever field has
focus when they are read. An answer from the DB worker that moved focus (to the scan
box after a sale, to the PIN after a member was found) would send the digits still
being typed into another field: a member's PIN into the cash box, in clear. So a
screen moves focus at once when the cashier acts (their next keys belong there), and
an answer that arrives later moves it only if no key was pressed since the cashier
asked (`FocusKeeper.asked` / `settle`).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QWidget


class _KeyClock(QObject):
    """When the last key was pressed anywhere in the app (one filter, installed once)."""

    last = 0.0

    def eventFilter(self, _obj, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.KeyPress:
            _KeyClock.last = time.monotonic()
        return False


_clock: _KeyClock | None = None


def _install() -> None:
    global _clock
    app = QApplication.instance()
    if _clock is None and app is not None:
        _clock = _KeyClock(app)
        app.installEventFilter(_clock)


class FocusKeeper:
    def __init__(self, owner: QWidget):
        _install()
        self.owner = owner
        self.since = 0.0

    def asked(self) -> None:
        """The cashier just asked for something whose answer may move focus."""
        self.since = time.monotonic()

    def typed_since(self) -> bool:
        return _KeyClock.last > self.since

    def settle(self, widget: QWidget) -> None:
        """Focus `widget` for the answer, unless the cashier typed on meanwhile (their keys
        went to the field they were in, and the rest of them must follow there)."""
        if not self.typed_since():
            widget.setFocus()
