"""Receipts: the same text for the preview, the PDF and the ESC/POS printer."""

from __future__ import annotations

import html
from datetime import tzinfo
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from pos_app.domain.money import format_fen
from pos_app.ui.printing import html_to_pdf
from pos_app.ui.times import minute

WIDTH = 32  # characters on a 58 mm roll; 80 mm rolls fit 48


# Literal marks for lupdate; _t translates at print time.
_WORDS = (QT_TRANSLATE_NOOP("Receipt", "Receipt"), QT_TRANSLATE_NOOP("Receipt", "Subtotal"),
          QT_TRANSLATE_NOOP("Receipt", "Coupon"), QT_TRANSLATE_NOOP("Receipt", "Points"),
          QT_TRANSLATE_NOOP("Receipt", "Due"), QT_TRANSLATE_NOOP("Receipt", "Cash"),
          QT_TRANSLATE_NOOP("Receipt", "Card"), QT_TRANSLATE_NOOP("Receipt", "Other"),
          QT_TRANSLATE_NOOP("Receipt", "Change"), QT_TRANSLATE_NOOP("Receipt", "Member"),
          QT_TRANSLATE_NOOP("Receipt", "Points earned"), QT_TRANSLATE_NOOP("Receipt", "Balance"),
          QT_TRANSLATE_NOOP("Receipt", "Thank you!"))


def _t(text: str) -> str:
    return QCoreApplication.translate("Receipt", text)


def receipt_lines(sale, store_name: str, staff_name: str, tz: tzinfo | None = None) -> list[str]:
    """The receipt's text; times on the store's clock (`tz`), as its receipt number's day is."""
    q = sale.quote
    when = minute(sale.created_at, tz) if tz is not None else f"{sale.created_at:%Y-%m-%d %H:%M} UTC"
    out = [store_name, f"{_t('Receipt')} {sale.receipt_no}", f"{when} · {staff_name}",
           "-" * WIDTH]
    for ln in q.lines:
        out.append(ln.name)
        out.append(f"  {ln.qty} × {format_fen(ln.unit_price_fen)}".ljust(WIDTH - 12) + format_fen(ln.gross_fen).rjust(12))
    out.append("-" * WIDTH)
    out.append(_t("Subtotal").ljust(WIDTH - 12) + format_fen(q.subtotal_fen).rjust(12))
    for code, fen in q.coupon_fen.items():
        out.append(f"{_t('Coupon')} {code}".ljust(WIDTH - 12) + format_fen(-fen).rjust(12))
    if q.cash_fen:
        out.append(f"{_t('Points')} {q.cash_points}".ljust(WIDTH - 12) + format_fen(-q.cash_fen).rjust(12))
    out.append(_t("Due").ljust(WIDTH - 12) + format_fen(q.due_fen).rjust(12))
    for method, fen in sale.tender.items():
        out.append(_t(method.capitalize()).ljust(WIDTH - 12) + format_fen(fen).rjust(12))
    if sale.change_fen:
        out.append(_t("Change").ljust(WIDTH - 12) + format_fen(sale.change_fen).rjust(12))
    if sale.member:
        out.append("-" * WIDTH)
        out.append(f"{_t('Member')} {sale.member.name} {sale.member.card_no[-4:]}")
        out.append(f"{_t('Points earned')} +{sale.points_earned}   {_t('Balance')} {sale.balance_after}")
    out.append(_t("Thank you!"))
    return out


def receipt_html(lines: list[str]) -> str:
    body = "<br>".join(html.escape(line).replace(" ", "&nbsp;") for line in lines)
    return f"<div style='font-family: monospace; font-size: 9pt'>{body}</div>"


def receipt_pdf(lines: list[str], path: Path, qr_text: str | None = None) -> Path:
    """The receipt as a PDF; with `qr_text` (the receipt number) its QR code below the text,
    as the ESC/POS printer prints it: a refund scans it instead of typing the number."""
    if not qr_text:
        return html_to_pdf(receipt_html(lines), path, width_mm=80, height_mm=max(80, 12 + 4.5 * len(lines)))
    from PySide6.QtCore import QRectF, QSizeF
    from PySide6.QtGui import QTextDocument

    from pos_app.ui.printing import paint_pdf, qr_image

    def paint(p, page: QRectF) -> None:
        doc = QTextDocument()
        doc.setHtml(receipt_html(lines))
        doc.setPageSize(QSizeF(page.width(), page.height()))
        doc.drawContents(p)
        side = page.width() * 0.45
        top = min(doc.size().height() + 20, page.height() - side)
        p.drawImage(QRectF((page.width() - side) / 2, top, side, side), qr_image(qr_text))

    return paint_pdf(path, 80, max(80, 12 + 4.5 * len(lines)) + 40, paint)
