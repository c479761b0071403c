"""Labels: print a product label batch that HQ signed (stores verify labels, never mint them).

A batch file (batch-<code>.json, from HQ) is opened, every label in it verified against
the batch's key, and printed as a PDF sheet of QR labels with the product's name.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from pos_app.ui.messages import refusal_text
from pos_app.ui.tasks import TaskRunner, UseCases
from pos_app.ui.widgets import button, label, panel

labels_uc = UseCases("pos_app.scanner.labels")  # qrcode and the label signatures load on the device worker


class LabelsView(QWidget):
    def __init__(self, runner: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("page")
        self.runner = runner
        self.devices = runner
        self.ctx = self.staff = None
        self.folder = Path.home() / "labels"
        self.also: list[Path] = []  # more folders to list (the demo's signed batch)
        self.batch = None

        self.files = QListWidget()
        self.files.itemClicked.connect(lambda item: self.open_batch(Path(item.data(Qt.UserRole))))
        open_button = button(self.tr("Open batch file…"))
        open_button.clicked.connect(self.choose_file)
        self.summary = label(self.tr("Choose a label batch from HQ"), "muted", wrap=True)
        self.print_button = button(self.tr("Print label sheet (PDF)"), "primary")
        self.print_button.setEnabled(False)
        self.print_button.clicked.connect(self.print_sheet)
        self.message = label("", "muted", wrap=True)
        left = QVBoxLayout()
        left.addWidget(label(self.tr("Label batches"), "title"))
        left.addWidget(self.files, 1)
        left.addWidget(open_button)
        right = QVBoxLayout()
        right.addWidget(panel(self.summary))
        right.addWidget(self.print_button)
        right.addWidget(self.message)
        right.addStretch(1)
        box = QHBoxLayout(self)
        box.addLayout(left, 2)
        box.addLayout(right, 3)

    def start(self, ctx, staff) -> None:
        self.ctx, self.staff = ctx, staff

    def shown(self) -> None:
        self.files.clear()
        for path in [p for folder in (self.folder, *self.also) for p in sorted(folder.glob("batch-*.json"))]:
            item = QListWidgetItem(path.name)
            item.setData(Qt.UserRole, str(path))
            item.setToolTip(str(path))
            self.files.addItem(item)

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Label batch"), str(self.folder), "*.json")
        if path:
            self.open_batch(Path(path))

    def open_batch(self, path: Path) -> None:
        self.print_button.setEnabled(False)
        self.devices.run(labels_uc.load_batch, path, on_done=self._show, on_error=self._error)

    def _show(self, batch) -> None:
        self.batch = batch
        table = " · ".join(f"{p.points}×{p.weight}" for p in batch.prizes)
        self.summary.setText(self.tr("%1 · %2\nBatch %3, %4 labels, %5 points in all\nPrizes %6\nKey %7")
                             .replace("%1", batch.sku).replace("%2", batch.name).replace("%3", batch.batch)
                             .replace("%4", str(len(batch.labels))).replace("%5", f"{batch.total_points:,}")
                             .replace("%6", table).replace("%7", batch.key_id))
        self.print_button.setEnabled(True)
        self.message.setText("")

    def print_sheet(self) -> None:
        if self.batch is None:
            return
        path = self.folder / "print" / f"batch-{self.batch.batch}.pdf"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.devices.run(labels_uc.write_pdf, self.batch, path, on_done=lambda p: self.message.setText(
            self.tr("Label sheet saved to %1").replace("%1", str(p))), on_error=self._error)

    def _error(self, exc: Exception) -> None:
        self.message.setText(refusal_text(exc))
