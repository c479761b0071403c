"""A small grouped bar chart painted with QPainter (QtCharts is an Addons module we do not ship),
with a value axis: round ticks from zero to just above the largest bar, and their grid lines."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QWidget

COLORS = ("#2f6fed", "#2b8a3e", "#e8590c", "#862e9c")


def nice_ticks(top: int, most: int = 5) -> list[int]:
    """0 and round steps (1, 2 or 5 times a power of ten) up to the first at or above `top`."""
    top = max(1, top)
    step = 1
    while True:
        for m in (1, 2, 5):
            if top / (step * m) <= most:
                s = step * m
                n = -(-top // s)
                return [i * s for i in range(n + 1)]
        step *= 10


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
        ticks = nice_ticks(max([1] + [v for _name, values in self.series for v in values]))
        top = ticks[-1]
        legend_h, axis_h = 28, 24
        left = 12 + max(p.fontMetrics().horizontalAdvance(f"{t:,}") for t in ticks)
        area = QRectF(left, legend_h + 6, self.width() - left - 8, self.height() - legend_h - 6 - axis_h)
        for t in ticks:  # the value axis: each tick's label and grid line
            y = area.bottom() - area.height() * t / top
            p.setPen(QColor("#e6e8eb"))
            p.drawLine(int(area.left()), int(y), int(area.right()), int(y))
            p.setPen(QColor("#6b7280"))
            p.drawText(QRectF(0, y - 10, left - 6, 20), Qt.AlignRight | Qt.AlignVCenter, f"{t:,}")
        p.setPen(QColor("#111827"))
        group_w = area.width() / len(self.labels)
        bar_w = max(2.0, group_w * 0.8 / len(self.series))
        for s, (name, values) in enumerate(self.series):
            color = QColor(COLORS[s % len(COLORS)])
            p.fillRect(QRectF(left + s * 140, 6, 14, 14), color)
            p.setPen(QColor("#111827"))
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
