"""Finishing a sale at the checkout: the tender, the one checkout call (never two), the
finished sale shown big until the next scan, and its receipt (PDF or ESC/POS).

A part of CheckoutView (its attributes are the view's; its texts in the view's translation
context), kept apart so each file reads in one sitting.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication

from pos_app.domain.money import parse_yuan
from pos_app.ui import feedback
from pos_app.ui.messages import refusal_text
from pos_app.ui.receipt import receipt_lines, receipt_pdf
from pos_app.ui.receipt_printer import PrinterError, parse_target, print_escpos
from pos_app.ui.tasks import UseCases

checkout_uc = UseCases("pos_app.services.checkout")


class Finishing:
    def tender(self) -> dict[str, int] | None:
        q = self.current_quote
        method = self.tender_group.checkedButton().property("method")
        if q is None:
            return None
        if method == "cash" and self.received.text().strip():
            try:
                return {"cash": parse_yuan(self.received.text())}
            except ValueError:
                self.message.setText(QCoreApplication.translate("CheckoutView", "Type the cash received as an amount, e.g. 100 or 88.50"))
                feedback.scanned(self.received, False)
                return None
        return {method: q.due_fen}

    def _ready_to_finish(self) -> bool:
        return self.scans_in_flight == 0 and self.current_quote is not None \
            and self.quoted_generation == self.generation

    def _maybe_finish(self) -> None:
        if self.finish_when_quoted and self._ready_to_finish():
            self.finish_when_quoted = False
            self.finish()

    def finish(self) -> None:
        if self.finishing or self.ctx is None:
            return
        if self.quote_problem and not self.scans_in_flight and self.quoted_generation == self.generation:
            self.message.setText(self.quote_problem)  # never silently: say again what stops the sale
            feedback.scanned(self.scan_box, False)
            return
        if self.scans_in_flight or (self.cart.rows and not self._ready_to_finish()):
            # Enter right after a scan: finish once that scan is in the cart and priced, not
            # before (the item would land in the next customer's sale, or the old total be tendered).
            self.finish_when_quoted = True
            return
        if not self.cart.rows:
            return
        tender = self.tender()
        if tender is None:
            return
        self.finishing = True
        self.finish_button.setEnabled(False)
        self.focus.asked()  # the answer puts focus back on the scan box, unless the cashier typed on meanwhile
        self.runner.run(checkout_uc.checkout, self.ctx, staff_id=self.staff.staff_id, items=self.cart.items(),
                        member_id=self.member_id(), coupons=self.chosen_coupons(),
                        cash_points=self.cash_points.value(), tender=tender, guide_id=self.guide.currentData(),
                        member_pin=self.member_pin.text() or None,
                        member_code=None if self.member_pin.text() else self.member_code,
                        on_done=self._finished, on_error=self._finish_refused)

    def _finished(self, result) -> None:
        self.finishing = False
        self.finish_button.setEnabled(True)
        feedback.scanned(self.scan_box, True)
        self.last_sale = result
        self.print_button.setEnabled(True)
        self.reset()
        self.focus.settle(self.scan_box)
        self.message.setText(QCoreApplication.translate("CheckoutView", "Sale %1 done.").replace("%1", result.receipt_no))
        self.show_done(result)
        self.sale_finished.emit(result)
        if self.auto_print:
            self.print_receipt()

    def show_done(self, result) -> None:
        """The finished sale in place of the totals (None: the totals again)."""
        if result is None:
            if self.done.isVisibleTo(self):
                self.done.hide()
                self.totals.show()
            return
        self.done.show_sale(result, offer_receipt=not self.auto_print)
        self.totals.hide()
        self.done.show()

    def print_receipt(self) -> Path | None:
        """Print the last sale's receipt to the configured printer (a PDF file by default)."""
        if self.last_sale is None:
            return None
        lines = receipt_lines(self.last_sale, self.store_name, self.staff.name if self.staff else "",
                              self.ctx.timezone if self.ctx else None)
        try:
            target = parse_target(self.printer_target) if self.printer_target else None
        except PrinterError as exc:
            self.message.setText(str(exc))
            return None
        if target is None or target.kind == "pdf":
            folder = Path(target.where) if target else self.receipt_dir
            path = receipt_pdf(lines, folder / f"{self.last_sale.receipt_no}.pdf", qr_text=self.last_sale.receipt_no)
            self.message.setText(QCoreApplication.translate("CheckoutView", "Receipt saved to %1").replace("%1", str(path)))
            return path
        qr = self.last_sale.receipt_no
        self.devices.run(print_escpos, target, lines, qr, on_done=lambda where: self.message.setText(
            QCoreApplication.translate("CheckoutView", "Receipt printed on %1").replace("%1", where)),
            on_error=lambda exc: self.message.setText(str(exc)))
        return None

    def _finish_refused(self, exc: Exception) -> None:
        self.finishing = False
        self.finish_button.setEnabled(True)
        feedback.scanned(self.scan_box, False)
        self.message.setText(refusal_text(exc))

