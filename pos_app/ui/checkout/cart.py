"""The cart as a table: what was scanned, and what the latest quote says of each line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QAbstractTableModel, QCoreApplication, QModelIndex, Qt

from pos_app.domain.money import format_fen

if TYPE_CHECKING:
    from pos_app.domain.pricing import Quote

MAX_QTY = 999


@dataclass
class CartRow:
    sku: str
    name: str
    unit_price_fen: int
    qty: int = 1


class CartModel(QAbstractTableModel):
    HEADERS = (QT_TRANSLATE_NOOP("CartModel", "Item"), QT_TRANSLATE_NOOP("CartModel", "Qty"),
               QT_TRANSLATE_NOOP("CartModel", "Price"), QT_TRANSLATE_NOOP("CartModel", "Amount"),
               QT_TRANSLATE_NOOP("CartModel", "Points"))

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[CartRow] = []
        self.quote: Quote | None = None

    # --- editing -------------------------------------------------------------------
    def add(self, sku: str, name: str, unit_price_fen: int, qty: int = 1) -> int:
        """Add a scanned item; scanning the same item again adds to its line. Returns the row."""
        for i, row in enumerate(self.rows):
            if row.sku == sku:
                self.set_qty(i, row.qty + qty)
                return i
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows))
        self.rows.append(CartRow(sku, name, unit_price_fen, qty))
        self.endInsertRows()
        return len(self.rows) - 1

    def set_qty(self, row: int, qty: int) -> None:
        if not 0 <= row < len(self.rows):
            return
        if qty <= 0:
            self.remove(row)
            return
        self.rows[row].qty = min(qty, MAX_QTY)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1))

    def remove(self, row: int) -> None:
        if 0 <= row < len(self.rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self.rows[row]
            self.endRemoveRows()

    def clear(self) -> None:
        self.beginResetModel()
        self.rows.clear()
        self.quote = None
        self.endResetModel()

    def items(self) -> list[tuple[str, int]]:
        return [(r.sku, r.qty) for r in self.rows]

    def set_quote(self, quote: Quote | None) -> None:
        self.quote = quote
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(self.HEADERS) - 1))

    # --- Qt model --------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):  # noqa: N802
        if role == Qt.DisplayRole and orientation == Qt.Horizontal:
            return QCoreApplication.translate("CartModel", self.HEADERS[section])
        return None

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role == Qt.TextAlignmentRole and col > 0:
            return int(Qt.AlignRight | Qt.AlignVCenter)
        if role != Qt.DisplayRole:
            return None
        line = self._quoted(row.sku)
        if col == 0:
            return row.name
        if col == 1:
            return str(row.qty)
        if col == 2:
            return format_fen(row.unit_price_fen)
        if col == 3:
            return format_fen(line.paid_fen + line.cash_fen if line else row.unit_price_fen * row.qty)
        return str(line.points) if line else ""

    def _quoted(self, sku: str):
        if self.quote is None:
            return None
        return next((ln for ln in self.quote.lines if ln.sku == sku), None)
