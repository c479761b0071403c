"""The finished sale, big, until the next scan: change due, points earned, new balance,
and the receipt on offer (F10) when the receipt setting does not print every one."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QVBoxLayout

from pos_app.domain.money import format_fen
from pos_app.ui.widgets import button, label


class SaleDonePanel(QFrame):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("saleDone")
        self.title = label("", "title")
        self.change = label("", "change")
        self.points = label("", "big", wrap=True)
        self.print_button = button(self.tr("Print receipt (F10)"), "primary")
        box = QVBoxLayout(self)
        for w in (self.title, self.change, self.points, self.print_button):
            box.addWidget(w)

    def show_sale(self, result, *, offer_receipt: bool) -> None:
        self.title.setText(self.tr("Sale %1 done").replace("%1", result.receipt_no))
        self.change.setText(self.tr("Change %1").replace("%1", format_fen(result.change_fen)) if result.change_fen
                            else self.tr("No change due"))
        if result.member:
            self.points.setText(self.tr("+%1 points · balance %2").replace("%1", f"{result.points_earned:,}")
                                .replace("%2", f"{result.balance_after:,}"))
        else:
            self.points.setText(self.tr("No member: no points"))
        self.print_button.setVisible(offer_receipt)
