"""The checkout screen: scan member, scan items, one key to finish.

Every scan goes through services.scan.resolve_scan on the DB worker; the quote is
recomputed there after each change, once the change is painted (the scanned row
first, then the totals), and shown when it arrives (a newer change makes an older
answer stale, so answers carry a generation number). Keys: Enter on an empty
scan box or F12 finishes, + / - change the selected line's quantity, Delete voids it,
Esc cancels the sale.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QButtonGroup, QComboBox, QHBoxLayout, QHeaderView, QLineEdit,
                               QListWidget, QListWidgetItem, QMessageBox, QRadioButton, QSpinBox, QTableView,
                               QVBoxLayout, QWidget)

from pos_app.domain.money import format_fen
from pos_app.ui import feedback
from pos_app.ui.camera_panel import CameraPanel
from pos_app.ui.checkout.cart import MAX_QTY, CartModel
from pos_app.ui.checkout.finishing import Finishing
from pos_app.ui.checkout.member_panel import MemberPanel
from pos_app.ui.checkout.sale_done import SaleDonePanel
from pos_app.ui.focus import FocusKeeper
from pos_app.ui.messages import refusal_text
from pos_app.ui.tasks import TaskRunner, UseCases
from pos_app.ui.widgets import button, label, panel

catalog_uc = UseCases("pos_app.services.catalog")
checkout_uc = UseCases("pos_app.services.checkout")
members_uc = UseCases("pos_app.services.members")
scan_uc = UseCases("pos_app.services.scan")
staff_uc = UseCases("pos_app.services.staff")

TENDERS = ("cash", "card", "other")
_TIMES = re.compile(r"^(\d{1,4})\*(.+)$")  # "3*code": three of the product
_SET_QTY = re.compile(r"^\*(\d{1,4})$")  # "*3": the selected line's quantity


class CheckoutView(Finishing, QWidget):
    sale_finished = Signal(object)  # SaleResult

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("page")
        self.runner = runner
        self.ctx = None
        self.staff = None
        self.generation = 0
        self.quoted_generation = 0  # the generation current_quote prices
        self.finish_when_quoted = False  # Enter pressed while a scan was still being read or priced
        self.scans_in_flight = 0  # scans (and their label earns, HQ lookups) not answered yet
        self.finishing = False
        self.last_sale = None
        self.store_name = ""
        self.receipt_dir = Path.home() / "receipts"
        self.printer_target = ""  # settings: pdf:<folder>, tcp://host:port, usb://vid:pid
        self.auto_print = False  # the receipt setting: print every receipt, or offer it (F10) on the finished sale
        self.quote_problem: str | None = None  # the refusal of the cart as it stands: F12 says it again
        self.pending_qty = 1  # "3*code" in the scan box: the next product's quantity
        self.devices = runner  # printers and cameras; the app gives them their own worker
        self.camera_source = "0"
        # (text, on_done(member_id | None), on_error) -> None, set by the window once the till can ask HQ
        self.fetch_member = None

        self.scan_box = QLineEdit()
        self.scan_box.setObjectName("scanBox")
        self.scan_box.setPlaceholderText(self.tr("Scan, or type a phone or product code"))
        self.scan_box.returnPressed.connect(self._scan_entered)
        self.scan_box.installEventFilter(self)
        self.message = label("", "muted", wrap=True)
        self.camera = CameraPanel()
        self.camera.code.connect(self.handle_scan)
        self.camera_button = button(self.tr("Camera (F9)"), shortcut="F9")
        self.camera_button.setCheckable(True)
        self.camera_button.toggled.connect(self.set_camera)

        self.cart = CartModel(self)
        self.cart.qty_typed.connect(lambda _row: self.requote())
        self.cart.qty_refused.connect(self._qty_refused)
        self.table = QTableView()
        self.table.setEditTriggers(QAbstractItemView.DoubleClicked | QAbstractItemView.SelectedClicked)
        self.table.setModel(self.cart)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        # the item's name takes what the figures leave; the figures are never cut
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.table.setWordWrap(True)  # a long name takes a second line (rows are 44 px), never "…"
        self.table.setTextElideMode(Qt.ElideNone)
        self.table.verticalHeader().setDefaultSectionSize(44)
        self.table.installEventFilter(self)

        self.member_panel = MemberPanel()
        self.member_panel.clear_button.clicked.connect(self.clear_member)
        self.coupons = QListWidget()
        self.coupons.setMaximumHeight(76)
        self.coupons_title = label(self.tr("Coupons"), "muted")
        self.coupons.itemChanged.connect(lambda _item: self.requote())
        self.cash_points = QSpinBox()
        self.cash_points.setRange(0, 10_000_000)
        self.cash_points.setSingleStep(100)
        self.cash_points.setPrefix(self.tr("Pay with points: "))
        self.cash_points.valueChanged.connect(lambda _v: self.requote())
        # Paying with points is a redemption: the member's PIN, unless they showed their
        # phone's dynamic code (kept from the scan). A card is enough to earn, not to spend.
        self.member_pin = QLineEdit()
        self.member_pin.setEchoMode(QLineEdit.Password)
        self.member_pin.setPlaceholderText(self.tr("Member PIN"))
        self.member_pin.setToolTip(self.tr("Member PIN (to pay with points)"))
        self.member_code: str | None = None
        # the shopping guide who served the customer earns guide points (optional)
        self.guide = QComboBox()
        self.guide.setMinimumWidth(150)
        self.guide.addItem(self.tr("No shopping guide"), None)

        self.subtotal = label()
        self.discounts = label("", "muted")
        self.due = label(format_fen(0), "due")
        self.earn = label("", "muted")
        self.tender_group = QButtonGroup(self)
        tender_row = QHBoxLayout()
        for i, (method, text) in enumerate(zip(TENDERS, (self.tr("Cash"), self.tr("Card"), self.tr("Other")))):
            rb = QRadioButton(text)
            rb.setProperty("method", method)
            rb.setChecked(i == 0)
            self.tender_group.addButton(rb, i)
            tender_row.addWidget(rb)
        self.received = QLineEdit()
        self.received.setPlaceholderText(self.tr("Cash received (blank = exact)"))
        self.received.returnPressed.connect(self.finish)
        self.focus = FocusKeeper(self)
        self.finish_button = button(self.tr("Finish (F12)"), "primary", shortcut="F12")
        self.finish_button.setMinimumHeight(64)
        self.finish_button.clicked.connect(self.finish)
        self.cancel_button = button(self.tr("Cancel sale (Esc)"))
        self.cancel_button.clicked.connect(self.cancel_sale)
        self.print_button = button(self.tr("Reprint (F10)"), shortcut="F10")
        self.print_button.setEnabled(False)
        self.print_button.clicked.connect(self.print_receipt)

        self.discounts.setWordWrap(True)
        self.totals = panel(self.subtotal, self.discounts, self.due, self.earn)
        # the finished sale (change due, points earned, new balance), big, until the next scan
        self.done = SaleDonePanel()
        self.done.print_button.clicked.connect(self.print_receipt)
        self.done.hide()
        # the right column fits a 768-pixel screen: the coupons only when the member has some,
        # points and PIN side by side (tests/ui/test_counter_items.py reads every label)
        right = QVBoxLayout()
        right.setSpacing(6)
        right.addWidget(self.member_panel)
        right.addWidget(self.coupons_title)
        right.addWidget(self.coupons)
        spend = QHBoxLayout()
        spend.addWidget(self.cash_points, 1)
        spend.addWidget(self.member_pin, 1)
        right.addLayout(spend)
        right.addWidget(self.totals)
        right.addWidget(self.done)
        right.addLayout(tender_row)
        right.addWidget(self.received)
        right.addWidget(self.finish_button)
        after = QHBoxLayout()
        after.addWidget(self.cancel_button)
        after.addWidget(self.print_button)
        right.addLayout(after)
        right.addStretch(1)

        scan_row = QHBoxLayout()
        scan_row.addWidget(self.scan_box, 1)
        scan_row.addWidget(self.camera_button)
        left = QVBoxLayout()
        left.addLayout(scan_row)
        left.addWidget(self.camera, alignment=Qt.AlignLeft)
        left.addWidget(self.message)
        left.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(label(self.tr("Enter or F12 on an empty scan box: finish · + / −: quantity · 3*code or *3: "
                                       "quantity 3 · Delete: void line · Esc: cancel sale"), "muted", wrap=True), 1)
        bottom.addWidget(self.guide)
        left.addLayout(bottom)
        box = QHBoxLayout(self)
        box.addLayout(left, 3)
        box.addLayout(right, 2)
        self._show_totals(None)

    # --- life cycle ------------------------------------------------------------------
    def start(self, ctx, staff) -> None:
        self.ctx, self.staff = ctx, staff
        self.reset()
        self.runner.run(catalog_uc.store_info, ctx, on_done=lambda info: self.member_panel.set_tiers(
            {t.code: t.name for t in info.rules.tiers}))
        self.runner.run(staff_uc.list_staff, ctx, on_done=self._fill_guides)

    def _fill_guides(self, staff: list) -> None:
        self.guide.blockSignals(True)
        self.guide.clear()
        self.guide.addItem(self.tr("No shopping guide"), None)
        for s in staff:  # any staff member can be the guide who served the customer
            self.guide.addItem(self.tr("Guide: %1").replace("%1", s.name), s.staff_id)
        self.guide.blockSignals(False)

    def reset(self) -> None:
        self.cart.clear()
        self.member_panel.show_statement(None)
        self._fill_coupons([])
        self.cash_points.blockSignals(True)
        self.cash_points.setValue(0)
        self.cash_points.blockSignals(False)
        self.member_pin.clear()
        self.member_code = None
        self.received.clear()
        self.guide.setCurrentIndex(0)
        self.tender_group.button(0).setChecked(True)
        self.quote_problem = None
        self._show_totals(None)

    # --- scanning --------------------------------------------------------------------
    def set_camera(self, on: bool) -> None:
        self.camera.start(self.camera_source) if on else self.camera.stop()
        self.scan_box.setFocus()

    def scanned(self, text: str) -> None:
        """A keyboard-wedge scan while this screen is shown."""
        self.handle_scan(text)

    def _scan_entered(self) -> None:
        text = self.scan_box.text().strip()
        self.scan_box.clear()
        if not text:
            self.finish()
            return
        setting = _SET_QTY.match(text)
        if setting:
            row = self.selected_row()
            if row >= 0:
                self.cart.setData(self.cart.index(row, 1), setting.group(1))
            return
        times = _TIMES.match(text)
        if times:
            if not 1 <= int(times.group(1)) <= MAX_QTY:
                self._qty_refused(times.group(1))
                return
            self.pending_qty = int(times.group(1))
            text = times.group(2)
        self.handle_scan(text)

    def _qty_refused(self, text: str) -> None:
        feedback.scanned(self.scan_box, False)
        self.message.setText(self.tr("A quantity is a whole number from 1 to 999 (typed: %1).").replace("%1", text))

    def handle_scan(self, text: str, *, asked_hq: bool = False) -> None:
        """A code from the scan box, the wedge scanner or the camera."""
        if self.ctx is None:
            return
        self.show_done(None)  # the next customer: the finished sale makes way for the new one
        self.scans_in_flight += 1
        self.runner.run(scan_uc.resolve_scan, self.ctx, text, on_done=self._scan_answered,
                        on_error=lambda exc: self._scan_failed(exc, text, asked_hq))

    def _scan_answered(self, found) -> None:
        self._scanned(found)
        self._scan_ended()

    def _scan_failed(self, exc: Exception, text: str, asked_hq: bool) -> None:
        if asked_hq:
            self._scan_refused(exc)
        else:
            self._not_here(exc, text)
        self._scan_ended()

    def _scan_ended(self) -> None:
        self.scans_in_flight -= 1
        self._maybe_finish()

    def _not_here(self, exc: Exception, text: str) -> None:
        """A member of another store is not in this till yet: ask HQ (when enrolled and reachable)."""
        codes = getattr(exc, "codes", ())
        if self.fetch_member is None or not ({"member.not_found", "member.unknown"} & set(codes)):
            self._scan_refused(exc)
            return
        self.message.setText(self.tr("Not known at this store: asking HQ…"))
        self.scans_in_flight += 1

        def answered(found) -> None:
            if found:
                self.handle_scan(text, asked_hq=True)
            else:
                self._scan_refused(exc)
            self._scan_ended()

        def failed(_err) -> None:
            self._scan_refused(exc)
            self._scan_ended()

        self.fetch_member(text, answered, failed)

    def _scanned(self, found) -> None:
        from pos_app.services.scan import (ScannedCoupon, ScannedGuide, ScannedLabel,  # loaded by the worker's call
                                           ScannedMember, ScannedPickup)

        if isinstance(found, ScannedGuide):
            self._guide_scanned(found.staff)
            return
        if isinstance(found, ScannedLabel):
            self._label_scanned(found)
            return
        if isinstance(found, ScannedCoupon):
            self._coupon_scanned(found)
            return
        if isinstance(found, ScannedPickup):
            feedback.scanned(self.scan_box, False)
            self.finish_when_quoted = False  # let the cashier read why
            self.message.setText(self.tr("This is a gift's pickup code: write it off on the Gifts screen."))
            return
        feedback.scanned(self.scan_box, True)
        if isinstance(found, ScannedMember):
            self.member_panel.show_statement(found.statement)
            self.member_code = found.member_code  # a phone's dynamic code: proof for paying with points
            if not found.member_code:
                self.member_pin.clear()
            self.message.setText(self.tr("Member: %1").replace("%1", found.member.name))
            self.runner.run(catalog_uc.member_coupons, self.ctx, found.member.member_id, on_done=self._fill_coupons)
        else:
            p = found.product
            qty, self.pending_qty = self.pending_qty, 1
            row = self.cart.add(p.sku, p.name, p.price_fen, qty)
            self.table.selectRow(row)
            self.message.setText(f"{p.name}  {format_fen(p.price_fen)}")
        self.requote()

    def _guide_scanned(self, staff) -> None:
        """A guide's badge names the sale's guide, as choosing them in the list does."""
        index = self.guide.findData(staff.staff_id)
        if index < 0:  # a guide added at HQ since the list was filled
            self.guide.addItem(self.tr("Guide: %1").replace("%1", staff.name), staff.staff_id)
            index = self.guide.count() - 1
        self.guide.setCurrentIndex(index)
        feedback.scanned(self.scan_box, True)
        self.message.setText(self.tr("Shopping guide: %1").replace("%1", staff.name))

    def _label_scanned(self, found) -> None:
        """A product label earns its points for the member at the counter, at once."""
        member_id = self.member_id()
        if member_id is None:
            feedback.scanned(self.scan_box, False)
            self.finish_when_quoted = False
            self.message.setText(self.tr("Scan the member first, then the label."))
            return
        self.scans_in_flight += 1
        self.runner.run(scan_uc.earn_label, self.ctx, staff_id=self.staff.staff_id, member_id=member_id,
                        code=found.payload, on_done=lambda earned: (self._label_earned(earned), self._scan_ended()),
                        on_error=lambda exc: (self._scan_refused(exc), self._scan_ended()))

    def _label_earned(self, earned) -> None:
        feedback.scanned(self.scan_box, True)
        self.message.setText(self.tr("Label %1: +%2 points, balance %3").replace("%1", earned.label.serial)
                             .replace("%2", str(earned.label.points)).replace("%3", f"{earned.balance_after:,}"))
        member_id = self.member_id()
        if member_id:
            self.runner.run(members_uc.member_statement, self.ctx, member_id, history_limit=10,
                            on_done=self._refresh_statement)

    def _refresh_statement(self, statement) -> None:
        if self.member_id() == statement.member.member_id:  # the sale's member may have changed meanwhile
            self.member_panel.show_statement(statement)

    def _scan_refused(self, exc: Exception) -> None:
        feedback.scanned(self.scan_box, False)
        self.finish_when_quoted = False  # a refused scan stops a pending finish: the cashier reads why first
        self.pending_qty = 1
        self.message.setText(refusal_text(exc))

    def clear_member(self) -> None:
        self.member_panel.show_statement(None)
        self.member_pin.clear()
        self.member_code = None
        self._fill_coupons([])
        self.cash_points.setValue(0)
        self.requote()
        self.scan_box.setFocus()  # a click on ✕: the cashier's own action, at once

    def _coupon_scanned(self, found) -> None:
        """A coupon of any store, shown as its signed code: taken with the sale, checked (DESIGN.md 11)."""
        feedback.scanned(self.scan_box, True)
        c = found.coupon
        item = QListWidgetItem(f"{found.type_name or c.type_id} · {c.code} · {c.expires_at:%Y-%m-%d}")
        item.setData(Qt.UserRole, found.payload)
        item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
        item.setCheckState(Qt.Checked)
        self.coupons.blockSignals(True)
        self.coupons.addItem(item)
        self.coupons.setVisible(True)
        self.coupons_title.setVisible(True)
        self.coupons.blockSignals(False)
        self.message.setText(self.tr("Coupon: %1").replace("%1", c.code))
        self.requote()

    def _fill_coupons(self, coupons: list) -> None:
        self.coupons.blockSignals(True)
        self.coupons.clear()
        self.coupons.setVisible(bool(coupons))
        self.coupons_title.setVisible(bool(coupons))
        for c in coupons:
            item = QListWidgetItem(f"{c.type.name} · {c.code} · {c.expires_at:%Y-%m-%d}")
            item.setData(Qt.UserRole, c.code)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Unchecked)
            self.coupons.addItem(item)
        self.coupons.blockSignals(False)

    # --- the quote -------------------------------------------------------------------
    def member_id(self) -> str | None:
        st = self.member_panel.statement
        return st.member.member_id if st else None

    def chosen_coupons(self) -> list[str]:
        return [self.coupons.item(i).data(Qt.UserRole) for i in range(self.coupons.count())
                if self.coupons.item(i).checkState() == Qt.Checked]

    def requote(self) -> None:
        self.generation += 1
        if not self.cart.rows or self.ctx is None:
            self.cart.set_quote(None)
            self._show_totals(None)
            return
        gen = self.generation
        self.runner.run_after_paint(checkout_uc.price_cart, self.ctx, items=self.cart.items(),
                                    member_id=self.member_id(), coupons=self.chosen_coupons(),
                                    cash_points=self.cash_points.value(), on_done=lambda q: self._quoted(gen, q),
                                    on_error=lambda e: self._quote_refused(gen, e))

    def _quoted(self, gen: int, quote) -> None:
        if gen != self.generation:
            return  # a newer change is on its way
        self.quote_problem = None
        self.quoted_generation = gen
        self.cart.set_quote(quote)
        self._show_totals(quote)
        self._maybe_finish()

    def _quote_refused(self, gen: int, exc: Exception) -> None:
        """The cart as it stands cannot be sold (too many points, say): no total is shown,
        none an older quote priced, and F12 says why again instead of doing nothing."""
        if gen != self.generation:
            return
        self.finish_when_quoted = False
        self.quoted_generation = gen
        self.quote_problem = refusal_text(exc)
        self.cart.set_quote(None)
        self._show_totals(None)
        self.due.setText("—")
        self.discounts.setText(self.quote_problem)
        self.discounts.setProperty("state", "error")
        self._repolish(self.discounts)
        self.message.setText(self.quote_problem)
        feedback.scanned(self.scan_box, False)

    @staticmethod
    def _repolish(widget) -> None:
        widget.style().unpolish(widget)
        widget.style().polish(widget)

    def _show_totals(self, q) -> None:
        self.current_quote = q
        if self.discounts.property("state"):
            self.discounts.setProperty("state", "")
            self._repolish(self.discounts)
        if q is None:
            self.subtotal.setText(self.tr("Subtotal: %1").replace("%1", format_fen(0)))
            self.discounts.setText("")
            self.due.setText(format_fen(0))
            self.earn.setText("")
            return
        self.subtotal.setText(self.tr("Subtotal: %1").replace("%1", format_fen(q.subtotal_fen)))
        parts = []
        if q.discount_fen:
            parts.append(self.tr("Coupons −%1").replace("%1", format_fen(q.discount_fen)))
        if q.cash_fen:
            parts.append(self.tr("Points −%1 (%2 pts)").replace("%1", format_fen(q.cash_fen))
                         .replace("%2", f"{q.cash_points:,}"))
        self.discounts.setText(" · ".join(parts))
        self.due.setText(format_fen(q.due_fen))
        self.earn.setText(self.tr("This sale earns %1 points").replace("%1", f"{q.earn_points:,}")
                          if self.member_id() else self.tr("No member: no points earned"))

    def cancel_sale(self) -> None:
        if self.cart.rows:
            answer = QMessageBox.question(self, self.tr("Cancel sale"), self.tr("Clear this sale?"),
                                          QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
            if answer != QMessageBox.Yes:
                return
        self.reset()
        self.show_done(None)
        self.scan_box.setFocus()
        self.message.setText("")

    # --- keys ------------------------------------------------------------------------
    def selected_row(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else len(self.cart.rows) - 1

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.KeyPress and (obj is self.table or not self.scan_box.text()):
            key = event.key()
            row = self.selected_row()
            if key in (Qt.Key_Plus, Qt.Key_Equal) and row >= 0:
                self.cart.set_qty(row, self.cart.rows[row].qty + 1)
                self.requote()
                return True
            if key == Qt.Key_Minus and row >= 0:
                if self.cart.rows[row].qty <= 1:
                    # never a silent void: Delete removes a line, on purpose
                    feedback.scanned(self.scan_box, False)
                    self.message.setText(self.tr("The quantity is 1 already: press Delete to void the line."))
                    return True
                self.cart.set_qty(row, self.cart.rows[row].qty - 1)
                self.requote()
                return True
            if key == Qt.Key_Delete and row >= 0:
                self.cart.remove(row)
                self.requote()
                return True
            if key == Qt.Key_Escape:
                self.cancel_sale()
                return True
        return super().eventFilter(obj, event)

