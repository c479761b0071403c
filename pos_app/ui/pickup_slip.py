"""The pickup slip of a gift held for later: what the member takes away, its QR code the
pickup code that the Gifts screen writes off. Printed like a receipt: a PDF (the
default), or an ESC/POS printer, which draws the QR itself."""

from __future__ import annotations

from datetime import tzinfo
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QRectF, Qt
from PySide6.QtGui import QFont, QPainter

from pos_app.ui.printing import paint_pdf, qr_image
from pos_app.ui.times import minute

_WORDS = (QT_TRANSLATE_NOOP("PickupSlip", "Gift pickup slip"), QT_TRANSLATE_NOOP("PickupSlip", "Gift"),
          QT_TRANSLATE_NOOP("PickupSlip", "Quantity"), QT_TRANSLATE_NOOP("PickupSlip", "Points"),
          QT_TRANSLATE_NOOP("PickupSlip", "Show this code at the counter to collect the gift."))


def _t(text: str) -> str:
    return QCoreApplication.translate("PickupSlip", text)


def slip_lines(r, store_name: str, tz: tzinfo | None = None) -> list[str]:
    when = minute(r.created_at, tz) if tz is not None else f"{r.created_at:%Y-%m-%d %H:%M} UTC"
    return [store_name, _t("Gift pickup slip"), when, f"{_t('Gift')}: {r.gift_name}", f"{_t('Quantity')}: {r.qty}",
            f"{_t('Points')}: {r.points:,}", _t("Show this code at the counter to collect the gift.")]


def slip_pdf(lines: list[str], code: str, path: Path) -> Path:
    """80 mm wide: the lines, then the pickup code's QR, 50 mm square."""
    def paint(p: QPainter, page: QRectF) -> None:
        font = QFont(p.font())
        font.setPointSizeF(9)
        p.setFont(font)
        line_h = p.fontMetrics().height() * 1.3
        y = 0.0
        for text in lines:
            p.drawText(QRectF(0, y, page.width(), line_h), Qt.AlignLeft | Qt.AlignVCenter, text)
            y += line_h
        side = min(page.width(), 50 / 74 * page.width())
        p.drawImage(QRectF((page.width() - side) / 2, y + line_h / 2, side, side), qr_image(code))

    return paint_pdf(path, 80, 130, paint)
