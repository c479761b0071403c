"""Gifts: the catalogue grid, redeeming in person with the manager's PIN, writing off pickups."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (QCheckBox, QFormLayout, QFrame, QHBoxLayout, QLabel, QLineEdit, QListView,
                               QListWidget, QListWidgetItem, QScrollArea, QSpinBox, QVBoxLayout, QWidget)

from pos_app.domain.money import format_fen
from pos_app.ui import feedback
from pos_app.ui.focus import FocusKeeper
from pos_app.ui.messages import refusal_text
from pos_app.ui.paths import resource
from pos_app.ui.pickup_slip import slip_lines, slip_pdf
from pos_app.ui.printing import qr_image
from pos_app.ui.receipt_printer import PrinterError, parse_target, print_escpos
from pos_app.ui.tasks import TaskRunner, UseCases
from pos_app.ui.widgets import button, label, panel

catalog_uc = UseCases("pos_app.services.catalog")
members_uc = UseCases("pos_app.services.members")
redeem_uc = UseCases("pos_app.services.redeem")
scan_uc = UseCases("pos_app.services.scan")

TILE = 120
PALETTE = ("#2f6fed", "#2b8a3e", "#e8590c", "#862e9c", "#0b7285", "#c92a2a")


def gift_icon(gift) -> QIcon:
    """The gift's picture from resources/gifts/<id>.png, or a coloured tile with its first character."""
    picture = resource("gifts", f"{gift.gift_id}.png")
    if picture.exists():
        return QIcon(str(picture))
    pix = QPixmap(TILE, TILE)
    pix.fill(QColor(PALETTE[sum(map(ord, gift.gift_id)) % len(PALETTE)]))
    p = QPainter(pix)
    p.setPen(QColor("white"))
    font = QFont(p.font())
    font.setPixelSize(56)
    p.setFont(font)
    p.drawText(pix.rect(), Qt.AlignCenter, gift.name[:1])
    p.end()
    return QIcon(pix)


