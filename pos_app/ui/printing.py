"""Printing: QR images and PDF pages (receipts, member cards, label sheets).

A receipt printer over ESC/POS is a settings choice; PDF is always available, and
tests print to PDF and read the file back.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter, QPdfWriter, QTextDocument


def qr_image(text: str, box_size: int = 8) -> QImage:
    import qrcode  # with Pillow: loaded for the first QR printed, not at start-up

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=2)
    qr.add_data(text)
    qr.make(fit=True)
    buf = io.BytesIO()
    qr.make_image().save(buf, format="PNG")
    image = QImage()
    image.loadFromData(buf.getvalue(), "PNG")
    return image


def pdf_writer(path: Path, width_mm: float, height_mm: float) -> QPdfWriter:
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = QPdfWriter(str(path))
    writer.setResolution(300)
    writer.setPageSize(QPageSize(QSizeF(width_mm, height_mm), QPageSize.Millimeter))
    writer.setPageMargins(QMarginsF(3, 3, 3, 3), QPageLayout.Millimeter)
    return writer


def html_to_pdf(html: str, path: Path, width_mm: float = 80, height_mm: float = 200) -> Path:
    """A receipt-shaped PDF (80 mm roll width by default) of simple HTML."""
    writer = pdf_writer(path, width_mm, height_mm)
    doc = QTextDocument()
    doc.setHtml(html)
    doc.setPageSize(QSizeF(writer.width(), writer.height()))
    painter = QPainter(writer)
    doc.drawContents(painter)
    painter.end()
    return path


def paint_pdf(path: Path, width_mm: float, height_mm: float, paint: Callable[[QPainter, QRectF], None]) -> Path:
    writer = pdf_writer(path, width_mm, height_mm)
    painter = QPainter(writer)
    paint(painter, QRectF(0, 0, writer.width(), writer.height()))
    painter.end()
    return path
