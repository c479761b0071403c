"""The cart as a table: what was scanned, and what the latest quote says of each line.

The cells' texts live in Qt (a QStandardItemModel), set when a line or the quote
changes: painting the table never calls back into Python, so a repaint neither
costs a Python call per cell and role nor waits for the GIL while the DB worker
prices the cart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel

from pos_app.domain.money import format_fen

if TYPE_CHECKING:
    from pos_app.domain.pricing import Quote

MAX_QTY = 999
RIGHT = Qt.AlignRight | Qt.AlignVCenter


@dataclass
class CartRow:
    sku: str
    name: str
    unit_price_fen: int
    qty: int = 1


class CartModel(QStandardItemModel):
    qty_typed = Signal(int)  # a quantity typed into a line's Qty cell was taken: reprice
    qty_refused = Signal(str)  # what was typed there, refused (the cell keeps its quantity)
    HEADERS = (QT_TRANSLATE_NOOP("CartModel", "Item"), QT_TRANSLATE_NOOP("CartModel", "Qty"),
               QT_TRANSLATE_NOOP("CartModel", "Price"), QT_TRANSLATE_NOOP("CartModel", "Amount"),
               QT_TRANSLATE_NOOP("CartModel", "Points"))

    def __init__(self, parent=None):
        super().__init__(0, len(self.HEADERS), parent)
        self.setHorizontalHeaderLabels([QCoreApplication.translate("CartModel", h) for h in self.HEADERS])
        self.rows: list[CartRow] = []
        self.quote: Quote | None = None

    # --- editing -------------------------------------------------------------------
    def add(self, sku: str, name: str, unit_price_fen: int, qty: int = 1) -> int:
        """Add a scanned item; scanning the same item again adds to its line. Returns the row."""
        for i, row in enumerate(self.rows):
            if row.sku == sku:
                self.set_qty(i, row.qty + qty)
                return i
        row = CartRow(sku, name, unit_price_fen, qty)
        self.rows.append(row)
        cells = [QStandardItem(text) for text in self._texts(row)]
        for cell in cells[1:]:
            cell.setTextAlignment(RIGHT)
        for cell in cells:
            cell.setEditable(False)
        cells[1].setEditable(True)  # the quantity can be typed (double-click the cell)
        self.appendRow(cells)  # one row inserted: the view lays out and paints that row only
        return len(self.rows) - 1

    def set_qty(self, row: int, qty: int) -> None:
        if not 0 <= row < len(self.rows):
            return
        if qty <= 0:
            self.remove(row)
            return
        self.rows[row].qty = min(qty, MAX_QTY)
        self._show(row)

    def remove(self, row: int) -> None:
        if 0 <= row < len(self.rows):
            del self.rows[row]
            self.removeRow(row)

    def clear(self) -> None:
        self.rows.clear()
        self.quote = None
        self.removeRows(0, self.rowCount())

    def items(self) -> list[tuple[str, int]]:
        return [(r.sku, r.qty) for r in self.rows]

    def set_quote(self, quote: Quote | None) -> None:
        self.quote = quote
        for i in range(len(self.rows)):
            self._show(i)

    def setData(self, index, value, role=Qt.EditRole) -> bool:  # noqa: N802 (Qt's name)
        """A quantity typed into a Qty cell: a whole number from 1 to MAX_QTY, or refused."""
        if role != Qt.EditRole or index.column() != 1 or not 0 <= index.row() < len(self.rows):
            return super().setData(index, value, role)
        text = str(value).strip()
        if not (text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_QTY):
            self.qty_refused.emit(text)
            return False
        self.set_qty(index.row(), int(text))
        self.qty_typed.emit(index.row())
        return True

    # --- cells -----------------------------------------------------------------------
    def _show(self, i: int) -> None:
        """Set the row's texts; Qt repaints only the cells whose text changed."""
        for col, text in enumerate(self._texts(self.rows[i])):
            cell = self.item(i, col)
            if cell.text() != text:
                super().setData(cell.index(), text, Qt.DisplayRole)

    def _texts(self, row: CartRow) -> tuple[str, str, str, str, str]:
        line = self._quoted(row.sku)
        amount = line.paid_fen + line.cash_fen if line else row.unit_price_fen * row.qty
        return (row.name, str(row.qty), format_fen(row.unit_price_fen), format_fen(amount),
                str(line.points) if line else "")

    def _quoted(self, sku: str):
        if self.quote is None:
            return None
        return next((ln for ln in self.quote.lines if ln.sku == sku), None)
