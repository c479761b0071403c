"""Keyboard-wedge scanners: a burst of keys ending in Enter is a scan, not typing.

A USB scanner "types" its code a few milliseconds a key and presses Enter; a person
leaves 80 ms or more between keys. Installed on the QApplication, `WedgeFilter` holds
back keys that could start a scan. If the burst ends in Enter quickly enough and is
long enough, it emits `scanned(text)` and the keys never reach the focused field
(so a scan into the member-name box neither types the code nor submits the form).
Otherwise the held keys are replayed, in order, to the widget they were meant for:
a person's first key arrives `max_gap_ms` late, which nobody notices.

Keys that cannot start one of our codes (punctuation, function keys, arrows) are not
held, so shortcuts such as `+` and `-` on the checkout keep working; inside a burst
every printable key is held and its shortcut suppressed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

ENTER_KEYS = (Qt.Key_Return, Qt.Key_Enter)
# scanners press Shift for capitals: a modifier alone neither ends nor starts a burst
_MODIFIER_KEYS = (Qt.Key_Shift, Qt.Key_Control, Qt.Key_Alt, Qt.Key_Meta, Qt.Key_AltGr, Qt.Key_CapsLock)


@dataclass
class _Held:
    receiver: QObject
    key: int
    modifiers: Qt.KeyboardModifier
    text: str


class WedgeFilter(QObject):
    scanned = Signal(str)

    def __init__(self, parent: QObject | None = None, *, clock: Callable[[], float] = time.monotonic,
                 max_gap_ms: float = 40.0, min_chars: int = 4, terminators=ENTER_KEYS):
        super().__init__(parent)
        self.clock = clock  # seconds, monotonic; injectable so tests decide how fast "keys" are
        self.max_gap = max_gap_ms / 1000
        self.min_chars = min_chars
        self.terminators = tuple(terminators)
        self.enabled = True
        self._held: list[_Held] = []
        self._last = 0.0
        self._replaying = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._timeout)

    @classmethod
    def install(cls, app: QApplication | None = None, **options) -> WedgeFilter:
        app = app or QApplication.instance()
        wedge = cls(app, **options)
        app.installEventFilter(wedge)
        return wedge

    def uninstall(self) -> None:
        self._replay()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    # --- the filter -----------------------------------------------------------------
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if self._replaying or not self.enabled or kind not in (QEvent.KeyPress, QEvent.ShortcutOverride):
            return False
        if not isinstance(event, QKeyEvent):
            return False
        key, text = event.key(), event.text()
        if key in _MODIFIER_KEYS:
            return False
        if kind == QEvent.ShortcutOverride:
            # mid-burst a scanner's "-" or "+" must not trigger the checkout's shortcuts
            if self._held and (key in self.terminators or _printable(text)) and self._fast():
                event.accept()
                return True
            return False
        now = self.clock()
        if key in self.terminators:
            if len(self._held) >= self.min_chars and now - self._last <= self.max_gap:
                code = "".join(h.text for h in self._held)
                self._held.clear()
                self._timer.stop()
                self.scanned.emit(code)
                return True
            self._replay()
            return False
        plain = not (event.modifiers() & (Qt.ControlModifier | Qt.AltModifier | Qt.MetaModifier))
        if self._held and plain and _printable(text) and now - self._last <= self.max_gap:
            self._hold(obj, event, now)
            return True
        self._replay()  # a slow key: what was held was a person typing
        if plain and _can_start(text):
            self._hold(obj, event, now)
            return True
        return False

    # --- holding and giving back ----------------------------------------------------------
    def _fast(self) -> bool:
        return self.clock() - self._last <= self.max_gap

    def _hold(self, obj: QObject, event: QKeyEvent, now: float) -> None:
        self._held.append(_Held(obj, event.key(), event.modifiers(), event.text()))
        self._last = now
        self._timer.start(max(1, int(self.max_gap * 1000) + 10))

    def _timeout(self) -> None:
        wait = self.max_gap - (self.clock() - self._last)
        if wait > 0 and self._held:  # the (injected) clock says the burst may go on
            self._timer.start(max(1, int(wait * 1000) + 5))
            return
        self._replay()

    def _replay(self) -> None:
        self._timer.stop()
        held, self._held = self._held, []
        if not held:
            return
        self._replaying = True
        try:
            for h in held:
                if not shiboken6.isValid(h.receiver):
                    continue
                for kind in (QEvent.KeyPress, QEvent.KeyRelease):
                    QApplication.sendEvent(h.receiver, QKeyEvent(kind, h.key, h.modifiers, h.text))
        finally:
            self._replaying = False


def _printable(text: str) -> bool:
    return len(text) == 1 and text.isprintable() and text != " "


def _can_start(text: str) -> bool:
    """Every code we scan starts with a letter or digit (PM1:..., EAN-13, SKUs)."""
    return len(text) == 1 and text.isascii() and text.isalnum()
