"""The list a manager reads when sync found something: events HQ rejected, flagged or
keeps waiting, HQ's corrections of this store's points, pulled items the store could
not apply. Opened from the status bar's red button; read-only."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import QDialog, QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout

from pos_app.ui.tasks import TaskRunner, UseCases, message_of
from pos_app.ui.times import minute
from pos_app.ui.widgets import button, label

attention_uc = UseCases("pos_app.services.sync_attention")

WHAT = {
    "rejected": QT_TRANSLATE_NOOP("SyncProblems", "HQ rejected"),
    "mismatch": QT_TRANSLATE_NOOP("SyncProblems", "HQ holds a different copy"),
    "duplicate_serial": QT_TRANSLATE_NOOP("SyncProblems", "Label already claimed elsewhere"),
    "flagged": QT_TRANSLATE_NOOP("SyncProblems", "Flagged by HQ"),
    "waiting": QT_TRANSLATE_NOOP("SyncProblems", "Waiting for its original sale"),
    "correction": QT_TRANSLATE_NOOP("SyncProblems", "Corrected by HQ"),
    "unapplied": QT_TRANSLATE_NOOP("SyncProblems", "Could not apply HQ's record"),
}


class SyncProblemsDialog(QDialog):
    def __init__(self, runner: TaskRunner, ctx, parent=None):
        super().__init__(parent)
        self.tz = getattr(ctx, "timezone", None)
        self.setWindowTitle(self.tr("Sync problems"))
        self.resize(900, 480)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels([self.tr("What"), self.tr("Kind"), self.tr("When"), self.tr("Member"),
                                              self.tr("Reason")])
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.Stretch)
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.message = label(self.tr("Loading…"), "muted", wrap=True)
        close = button(self.tr("Close"), shortcut="Esc")
        close.clicked.connect(self.accept)
        box = QVBoxLayout(self)
        box.addWidget(label(self.tr("What HQ said about this store's records"), "title"))
        box.addWidget(self.table, 1)
        box.addWidget(self.message)
        box.addWidget(close)
        runner.run(attention_uc.sync_attention, ctx, on_done=self.show_rows,
                   on_error=lambda exc: self.message.setText(message_of(exc)))

    def show_rows(self, rows) -> None:
        self.rows = rows
        self.table.setRowCount(len(rows))
        for i, a in enumerate(rows):
            values = (QCoreApplication.translate("SyncProblems", WHAT.get(a.what, a.what)), a.kind, minute(a.at, self.tz) if a.at else "",
                      (a.member_id or "")[:8], a.reason)
            for j, value in enumerate(values):
                self.table.setItem(i, j, QTableWidgetItem(value))
        self.message.setText(self.tr("{n} records need a manager's look.").format(n=len(rows)) if rows
                             else self.tr("Nothing to review."))
