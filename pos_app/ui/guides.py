"""My guide points: the signed-in staff member's shopping-guide points, as the till knows them after its
last sync (pos_app.services.guides): the balance, the points held for withdrawals finance has not
decided yet, the latest earnings (the sales they served, HQ's rewards for their recruits, a refund's
take-back) and each withdrawal's state.

A withdrawal is not asked for here: DESIGN.md 10 has a guide ask in the members' mall, and HQ's finance
approve it there (an HQ event every till of the store pulls), so this screen shows the states only and
says where to ask.

Keys: F11 opens it (the main window), Ctrl+R reads it again, Ctrl+1 / Ctrl+2 go to the earnings and
the withdrawals.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtGui import QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QBoxLayout, QFrame, QGridLayout, QHeaderView, QLabel,
                               QSizePolicy, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from pos_app.ui.messages import refusal_text
from pos_app.ui.tasks import TaskRunner, UseCases
from pos_app.ui.times import minute
from pos_app.ui.widgets import button, label, panel

guides_uc = UseCases("pos_app.services.guides")

STATUS_NAMES = {
    "pending": QT_TRANSLATE_NOOP("GuidePointsView", "Waiting for HQ"),
    "approved": QT_TRANSLATE_NOOP("GuidePointsView", "Approved: paid out"),
    "refused": QT_TRANSLATE_NOOP("GuidePointsView", "Refused: points back"),
}
SOURCE_NAMES = {
    "sale": QT_TRANSLATE_NOOP("GuidePointsView", "Sale served"),
    "network": QT_TRANSLATE_NOOP("GuidePointsView", "Recruits' sales (HQ)"),
    "refund": QT_TRANSLATE_NOOP("GuidePointsView", "Refund: taken back"),
    "network_refund": QT_TRANSLATE_NOOP("GuidePointsView", "Recruit's refund (HQ)"),
}
# The summary figures: one size for both (the same height and baseline side by side), the balance in the
# theme's accent colour (resources/theme.qss, QLabel#due).
FIGURES_STYLE = ('QLabel#figure { font-size: 36px; font-weight: bold; }'
                 ' QLabel#figure[accent="true"] { color: #2f6fed; }')


def _tr(text: str) -> str:
    return QCoreApplication.translate("GuidePointsView", text)


def _cell(text: str, align_right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemIsSelectable | Qt.ItemIsEnabled)
    if align_right:
        item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
    return item


def _figure(caption: str, value: QLabel) -> QFrame:
    """A summary figure's card: its caption above the figure, both at the top. Cards side by side get the
    row's height and, their columns stretched alike, the same width whatever their text: the same
    height, baselines and width at every screen size."""
    card = panel(label(caption, "muted"), value)
    box = card.layout()
    assert isinstance(box, QVBoxLayout)
    box.addStretch(1)
    card.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
    return card


def _needed_width(table: QTableWidget) -> int:
    """The width `table` needs to show each column whole, its heading's or its widest cell's."""
    header = table.horizontalHeader()
    columns = sum(max(header.sectionSizeHint(c), table.sizeHintForColumn(c)) for c in range(table.columnCount()))
    return columns + 2 * table.frameWidth() + table.verticalScrollBar().sizeHint().width()


def _table(headings: list[str], stretch: int) -> QTableWidget:
    """A read-only list; its columns as wide as their text (a receipt number reads whole), `stretch` the rest."""
    table = QTableWidget(0, len(headings))
    table.setHorizontalHeaderLabels(headings)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(40)  # rows a finger can point at
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
    table.horizontalHeader().setSectionResizeMode(stretch, QHeaderView.Stretch)
    table.setEditTriggers(QAbstractItemView.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectRows)
    return table


class GuidePointsView(QWidget):
    def __init__(self, runner: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("page")
        self.runner = runner
        self.ctx = self.staff = None
        self.points = None  # the last GuidePoints read

        self.heading = label(self.tr("My guide points"), "title")
        self.setStyleSheet(FIGURES_STYLE)
        self.balance = label("0", "figure")
        self.balance.setProperty("accent", True)
        self.held = label("0", "figure")
        self.refresh_button = button(self.tr("Refresh (Ctrl+R)"), "primary", shortcut="Ctrl+R")
        self.refresh_button.clicked.connect(self.refresh)
        self.refresh_button.setMinimumWidth(220)

        self.cards = (_figure(self.tr("Balance"), self.balance), _figure(self.tr("Held for withdrawals"), self.held))
        figures = QGridLayout()
        for column, card in enumerate(self.cards):
            figures.addWidget(card, 0, column)
            figures.setColumnStretch(column, 1)
        figures.addWidget(self.refresh_button, 0, 2, Qt.AlignBottom)

        self.earnings = _table([self.tr("When"), self.tr("What"), self.tr("Receipt"), self.tr("Points")], stretch=1)
        self.withdrawals = _table([self.tr("Requested"), self.tr("Withdrawal"), self.tr("Points"), self.tr("State")],
                                  stretch=3)
        self.no_withdrawals = label(self.tr("No withdrawals yet."), "muted")
        # the two lists side by side, or one above the other where side by side would cut their columns
        # (1024x768): see _arrange
        self.lists = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        for title, table, below in ((self.tr("Recent earnings (Ctrl+1)"), self.earnings, None),
                                    (self.tr("Withdrawals (Ctrl+2)"), self.withdrawals, self.no_withdrawals)):
            column = QVBoxLayout()
            column.addWidget(label(title, "title"))
            column.addWidget(table, 1)
            if below is not None:
                column.addWidget(below)
            self.lists.addLayout(column, 1)
        QShortcut(QKeySequence("Ctrl+1"), self, activated=self.earnings.setFocus)
        QShortcut(QKeySequence("Ctrl+2"), self, activated=self.withdrawals.setFocus)

        self.how_to_withdraw = label(self.tr(
            "To withdraw points as cash, ask in the points mall on your phone (Me → My team and earnings → "
            "Withdraw as cash); HQ's finance approves it. This till shows each request's state after it "
            "syncs with HQ."), "muted", wrap=True)
        self.message = label("", "muted", wrap=True)

        box = self.box = QVBoxLayout(self)
        box.addWidget(self.heading)
        box.addLayout(figures)
        box.addLayout(self.lists, 1)
        box.addWidget(self.how_to_withdraw)
        box.addWidget(self.message)

    def start(self, ctx, staff) -> None:
        self.ctx, self.staff = ctx, staff
        self.heading.setText(self.tr("My guide points: %1").replace("%1", staff.name))
        self.points = None
        self._fill(None)

    def shown(self) -> None:
        self.refresh()
        self.earnings.setFocus()

    def refresh(self) -> None:
        if self.ctx is None or self.staff is None:
            return
        self.message.setText(self.tr("Reading…"))
        self.runner.run(guides_uc.guide_points, self.ctx, self.staff.staff_id, on_done=self._fill,
                        on_error=self._failed)

    def _failed(self, exc: Exception) -> None:
        self.message.setText(refusal_text(exc))

    def _fill(self, points) -> None:
        self.points = points
        tz = self.ctx.timezone if self.ctx is not None else None
        self.balance.setText(f"{points.balance:,}" if points else "0")
        self.held.setText(f"{points.held:,}" if points else "0")
        earnings = points.earnings if points else ()
        self.earnings.setRowCount(len(earnings))
        for row, e in enumerate(earnings):
            what = _tr(SOURCE_NAMES.get(e.source, e.source))
            if e.level is not None:
                what = f"{what} · " + self.tr("level %1").replace("%1", str(e.level))
            self.earnings.setItem(row, 0, _cell(minute(e.at, tz)))
            self.earnings.setItem(row, 1, _cell(what))
            receipt = _cell(e.receipt_no or "—")
            if e.source == "refund" and e.receipt_no:
                receipt.setToolTip(self.tr("Refund of receipt %1").replace("%1", e.receipt_no))
            self.earnings.setItem(row, 2, receipt)
            self.earnings.setItem(row, 3, _cell(f"{e.points:+,}", align_right=True))
        withdrawals = points.withdrawals if points else ()
        self.withdrawals.setRowCount(len(withdrawals))
        for row, w in enumerate(withdrawals):
            self.withdrawals.setItem(row, 0, _cell(minute(w.requested_at, tz)))
            self.withdrawals.setItem(row, 1, _cell(w.withdrawal_id[-8:].upper()))
            self.withdrawals.setItem(row, 2, _cell(f"{w.points:,}", align_right=True))
            self.withdrawals.setItem(row, 3, _cell(_tr(STATUS_NAMES.get(w.status, w.status))))
        self.no_withdrawals.setVisible(points is not None and not withdrawals)
        self._arrange()
        if points is not None:
            self.message.setText(self.tr("As of this till's last sync with HQ.") if earnings or withdrawals
                                 else self.tr("No guide points yet: name yourself as the sale's guide at checkout."))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._arrange()

    def _arrange(self) -> None:
        """The lists side by side when both show every column whole at this width, else one above the other."""
        margins = self.box.contentsMargins()
        room = self.width() - margins.left() - margins.right() - self.lists.spacing()
        wide = room >= _needed_width(self.earnings) + _needed_width(self.withdrawals)
        self.lists.setDirection(QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom)
