"""The status bar: store, staff, and the sync state (online, pending, last sync, window left)."""

from __future__ import annotations

from PySide6.QtWidgets import QStatusBar

from pos_app.ui.widgets import label


class SyncStatusBar(QStatusBar):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.store = label("", "muted")
        self.staff = label("", "muted")
        self.sync = label(self.tr("Not enrolled with HQ: working offline"), "muted")
        self.busy = label("", "muted")
        self.addWidget(self.store)
        self.addWidget(self.staff)
        self.addPermanentWidget(self.busy)
        self.addPermanentWidget(self.sync)

    def set_store(self, name: str) -> None:
        self.store.setText(name)

    def set_staff(self, name: str) -> None:
        self.staff.setText(name)

    def set_busy(self, pending: int) -> None:
        self.busy.setText("⏳" if pending else "")
