"""Refunds and returns: find the sale by its receipt number, choose lines and quantities."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QFormLayout, QHBoxLayout, QHeaderView, QLineEdit, QListWidget, QListWidgetItem,
                               QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from pos_app.domain.money import format_fen
from pos_app.domain.problems import Refused
from pos_app.ui import feedback
from pos_app.ui.messages import refusal_text
from pos_app.ui.tasks import TaskRunner, UseCases
from pos_app.ui.times import minute
from pos_app.ui.widgets import button, label

catalog_uc = UseCases("pos_app.services.catalog")
refunds_uc = UseCases("pos_app.services.refunds")


def sale_with_names(ctx, key: str):
    """The sale, its lines and each line's product name (one DB-worker job)."""
    sale, lines = refunds_uc.sale_lines(ctx, key)
    names = {}
    for sku in {s.sku for s in lines}:
        try:
            names[sku] = catalog_uc.product_for_code(ctx, sku).name
        except Refused:  # a product since removed from the catalogue: its code will do
            names[sku] = sku
    return sale, lines, names


class RefundsView(QWidget):
    def __init__(self, runner: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("page")
        self.runner = runner
        self.ctx = self.staff = None
        self.sale = None
        self.sold: list = []

        self.receipt = QLineEdit()
        self.receipt.setObjectName("scanBox")
        self.receipt.setPlaceholderText(self.tr("Scan the receipt's QR code, or pick a sale of today"))
        self.receipt.returnPressed.connect(lambda: self.load_sale())
        self.sale_line = label("", "muted", wrap=True)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels([self.tr("Item"), self.tr("Sold"), self.tr("Refunded"),
                                              self.tr("Paid"), self.tr("Refund qty")])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(56)  # the quantity spin boxes need 49 px
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(self.tr("e.g. damaged, wrong size"))
        self.manager_pin = QLineEdit()
        self.manager_pin.setEchoMode(QLineEdit.Password)
        self.manager_pin.returnPressed.connect(self.do_refund)
        form = QFormLayout()
        form.addRow(self.tr("Reason"), self.reason)
        form.addRow(self.tr("Manager PIN"), self.manager_pin)
        self.all_button = button(self.tr("Refund everything"))
        self.all_button.clicked.connect(self.select_all)
        self.refund_button = button(self.tr("Refund"), "danger")
        self.refund_button.clicked.connect(self.do_refund)
        self.message = label("", "muted", wrap=True)
        # today's sales, newest first: one click instead of a 20-character receipt number
        self.today = QListWidget()
        self.today.setMinimumWidth(260)
        self.today.itemClicked.connect(lambda item: self.open_receipt(item.data(Qt.UserRole)))
        self.today.itemActivated.connect(lambda item: self.open_receipt(item.data(Qt.UserRole)))
        work = QVBoxLayout()
        work.addWidget(self.receipt)
        work.addWidget(self.sale_line)
        work.addWidget(self.table, 1)
        work.addWidget(self.all_button)
        work.addLayout(form)
        work.addWidget(self.refund_button)
        work.addWidget(self.message)
        side = QVBoxLayout()
        side.addWidget(label(self.tr("Today's sales"), "title"))
        side.addWidget(self.today, 1)
        row = QHBoxLayout()
        row.addLayout(work, 3)
        row.addLayout(side, 1)
        box = QVBoxLayout(self)
        box.addWidget(label(self.tr("Refunds and returns"), "title"))
        box.addLayout(row, 1)

    def start(self, ctx, staff) -> None:
        self.ctx, self.staff = ctx, staff

    def shown(self) -> None:
        self.receipt.setFocus()
        self.runner.run(refunds_uc.todays_sales, self.ctx, on_done=self._show_today)

    def _show_today(self, sales: list) -> None:
        self.today.clear()
        for s in sales:
            text = self.tr("%1 · %2").replace("%1", minute(s.created_at, self.ctx.timezone)[-5:])\
                .replace("%2", format_fen(s.due_fen))
            if s.refunded_fen:
                text += " · " + self.tr("refunded %1").replace("%1", format_fen(s.refunded_fen))
            item = QListWidgetItem(text)
            item.setToolTip(s.receipt_no)
            item.setData(Qt.UserRole, s.receipt_no)
            self.today.addItem(item)

    def open_receipt(self, receipt_no: str) -> None:
        self.receipt.setText(receipt_no)
        self.load_sale()

    def scanned(self, text: str) -> None:
        self.receipt.setText(text)
        self.load_sale()

    def load_sale(self, keep_message: bool = False) -> None:
        key = self.receipt.text().strip() or (self.sale["receipt_no"] if keep_message and self.sale else "")
        if not keep_message:
            self.message.setText("")
        if key:
            self.runner.run(sale_with_names, self.ctx, key, on_done=self._show_sale, on_error=self._error)

    def _show_sale(self, found) -> None:
        self.sale, self.sold, names = found
        feedback.scanned(self.receipt, True)
        self.sale_line.setText(self.tr("Receipt %1 · %2 · due %3").replace("%1", self.sale["receipt_no"])
                               .replace("%2", minute(self.sale["created_at"], self.ctx.timezone))
                               .replace("%3", format_fen(self.sale["due_fen"])))
        self.table.setRowCount(len(self.sold))
        for i, s in enumerate(self.sold):
            for j, value in enumerate((names.get(s.sku, s.sku), str(s.qty), str(s.refunded_qty), format_fen(s.paid_fen))):
                self.table.setItem(i, j, QTableWidgetItem(value))
            spin = QSpinBox()
            spin.setRange(0, s.qty - s.refunded_qty)
            spin.setMinimumWidth(110)
            self.table.setCellWidget(i, 4, spin)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)

    def select_all(self) -> None:
        for i in range(self.table.rowCount()):
            spin = self.table.cellWidget(i, 4)
            spin.setValue(spin.maximum())

    def chosen(self) -> dict[int, int]:
        out = {}
        for i, s in enumerate(self.sold):
            qty = self.table.cellWidget(i, 4).value()
            if qty:
                out[s.line_no] = qty
        return out

    def do_refund(self) -> None:
        if self.sale is None:
            return
        lines = self.chosen()
        if not lines:
            self.message.setText(self.tr("Choose what to refund."))
            return
        self.refund_button.setEnabled(False)
        self.runner.run(refunds_uc.refund, self.ctx, staff_id=self.staff.staff_id, sale=self.sale["sale_id"],
                        lines=lines, reason=self.reason.text(), approver_pin=self.manager_pin.text() or None,
                        on_done=self._refunded, on_error=self._error)

    def _refunded(self, r) -> None:
        self.refund_button.setEnabled(True)
        self.manager_pin.clear()
        feedback.beep(True)
        text = self.tr("Refunded %1; %2 points reversed").replace("%1", format_fen(r.fen))\
            .replace("%2", f"{r.points_reversed:,}")
        if r.points_returned:
            text += self.tr("; %1 points given back").replace("%1", f"{r.points_returned:,}")
        if r.debt_added:
            text += self.tr("; member now owes %1 points").replace("%1", f"{r.debt_added:,}")
        self.message.setText(text)
        self.load_sale(keep_message=True)
        self.shown()

    def _error(self, exc: Exception) -> None:
        self.refund_button.setEnabled(True)
        self.manager_pin.clear()
        self.message.setText(refusal_text(exc))
