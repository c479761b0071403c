"""Small building blocks shared by the screens."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QWidget


def button(text: str, role: str = "", *, shortcut: str | None = None, parent: QWidget | None = None) -> QPushButton:
    b = QPushButton(text, parent)
    if role:
        b.setProperty("role", role)
    if shortcut:
        # A QShortcut clicks at once (setShortcut animates the click 100 ms later), and
        # being the button's child it fires only while the button is shown.
        QShortcut(QKeySequence(shortcut), b, activated=lambda: b.isEnabled() and b.click())
        b.setToolTip(shortcut)
    b.setCursor(Qt.PointingHandCursor)
    return b


def label(text: str = "", name: str = "", *, wrap: bool = False) -> QLabel:
    lb = QLabel(text)
    if name:
        lb.setObjectName(name)
    lb.setWordWrap(wrap)
    return lb


def panel(*widgets: QWidget) -> QFrame:
    frame = QFrame()
    frame.setObjectName("panel")
    box = QVBoxLayout(frame)
    for w in widgets:
        box.addWidget(w)
    return frame
