"""The wedge filter tells a scanner's burst from a person typing (pytest-qt, injected clock)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from pos_app.scanner.wedge import WedgeFilter


class FakeClock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def form(qtbot, qapp):
    clock = FakeClock()
    window = QWidget()
    layout = QVBoxLayout(window)
    name, other = QLineEdit(), QLineEdit()
    layout.addWidget(name)
    layout.addWidget(other)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    name.setFocus()
    wedge = WedgeFilter.install(qapp, clock=clock, max_gap_ms=40, min_chars=4)
    scans, submits = [], []
    wedge.scanned.connect(scans.append)
    name.returnPressed.connect(lambda: submits.append(name.text()))
    yield clock, wedge, name, other, scans, submits
    wedge.uninstall()


def type_text(qtbot, widget, clock, text: str, gap_s: float, enter: bool = True) -> None:
    """One key every `gap_s` seconds of the fake clock; Shift around capitals, as scanners send it."""
    for ch in text:
        clock.t += gap_s
        shifted = ch.isupper() or ch in ":+"
        if shifted:
            qtbot.keyPress(widget, Qt.Key_Shift)
        qtbot.keyClicks(widget, ch)
        if shifted:
            qtbot.keyRelease(widget, Qt.Key_Shift)
    if enter:
        clock.t += gap_s
        qtbot.keyClick(widget, Qt.Key_Return)


def test_a_fast_burst_ending_in_enter_is_a_scan_and_types_nothing(form, qtbot):
    clock, wedge, name, other, scans, submits = form
    type_text(qtbot, name, clock, "PM1:M:812345678901", 0.008)
    assert scans == ["PM1:M:812345678901"]
    assert name.text() == "" and submits == []  # neither typed into the field nor submitted it


def test_slow_typing_reaches_the_field_and_enter_submits(form, qtbot):
    clock, wedge, name, other, scans, submits = form
    type_text(qtbot, name, clock, "Wang Fang".replace(" ", ""), 0.15)
    assert scans == []
    assert name.text() == "WangFang" and submits == ["WangFang"]


def test_the_last_slow_key_arrives_when_the_gap_has_passed(form, qtbot):
    clock, wedge, name, other, scans, submits = form
    type_text(qtbot, name, clock, "abc", 0.2, enter=False)
    assert name.text() == "ab"  # "c" is held until the burst is known not to go on
    clock.t += 0.2
    qtbot.waitUntil(lambda: name.text() == "abc", timeout=2000)
    assert scans == []


def test_a_short_fast_burst_is_typing(form, qtbot):
    clock, wedge, name, other, scans, submits = form
    type_text(qtbot, name, clock, "123", 0.005)
    assert scans == [] and name.text() == "123" and submits == ["123"]


def test_a_burst_with_a_slow_enter_is_typing(form, qtbot):
    clock, wedge, name, other, scans, submits = form
    type_text(qtbot, name, clock, "12345678", 0.005, enter=False)
    clock.t += 0.5
    qtbot.keyClick(name, Qt.Key_Return)
    assert scans == [] and submits == ["12345678"]


def test_typing_then_a_scan_keeps_both_apart(form, qtbot):
    clock, wedge, name, other, scans, submits = form
    type_text(qtbot, name, clock, "Li", 0.2, enter=False)
    clock.t += 0.3
    type_text(qtbot, name, clock, "6901234567892", 0.01)
    assert scans == ["6901234567892"] and name.text() == "Li" and submits == []


def test_two_scans_in_a_row_and_the_field_keeps_its_text(form, qtbot):
    clock, wedge, name, other, scans, submits = form
    name.setText("keep me")
    type_text(qtbot, name, clock, "TEA-OOLONG", 0.01)
    clock.t += 1
    type_text(qtbot, other, clock, "6901234567892", 0.01)
    assert scans == ["TEA-OOLONG", "6901234567892"]
    assert name.text() == "keep me" and other.text() == ""


def test_shortcuts_work_for_a_person_but_not_inside_a_burst(form, qtbot):
    """On a table or a button (a line edit takes "-" as text itself) "-" is the checkout's shortcut."""
    from PySide6.QtWidgets import QPushButton

    clock, wedge, name, other, scans, submits = form
    window = name.window()
    button = QPushButton("pay", window)
    window.layout().addWidget(button)
    window.activateWindow()
    qtbot.waitActive(window)
    button.setFocus()
    fired = []
    QShortcut(QKeySequence("-"), window, activated=lambda: fired.append("-"))
    clock.t += 1
    qtbot.keyClick(button, Qt.Key_Minus)
    assert fired == ["-"]
    type_text(qtbot, button, clock, "TEA-OOLONG", 0.01)
    assert scans == ["TEA-OOLONG"] and fired == ["-"]


def test_disabled_filter_lets_everything_through(form, qtbot):
    clock, wedge, name, other, scans, submits = form
    wedge.enabled = False
    type_text(qtbot, name, clock, "ABCD1234", 0.005)
    assert scans == [] and name.text() == "ABCD1234" and submits == ["ABCD1234"]
