"""A small grouped bar chart painted with QPainter (QtCharts is an Addons module we do not ship)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QWidget

COLORS = ("#2f6fed", "#2b8a3e", "#e8590c", "#862e9c")


class BarChart(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.labels: list[str] = []
        self.series: list[tuple[str, list[int]]] = []
        self.setMinimumHeight(220)

    def set_data(self, labels: list[str], series: list[tuple[str, list[int]]]) -> None:
        self.labels, self.series = labels, series
        self.update()

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt's name)
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        p.fillRect(self.rect(), QColor("white"))
        if not self.labels or not self.series:
            p.drawText(self.rect(), Qt.AlignCenter, self.tr("No data"))
            return
        legend_h, axis_h, left = 28, 24, 8
        area = QRectF(left, legend_h, self.width() - 2 * left, self.height() - legend_h - axis_h)
        top = max([1] + [v for _name, values in self.series for v in values])
        group_w = area.width() / len(self.labels)
        bar_w = max(2.0, group_w * 0.8 / len(self.series))
        for s, (name, values) in enumerate(self.series):
            color = QColor(COLORS[s % len(COLORS)])
            p.fillRect(QRectF(left + s * 140, 6, 14, 14), color)
            p.drawText(QRectF(left + s * 140 + 18, 2, 120, 22), Qt.AlignVCenter, name)
            for i, v in enumerate(values):
                h = area.height() * v / top
                x = area.left() + i * group_w + group_w * 0.1 + s * bar_w
                p.fillRect(QRectF(x, area.bottom() - h, bar_w - 1, h), color)
        p.setPen(QColor("#6b7280"))
        step = max(1, len(self.labels) // 10)
        for i, text in enumerate(self.labels):
            if i % step == 0:
                p.drawText(QRectF(area.left() + i * group_w, area.bottom() + 2, group_w * step, axis_h - 2),
                           Qt.AlignHCenter | Qt.AlignTop, text)
        p.end()