class GiftsView(QWidget):
    def __init__(self, runner: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("page")
        self.runner = runner
        self.ctx = self.staff = None
        self.member = None
        self.tier_names: dict[str, str] = {}
        self.member_code = None  # proof from the member's dynamic phone code: replaces the member PIN once
        self.last = None
        self.store_name = ""
        self.printer_target = ""  # as the receipts: pdf:<folder>, tcp://..., usb://...; the app sets it
        self.slip_dir = Path.home() / "receipts"
        self.devices = runner
        self.focus = FocusKeeper(self)

        self.grid = QListWidget()
        self.grid.setViewMode(QListView.IconMode)
        self.grid.setIconSize(QSize(TILE, TILE))
        self.grid.setGridSize(QSize(TILE + 90, TILE + 120))  # four lines under the picture, none cut
        self.grid.setResizeMode(QListView.Adjust)
        self.grid.setMovement(QListView.Static)
        self.grid.setWordWrap(True)

        self.member_box = QLineEdit()
        self.member_box.setPlaceholderText(self.tr("Member phone or card"))
        self.member_box.returnPressed.connect(self.find_member)
        self.member_line = label(self.tr("No member"), "muted", wrap=True)
        self.qty = QSpinBox()
        self.qty.setRange(1, 20)
        self.member_pin = QLineEdit()
        self.member_pin.setEchoMode(QLineEdit.Password)
        self.member_pin.setPlaceholderText(self.tr("typed by the member"))
        self.manager_pin = QLineEdit()
        self.manager_pin.setEchoMode(QLineEdit.Password)
        self.manager_pin.setPlaceholderText(self.tr("manager approves"))
        self.manager_pin.returnPressed.connect(self.redeem)
        self.hand_over = QCheckBox(self.tr("Hand over now (else print a pickup slip)"))
        self.hand_over.setChecked(True)
        self.redeem_button = button(self.tr("Redeem"), "primary")
        self.redeem_button.clicked.connect(self.redeem)
        form = QFormLayout()
        form.addRow(self.tr("Member"), self.member_box)
        form.addRow("", self.member_line)
        form.addRow(self.tr("Quantity"), self.qty)
        form.addRow(self.tr("Member PIN"), self.member_pin)
        form.addRow(self.tr("Manager PIN"), self.manager_pin)

        self.pickup_box = QLineEdit()
        self.pickup_box.setObjectName("scanBox")
        self.pickup_box.setPlaceholderText(self.tr("Scan a pickup code to write it off"))
        self.pickup_box.returnPressed.connect(self.write_off)
        self.message = label("", "muted", wrap=True)
        # a held gift's pickup code, as the slip prints it (a QR, not its 160 characters)
        self.pickup_qr = QLabel()
        self.pickup_qr.setFixedSize(120, 120)
        self.pickup_qr.setScaledContents(True)
        self.pickup_qr.hide()
        # the member's gifts held for pickup: a manager can void one (points and stock come back)
        self.held = QListWidget()
        self.held.setMaximumHeight(80)
        self.void_button = button(self.tr("Void held gift (manager PIN)"), "danger")
        self.void_button.clicked.connect(self.void_held)
        self.held_panel = panel(label(self.tr("Held for pickup"), "title"), self.held, self.void_button)
        self.held_panel.hide()

        right = QVBoxLayout()
        right.addWidget(label(self.tr("Redeem a gift"), "title"))
        right.addLayout(form)
        right.addWidget(self.hand_over)
        right.addWidget(self.redeem_button)
        right.addWidget(panel(label(self.tr("Write off a pickup"), "title"), self.pickup_box))
        right.addWidget(self.held_panel)
        told = QHBoxLayout()
        told.addWidget(self.pickup_qr, 0, Qt.AlignTop)
        told.addWidget(self.message, 1)
        right.addLayout(told)
        right.addStretch(1)
        # the form, the pickups and the message never squeeze one another: a short screen scrolls
        column = QWidget()
        column.setObjectName("page")
        column.setLayout(right)
        self.scroll = scroll = QScrollArea()
        scroll.setWidget(column)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(column.sizeHint().width() + 16)
        box = QHBoxLayout(self)
        box.addWidget(self.grid, 3)
        box.addWidget(scroll, 2)

    def start(self, ctx, staff) -> None:
        self.ctx, self.staff = ctx, staff
        self.runner.run(catalog_uc.store_info, ctx, on_done=self._tiers)

    def _tiers(self, info) -> None:
        self.tier_names = {t.code: t.name for t in info.rules.tiers}

    def shown(self) -> None:
        self.refresh()
        self.member_box.setFocus()

    def refresh(self) -> None:
        self.runner.run(catalog_uc.gift_offers, self.ctx, on_done=self._show_offers)

    def _show_offers(self, offers: list) -> None:
        current = self.selected_gift_id()
        self.grid.clear()
        for o in offers:
            g = o.gift
            lines = [g.name, self.tr("%1 pts").replace("%1", f"{g.points_cost:,}")]
            if g.copay_fen:
                lines[-1] += " + " + format_fen(g.copay_fen)
            extra = [self.tr("stock %1").replace("%1", str(o.stock))]
            if g.per_member_limit:
                extra.append(self.tr("limit %1").replace("%1", str(g.per_member_limit)))
            lines.append(" · ".join(extra))
            if g.min_tier:  # a line of its own: tier names are long
                lines.append(self.tier_names.get(g.min_tier, g.min_tier))
            item = QListWidgetItem(gift_icon(g), "\n".join(lines))
            item.setData(Qt.UserRole, g.gift_id)
            if o.stock <= 0:
                item.setForeground(QColor("#9aa1ab"))
            self.grid.addItem(item)
            if g.gift_id == current:
                self.grid.setCurrentItem(item)

    def selected_gift_id(self) -> str | None:
        item = self.grid.currentItem()
        return item.data(Qt.UserRole) if item else None

    def scanned(self, text: str) -> None:
        """A wedge scan: a pickup code is written off, anything else names the member."""
        if text.startswith("PM1:P:") or text.upper().startswith("PK"):
            self.pickup_box.setText(text)
            self.write_off()
        else:
            self.member_box.setText(text)
            self.find_member()

    def find_member(self) -> None:
        text = self.member_box.text().strip()
        self.member_code = None
        self.member_pin.clear()
        # the member types the PIN next: their keys go there at once, not after the lookup
        self.member_pin.setFocus()
        self.focus.asked()
        if text.startswith("PM1:"):  # a card or the phone's dynamic code: verified like at the checkout
            self.runner.run(scan_uc.resolve_scan, self.ctx, text, on_done=self._code_resolved,
                            on_error=self._lookup_failed)
        else:
            self.runner.run(members_uc.find_member, self.ctx, text, on_done=self._member_found,
                            on_error=self._error)

    def _code_resolved(self, found) -> None:
        from pos_app.services.scan import ScannedMember  # loaded by the worker's call

        if not isinstance(found, ScannedMember):
            self._wrong_code()
            return
        self._member_found(found.member)
        self.member_code = found.member_code
        if self.member_code:
            self.member_pin.setPlaceholderText(self.tr("not needed: the member's phone code was scanned"))

    def _wrong_code(self) -> None:
        self._lookup_failed(None)
        self.message.setText(self.tr("That code is not a member's: scan the member card or phone code."))

    def _lookup_failed(self, exc) -> None:
        self.member = None
        self.member_pin.clear()  # digits typed ahead for a member not found are dropped, never shown
        self.member_line.setText(self.tr("No member"))
        self.held_panel.hide()
        feedback.scanned(self.member_box, False)
        if exc is not None:
            self.message.setText(refusal_text(exc))
        self.focus.settle(self.member_box)

    def _member_found(self, member) -> None:
        self.member = member
        self.member_pin.setPlaceholderText(self.tr("typed by the member"))
        feedback.scanned(self.member_box, True)
        self.runner.run(members_uc.member_statement, self.ctx, member.member_id, history_limit=0,
                        on_done=lambda st: self.member_line.setText(
                            self.tr("%1 · spendable %2 points").replace("%1", member.name)
                            .replace("%2", f"{st.spendable:,}")))
        self.runner.run(redeem_uc.member_redemptions, self.ctx, member.member_id, on_done=self._show_held)

    def _show_held(self, redemptions: list) -> None:
        self.held.clear()
        for r in redemptions:
            if r.status == "held":
                item = QListWidgetItem(self.tr("%1 × %2 · %3").replace("%1", r.gift_name).replace("%2", str(r.qty))
                                       .replace("%3", f"{r.created_at:%Y-%m-%d}"))
                item.setData(Qt.UserRole, r.redemption_id)
                self.held.addItem(item)
        if self.held.count():
            self.held.setCurrentRow(0)
        self.held_panel.setVisible(self.held.count() > 0)

    def void_held(self) -> None:
        item = self.held.currentItem()
        if item is None or self.member is None:
            return
        self.void_button.setEnabled(False)
        pin = self.manager_pin.text() or None
        self.manager_pin.clear()
        self.runner.run(redeem_uc.cancel_redemption, self.ctx, staff_id=self.staff.staff_id,
                        redemption_id=item.data(Qt.UserRole), approver_pin=pin, reason="voided at the counter",
                        on_done=self._voided, on_error=self._void_refused)

    def _voided(self, r) -> None:
        self.void_button.setEnabled(True)
        feedback.beep(True)
        self.message.setText(self.tr("Held gift voided: %1 × %2, %3 points back").replace("%1", r.gift_name)
                             .replace("%2", str(r.qty)).replace("%3", f"{r.points:,}"))
        self._member_found(self.member)
        self.refresh()

    def _void_refused(self, exc: Exception) -> None:
        self.void_button.setEnabled(True)
        feedback.beep(False)
        self.message.setText(refusal_text(exc))

    def redeem(self) -> None:
        gift_id = self.selected_gift_id()
        if self.member is None or gift_id is None:
            self.message.setText(self.tr("Choose the member and a gift first."))
            return
        self.redeem_button.setEnabled(False)
        proof = {"member_pin": self.member_pin.text() or None, "approver_pin": self.manager_pin.text() or None,
                 "member_code": None if self.member_pin.text() else self.member_code}
        self.member_pin.clear()  # a PIN is typed again for each try, never left in a field
        self.manager_pin.clear()
        self.runner.run(redeem_uc.redeem_gift, self.ctx, staff_id=self.staff.staff_id,
                        member_id=self.member.member_id, gift_id=gift_id, qty=self.qty.value(), **proof,
                        hand_over=self.hand_over.isChecked(), on_done=self._redeemed, on_error=self._error)

    def _redeemed(self, r) -> None:
        self.last = r
        self.redeem_button.setEnabled(True)
        self.member_pin.clear()
        self.manager_pin.clear()
        self.member_code = None  # good for one redemption
        self.member_pin.setPlaceholderText(self.tr("typed by the member"))
        feedback.beep(True)
        self.pickup_qr.hide()
        if r.status == "held":
            where = self.print_slip(r)
            text = self.tr("%1 × %2 held for pickup: its pickup slip with the QR code is printed.")\
                .replace("%1", r.gift_name).replace("%2", str(r.qty))
            self.message.setToolTip(where)
            self.pickup_qr.setPixmap(QPixmap.fromImage(qr_image(r.pickup_code, 4)))
            self.pickup_qr.setToolTip(r.pickup_code)
            self.pickup_qr.show()
            QTimer.singleShot(0, lambda: self.scroll.ensureWidgetVisible(self.pickup_qr))  # once laid out
        else:
            text = self.tr("%1 × %2 redeemed for %3 points: hand it over.").replace("%1", r.gift_name)\
                .replace("%2", str(r.qty)).replace("%3", f"{r.points:,}")
        self.message.setText(text)
        self._member_found(self.member)
        self.refresh()

    def print_slip(self, r) -> str:
        """The pickup slip, on the receipt printer (a PDF by default): where it went."""
        lines = slip_lines(r, self.store_name, self.ctx.timezone if self.ctx else None)
        try:
            target = parse_target(self.printer_target) if self.printer_target else None
        except PrinterError as exc:
            return str(exc)
        if target is None or target.kind == "pdf":
            folder = Path(target.where) if target else self.slip_dir
            return str(slip_pdf(lines, r.pickup_code, folder / f"pickup-{r.redemption_id}.pdf"))
        self.devices.run(print_escpos, target, lines, r.pickup_code,
                         on_error=lambda exc: self.message.setText(str(exc)))
        return self.printer_target

    def write_off(self) -> None:
        code = self.pickup_box.text().strip()
        self.pickup_box.clear()
        if code:
            self.runner.run(redeem_uc.write_off_pickup, self.ctx, staff_id=self.staff.staff_id, pickup_code=code,
                            on_done=self._written_off, on_error=self._pickup_error)

    def _written_off(self, r) -> None:
        feedback.scanned(self.pickup_box, True)
        self.message.setText(self.tr("Pickup written off: %1 × %2").replace("%1", r.gift_name)
                             .replace("%2", str(r.qty)))

    def _pickup_error(self, exc: Exception) -> None:
        feedback.scanned(self.pickup_box, False)
        self.message.setText(refusal_text(exc))

    def _error(self, exc: Exception) -> None:
        self.redeem_button.setEnabled(True)
        self.member_pin.clear()  # a PIN is typed again for each try, never left in a field
        self.manager_pin.clear()
        self.message.setText(refusal_text(exc))
