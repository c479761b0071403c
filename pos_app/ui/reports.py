"""Reports: the store's day or a chosen range, points and sales per day, CSV export."""

from __future__ import annotations

import csv
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDate
from PySide6.QtWidgets import (QDateEdit, QFileDialog, QHBoxLayout, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

from pos_app.domain.money import format_fen
from pos_app.ui.chart import BarChart
from pos_app.ui.messages import refusal_text
from pos_app.ui.tasks import TaskRunner, UseCases
from pos_app.ui.widgets import button, label

reports_uc = UseCases("pos_app.services.reports")

MAX_DAYS = 92

# The CSV's columns: the report's field, its heading (translated when written) and whether
# it is money (fen in the report, yuan with two decimals in the file, as a spreadsheet sums it).
CSV_COLUMNS = (
    ("first_day", QT_TRANSLATE_NOOP("ReportsView", "Day"), False),
    ("sales_count", QT_TRANSLATE_NOOP("ReportsView", "Sales"), False),
    ("sales_fen", QT_TRANSLATE_NOOP("ReportsView", "Sales amount (yuan)"), True),
    ("refunds_count", QT_TRANSLATE_NOOP("ReportsView", "Refunds"), False),
    ("refunds_fen", QT_TRANSLATE_NOOP("ReportsView", "Refunds amount (yuan)"), True),
    ("points_issued", QT_TRANSLATE_NOOP("ReportsView", "Points issued"), False),
    ("points_redeemed", QT_TRANSLATE_NOOP("ReportsView", "Points redeemed"), False),
    ("points_returned", QT_TRANSLATE_NOOP("ReportsView", "Points returned"), False),
    ("points_expired", QT_TRANSLATE_NOOP("ReportsView", "Points expired"), False),
    ("points_reversed", QT_TRANSLATE_NOOP("ReportsView", "Points reversed"), False),
    ("points_donated", QT_TRANSLATE_NOOP("ReportsView", "Points donated"), False),
    ("new_members", QT_TRANSLATE_NOOP("ReportsView", "New members"), False),
    ("coupons_sold", QT_TRANSLATE_NOOP("ReportsView", "Coupons sold"), False),
    ("coupons_used", QT_TRANSLATE_NOOP("ReportsView", "Coupons used"), False),
    ("redemptions", QT_TRANSLATE_NOOP("ReportsView", "Gift redemptions"), False),
    ("redemptions_cancelled", QT_TRANSLATE_NOOP("ReportsView", "Redemptions cancelled"), False),
)
TENDER_NAMES = {"cash": QT_TRANSLATE_NOOP("ReportsView", "Cash"), "card": QT_TRANSLATE_NOOP("ReportsView", "Card"),
                "other": QT_TRANSLATE_NOOP("ReportsView", "Other")}


def tender_name(method: str) -> str:
    known = TENDER_NAMES.get(method)
    return QCoreApplication.translate("ReportsView", known) if known else method


def yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def report_with_days(ctx, first: date, last: date):
    """The whole range plus one report per day for the chart (one DB-worker job)."""
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)][:MAX_DAYS]
    return reports_uc.day_report(ctx, first, last), [reports_uc.day_report(ctx, d, d) for d in days]


