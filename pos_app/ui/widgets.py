"""Small building blocks shared by the screens."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QWidget


def button(text: str, role: str = "", *, shortcut: str | None = None, parent: QWidget | None = None) -> QPushButton:
    b = QPushButton(text, parent)
    if role:
        b.setProperty("role", role)
    if shortcut:
        b.setShortcut(shortcut)
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
