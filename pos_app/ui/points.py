"""Points desk: coupons bought with points, lottery, donation, and the manager's adjustments."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QGridLayout, QLineEdit, QSpinBox, QVBoxLayout, QWidget

from pos_app.ui import feedback
from pos_app.ui.focus import FocusKeeper
from pos_app.ui.messages import refusal_text
from pos_app.ui.tasks import TaskRunner, UseCases
from pos_app.ui.widgets import button, label, panel

catalog_uc = UseCases("pos_app.services.catalog")
members_uc = UseCases("pos_app.services.members")
points_uc = UseCases("pos_app.services.points")
scan_uc = UseCases("pos_app.services.scan")


class PointsView(QWidget):
    def __init__(self, runner: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("page")
        self.runner = runner
        self.ctx = self.staff = None
        self.member = None
        self.member_code: str | None = None  # the member's phone code, scanned: proof for one spend
        self.busy = False  # a spend is on its way: one action per click, never two
        self.focus = FocusKeeper(self)

        self.member_box = QLineEdit()
        self.member_box.setObjectName("scanBox")
        self.member_box.setPlaceholderText(self.tr("Member phone or card"))
        self.member_box.returnPressed.connect(self.find_member)
        self.member_line = label(self.tr("No member"), "title")
        self.member_pin = QLineEdit()
        self.member_pin.setEchoMode(QLineEdit.Password)
        self.member_pin.setPlaceholderText(self.tr("typed by the member (coupons, lottery, donation)"))

        self.coupon_type = QComboBox()
        self.buy_button = buy = button(self.tr("Buy coupon"))
        buy.clicked.connect(self.buy_coupon)
        self.lottery = QComboBox()
        self.draw_button = draw = button(self.tr("Draw"))
        draw.clicked.connect(self.draw)
        self.donation = QSpinBox()
        self.donation.setRange(0, 1_000_000)
        self.donation.setSingleStep(100)
        self.donate_button = give = button(self.tr("Donate"))
        give.clicked.connect(self.donate)
        self.adjust_points = QSpinBox()
        self.adjust_points.setRange(-1_000_000, 1_000_000)
        self.adjust_reason = QLineEdit()
        self.adjust_reason.setPlaceholderText(self.tr("reason (required)"))
        self.manager_pin = QLineEdit()
        self.manager_pin.setEchoMode(QLineEdit.Password)
        adjust = button(self.tr("Adjust"), "danger")
        adjust.clicked.connect(self.adjust)

        grid = QGridLayout()
        grid.addWidget(panel(label(self.tr("Coupon"), "title"), self.coupon_type, buy), 0, 0)
        grid.addWidget(panel(label(self.tr("Lottery"), "title"), self.lottery, draw), 0, 1)
        grid.addWidget(panel(label(self.tr("Donate to charity"), "title"), self.donation, give), 1, 0)
        form = QFormLayout()
        form.addRow(self.tr("Points (+/−)"), self.adjust_points)
        form.addRow(self.tr("Reason"), self.adjust_reason)
        form.addRow(self.tr("Manager PIN"), self.manager_pin)
        adjust_panel = panel(label(self.tr("Adjust (manager)"), "title"))
        adjust_panel.layout().addLayout(form)
        adjust_panel.layout().addWidget(adjust)
        grid.addWidget(adjust_panel, 1, 1)
        grid.setColumnStretch(0, 1)  # equal halves: a coupon's name reads in full at 1024 px
        grid.setColumnStretch(1, 1)
        for combo in (self.coupon_type, self.lottery):
            combo.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        self.message = label("", "muted", wrap=True)
        box = QVBoxLayout(self)
        box.addWidget(self.member_box)
        box.addWidget(self.member_line)
        box.addWidget(self.member_pin)
        box.addLayout(grid)
        box.addWidget(self.message)
        box.addStretch(1)

    def start(self, ctx, staff) -> None:
        self.ctx, self.staff = ctx, staff

    def shown(self) -> None:
        self.runner.run(catalog_uc.coupon_types, self.ctx, on_done=self._fill_coupon_types)
        self.runner.run(catalog_uc.lotteries, self.ctx, on_done=self._fill_lotteries)
        self.member_box.setFocus()

    def _fill_coupon_types(self, types: list) -> None:
        self.coupon_type.clear()
        for t in types:
            self.coupon_type.addItem(self.tr("%1 (%2 pts)").replace("%1", t.name).replace("%2", f"{t.points_cost:,}"),
                                     t.type_id)

    def _fill_lotteries(self, lotteries: list) -> None:
        self.lottery.clear()
        for lot in lotteries:
            self.lottery.addItem(self.tr("%1 (%2 pts a draw)").replace("%1", lot.name)
                                 .replace("%2", str(lot.points_per_draw)), lot.lottery_id)

    def scanned(self, text: str) -> None:
        self.member_box.setText(text)
        self.find_member()

    def find_member(self) -> None:
        text = self.member_box.text().strip()
        self.member_code = None
        self.member_pin.clear()
        # the member types the PIN next: their keys go there at once, not after the lookup
        self.member_pin.setFocus()
        self.focus.asked()
        if text.startswith("PM1:"):  # a card or the phone's dynamic code, verified as at the checkout
            self.runner.run(scan_uc.resolve_scan, self.ctx, text, on_done=self._code_resolved,
                            on_error=self._lookup_failed)
        else:
            self.runner.run(members_uc.find_member, self.ctx, text, on_done=self._found,
                            on_error=self._lookup_failed)

    def _code_resolved(self, found) -> None:
        from pos_app.services.scan import ScannedMember  # loaded by the worker's call

        if not isinstance(found, ScannedMember):
            self._lookup_failed(None)
            self.message.setText(self.tr("That code is not a member's: scan the member card or phone code."))
            return
        self._found(found.member)
        self.member_code = found.member_code
        if self.member_code:
            self.member_pin.setPlaceholderText(self.tr("not needed: the member's phone code was scanned"))

    def _lookup_failed(self, exc) -> None:
        self.member = None
        self.member_pin.clear()  # digits typed ahead for a member not found are dropped, never shown
        self.member_line.setText(self.tr("No member"))
        feedback.scanned(self.member_box, False)
        if exc is not None:
            self.message.setText(refusal_text(exc))
        self.focus.settle(self.member_box)

    def _found(self, member) -> None:
        self.member = member
        self.member_pin.setPlaceholderText(self.tr("typed by the member (coupons, lottery, donation)"))
        feedback.scanned(self.member_box, True)
        self.runner.run(members_uc.member_statement, self.ctx, member.member_id, history_limit=0,
                        on_done=self._show_balance)

    def _show_balance(self, st) -> None:
        self.member_line.setText(self.tr("%1 · %2 points (spendable %3)").replace("%1", st.member.name)
                                 .replace("%2", f"{st.balance:,}").replace("%3", f"{st.spendable:,}"))

    def _need_member(self) -> bool:
        if self.busy:
            return False  # the click before this one is still on its way: one action per click
        if self.member is None:
            self.message.setText(self.tr("Scan the member first."))
            return False
        return True

    def _spend(self, use_case, on_done, **kwargs) -> None:
        """One spend with the member's proof, which is used up by it: the PIN is cleared and
        a scanned phone code forgotten, whatever the answer (the next spend asks again)."""
        proof = {"member_pin": self.member_pin.text() or None,
                 "member_code": None if self.member_pin.text() else self.member_code}
        self.member_pin.clear()
        self.member_code = None
        self.member_pin.setPlaceholderText(self.tr("typed by the member (coupons, lottery, donation)"))
        self._set_busy(True)
        self.runner.run(use_case, self.ctx, staff_id=self.staff.staff_id, member_id=self.member.member_id,
                        **kwargs, **proof, on_done=on_done, on_error=self._error)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for b in (self.buy_button, self.draw_button, self.donate_button):
            b.setEnabled(not busy)

    def buy_coupon(self) -> None:
        if self._need_member() and self.coupon_type.currentData():
            self._spend(points_uc.buy_coupon, lambda r: self._done(
                self.tr("Coupon %1 issued, valid until %2").replace("%1", r.code)
                .replace("%2", f"{r.expires_at:%Y-%m-%d}")), type_id=self.coupon_type.currentData())

    def draw(self) -> None:
        if self._need_member() and self.lottery.currentData():
            # the draw's seed is kept in its event for an auditor; the member hears the prize
            self._spend(points_uc.lottery_draw, lambda r: self._done(self._prize_text(r)),
                        lottery_id=self.lottery.currentData())

    def _prize_text(self, r) -> str:
        """The prize the member won, and the draws left today when HQ limits them."""
        text = self.tr("Prize: %1").replace("%1", r.prize.name)
        if r.prize.points:
            text += " " + self.tr("(+%1 points)").replace("%1", f"{r.prize.points:,}")
        if r.draws_left is not None:
            text += " · " + self.tr("%1 draws left today").replace("%1", str(r.draws_left))
        return text

    def donate(self) -> None:
        if self._need_member():
            self._spend(points_uc.donate, lambda _r: self._done(self.tr("Thank you: points donated to charity")),
                        points=self.donation.value())

    def adjust(self) -> None:
        if self._need_member():
            self._set_busy(True)
            self.runner.run(points_uc.adjust, self.ctx, staff_id=self.staff.staff_id,
                            member_id=self.member.member_id, points=self.adjust_points.value(),
                            reason=self.adjust_reason.text(), approver_pin=self.manager_pin.text() or None,
                            on_done=lambda _r: self._done(self.tr("Adjustment recorded")), on_error=self._error)
            self.manager_pin.clear()

    def _done(self, text: str) -> None:
        self._set_busy(False)
        feedback.beep(True)
        self.message.setText(text)
        self._found(self.member)

    def _error(self, exc: Exception) -> None:
        self._set_busy(False)
        feedback.beep(False)
        self.message.setText(refusal_text(exc))