class ReportsView(QWidget):
    def __init__(self, runner: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("page")
        self.runner = runner
        self.ctx = self.staff = None
        self.report = None
        self.days: list = []
        self.export_dir = Path.home()  # where the save dialog starts; the app points it at the data folder

        self.first = QDateEdit(QDate.currentDate())
        self.last = QDateEdit(QDate.currentDate())
        for d in (self.first, self.last):
            d.setCalendarPopup(True)
            d.setDisplayFormat("yyyy-MM-dd")
        show = button(self.tr("Show"), "primary")
        show.clicked.connect(self.refresh)
        week = button(self.tr("Last 7 days"))
        week.clicked.connect(lambda: self.set_range(6))
        export = button(self.tr("Export CSV"))
        export.clicked.connect(self.export_csv)
        row = QHBoxLayout()
        for w in (label(self.tr("From")), self.first, label(self.tr("to")), self.last, show, week, export):
            row.addWidget(w)
        row.addStretch(1)
        self.table = QTableWidget(0, 2)
        self.table.horizontalHeader().setVisible(False)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.chart = BarChart()
        self.message = label("", "muted", wrap=True)
        body = QHBoxLayout()
        body.addWidget(self.table, 2)
        body.addWidget(self.chart, 3)
        box = QVBoxLayout(self)
        box.addWidget(label(self.tr("Reports"), "title"))
        box.addLayout(row)
        box.addLayout(body, 1)
        box.addWidget(self.message)

    def start(self, ctx, staff) -> None:
        self.ctx, self.staff = ctx, staff

    def shown(self) -> None:
        self.refresh()

    def set_range(self, days_back: int) -> None:
        today = QDate.currentDate()
        self.first.setDate(today.addDays(-days_back))
        self.last.setDate(today)
        self.refresh()

    def refresh(self) -> None:
        first, last = self.first.date().toPython(), self.last.date().toPython()
        if last < first:
            self.message.setText(self.tr("The range ends before it starts."))
            return
        self.runner.run(report_with_days, self.ctx, first, last, on_done=self._show,
                        on_error=lambda e: self.message.setText(refusal_text(e)))

    def rows(self) -> list[tuple[str, str]]:
        r = self.report
        return [
            (self.tr("Sales"), f"{r.sales_count} · {format_fen(r.sales_fen)}"),
            (self.tr("Refunds"), f"{r.refunds_count} · {format_fen(r.refunds_fen)}"),
            *[(self.tr("Tender: %1").replace("%1", tender_name(k)), format_fen(v)) for k, v in sorted(r.tender.items())],
            (self.tr("Points issued"), f"{r.points_issued:,}"),
            (self.tr("Points redeemed"), f"{r.points_redeemed:,}"),
            (self.tr("Points expired"), f"{r.points_expired:,}"),
            (self.tr("Points reversed"), f"{r.points_reversed:,}"),
            (self.tr("Points donated"), f"{r.points_donated:,}"),
            (self.tr("New members"), str(r.new_members)),
            (self.tr("Coupons sold / used"), f"{r.coupons_sold} / {r.coupons_used}"),
            (self.tr("Gift redemptions"), str(r.redemptions)),
            *[(self.tr("Stock: %1").replace("%1", name), str(stock)) for _gid, name, stock in r.gift_stock],
        ]

    def _show(self, found) -> None:
        self.report, self.days = found
        rows = self.rows()
        self.table.setRowCount(len(rows))
        for i, (k, v) in enumerate(rows):
            self.table.setItem(i, 0, QTableWidgetItem(k))
            self.table.setItem(i, 1, QTableWidgetItem(v))
        self.table.resizeColumnToContents(0)
        self.chart.set_data([f"{d.first_day:%m-%d}" for d in self.days],
                            [(self.tr("Issued"), [d.points_issued for d in self.days]),
                             (self.tr("Redeemed"), [d.points_redeemed for d in self.days]),
                             (self.tr("Expired"), [d.points_expired for d in self.days])])

    def export_csv(self) -> Path | None:
        """One row a day, headings in the screen's language, money in yuan; the manager picks
        where the file goes (nothing is written without asking)."""
        if not self.days:
            return None
        suggested = self.export_dir / f"report-{self.days[0].first_day}-{self.days[-1].first_day}.csv"
        chosen, _filter = QFileDialog.getSaveFileName(self, self.tr("Export CSV"), str(suggested),
                                                      self.tr("CSV files (*.csv)"))
        if not chosen:
            return None
        path = Path(chosen)
        methods = sorted({m for d in self.days for m in d.tender})
        with path.open("w", newline="", encoding="utf-8-sig") as f:  # BOM: Excel opens Chinese text right
            w = csv.writer(f)
            w.writerow([self.tr(title) for _k, title, _money in CSV_COLUMNS]
                       + [self.tr("Tender: %1 (yuan)").replace("%1", tender_name(m)) for m in methods])
            for d in self.days:
                row = asdict(d)
                w.writerow([yuan(row[k]) if money else row[k] for k, _t, money in CSV_COLUMNS]
                           + [yuan(d.tender.get(m, 0)) for m in methods])
        self.export_dir = path.parent
        self.message.setText(self.tr("Saved %1").replace("%1", str(path)))
        return path
