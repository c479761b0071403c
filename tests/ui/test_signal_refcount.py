"""Guard against the PySide6 6.12.0 bug that decref'd True on every signal emit.

Under Python 3.11 (no immortal objects) that aborted the app after a few thousand
emits: the camera emits a preview frame 25 times a second. pyproject.toml pins
PySide6 below 6.12; this test fails if a broken build comes back.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    fired = Signal(int, bool, object)


def test_emitting_does_not_leak_references_to_true_or_none(qapp):
    emitter = _Emitter()
    seen = []
    emitter.fired.connect(lambda i, ok, value: seen.append(i))
    true_before, none_before = sys.getrefcount(True), sys.getrefcount(None)
    for i in range(2000):
        emitter.fired.emit(i, True, None)
    assert len(seen) == 2000
    assert abs(sys.getrefcount(True) - true_before) < 50
    assert abs(sys.getrefcount(None) - none_before) < 50
