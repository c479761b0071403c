"""Members: look up, register, statement and history, print a member card QR."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (QFormLayout, QHBoxLayout, QHeaderView, QLineEdit, QListWidget, QListWidgetItem,
                               QStackedWidget, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from pos_app.domain.problems import Refused
from pos_app.ui.messages import kind_text, refusal_text
from pos_app.ui.printing import paint_pdf, qr_image
from pos_app.ui.tasks import TaskRunner, UseCases
from pos_app.ui.times import minute
from pos_app.ui.widgets import button, label, panel

catalog_uc = UseCases("pos_app.services.catalog")
members_uc = UseCases("pos_app.services.members")


def card_payload(member) -> str:
    """What the printed member card's QR holds: the scanner's static card format when present."""
    try:
        from pos_app.scanner.formats import member_card_payload  # the scanner issue's encoder
    except ImportError:
        return member.card_no
    return member_card_payload(member.card_no)


def search_or_find(ctx, text: str) -> list:
    """Name or phone fragments search; a whole card number, phone or referral code finds."""
    found = members_uc.search_members(ctx, text)
    if not found:
        try:
            found = [members_uc.find_member(ctx, text)]
        except Refused:
            found = []
    return found


class MembersView(QWidget):
    def __init__(self, runner: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("page")
        self.runner = runner
        self.ctx = self.staff = None
        self.statement = None
        self.tier_names: dict[str, str] = {}  # tier code -> its name in the rules
        self.print_dir = Path.home()

        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Phone, name or card number"))
        self.search.returnPressed.connect(self.do_search)
        self.results = QListWidget()
        self.results.itemActivated.connect(self._open_item)
        self.results.itemClicked.connect(self._open_item)
        self.new_button = button(self.tr("New member (Ctrl+N)"), "primary")
        self.new_button.clicked.connect(self.new_member)
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.new_member)
        left = QVBoxLayout()
        left.addWidget(self.search)
        left.addWidget(self.results, 1)
        left.addWidget(self.new_button)

        # statement page
        self.st_title = label("", "title")
        self.st_summary = label("", "muted", wrap=True)
        self.history = QTableWidget(0, 3)
        self.history.setHorizontalHeaderLabels([self.tr("When"), self.tr("What"), self.tr("Points")])
        self.history.horizontalHeader().setSectionResizeMode(1, QHeaderView.Stretch)
        self.history.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeToContents)
        self.history.verticalHeader().setVisible(False)
        self.history.setEditTriggers(QTableWidget.NoEditTriggers)
        self.print_card = button(self.tr("Print member card QR"))
        self.print_card.clicked.connect(self.print_member_card)
        self.edit_button = button(self.tr("Edit member"))
        self.edit_button.clicked.connect(self.edit_member)
        statement_page = QWidget()
        sp = QVBoxLayout(statement_page)
        sp.addWidget(panel(self.st_title, self.st_summary))
        sp.addWidget(self.history, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.print_card)
        actions.addWidget(self.edit_button)
        sp.addLayout(actions)

        # register page
        self.f_phone, self.f_name, self.f_referrer, self.f_pin = (QLineEdit() for _ in range(4))
        self.f_phone.setPlaceholderText("138 0013 8000")
        self.f_referrer.setPlaceholderText(self.tr("optional, e.g. R1A2B3C4D"))
        self.f_pin.setEchoMode(QLineEdit.Password)
        self.f_pin.setPlaceholderText(self.tr("4-8 digits, typed by the member"))
        form = QFormLayout()
        form.addRow(self.tr("Mobile phone"), self.f_phone)
        form.addRow(self.tr("Name"), self.f_name)
        form.addRow(self.tr("Referrer code"), self.f_referrer)
        form.addRow(self.tr("Member PIN"), self.f_pin)
        self.register_button = button(self.tr("Register (Enter)"), "primary")
        self.register_button.clicked.connect(self.register)
        for f in (self.f_phone, self.f_name, self.f_referrer, self.f_pin):
            f.returnPressed.connect(self.register)
        register_page = QWidget()
        rp = QVBoxLayout(register_page)
        rp.addWidget(label(self.tr("Register a member"), "title"))
        rp.addLayout(form)
        rp.addWidget(self.register_button)
        rp.addStretch(1)

        # edit page: the name needs nothing; a new phone number or PIN needs the member here
        # (their current PIN, or their phone's dynamic code scanned into the proof box)
        self.e_name, self.e_phone, self.e_new_pin, self.e_proof = (QLineEdit() for _ in range(4))
        self.e_new_pin.setEchoMode(QLineEdit.Password)
        self.e_new_pin.setPlaceholderText(self.tr("leave blank to keep the PIN"))
        self.e_proof.setEchoMode(QLineEdit.Password)
        self.e_proof.setPlaceholderText(self.tr("current PIN, or scan the member's phone code"))
        edit_form = QFormLayout()
        edit_form.addRow(self.tr("Name"), self.e_name)
        edit_form.addRow(self.tr("Mobile phone"), self.e_phone)
        edit_form.addRow(self.tr("New PIN"), self.e_new_pin)
        edit_form.addRow(self.tr("Member's proof"), self.e_proof)
        self.save_button = button(self.tr("Save changes"), "primary")
        self.save_button.clicked.connect(self.save_member)
        back = button(self.tr("Back"))
        back.clicked.connect(lambda: self.pages.setCurrentIndex(0))
        edit_page = QWidget()
        ep = QVBoxLayout(edit_page)
        ep.addWidget(label(self.tr("Edit a member"), "title"))
        ep.addLayout(edit_form)
        row = QHBoxLayout()
        row.addWidget(self.save_button)
        row.addWidget(back)
        ep.addLayout(row)
        ep.addStretch(1)

        self.message = label("", "muted", wrap=True)
        self.pages = QStackedWidget()
        self.pages.addWidget(statement_page)
        self.pages.addWidget(register_page)
        self.pages.addWidget(edit_page)
        right = QVBoxLayout()
        right.addWidget(self.pages, 1)
        right.addWidget(self.message)
        box = QHBoxLayout(self)
        box.addLayout(left, 2)
        box.addLayout(right, 3)

    def start(self, ctx, staff) -> None:
        self.ctx, self.staff = ctx, staff
        self.runner.run(catalog_uc.store_info, ctx, on_done=lambda info: setattr(
            self, "tier_names", {t.code: t.name for t in info.rules.tiers}))

    def shown(self) -> None:
        self.search.setFocus()

    # --- look up -----------------------------------------------------------------------
    def scanned(self, text: str) -> None:
        if self.pages.currentIndex() == 2 and text.startswith("PM1:"):  # the member's proof for an edit
            self.e_proof.setText(text)
            return
        self.runner.run(members_uc.find_member, self.ctx, text, on_done=lambda m: self.open_member(m.member_id),
                        on_error=self._error)

    def do_search(self) -> None:
        text = self.search.text().strip()
        if text:
            self.runner.run(search_or_find, self.ctx, text, on_done=self._show_results,
                            on_error=self._error)

    def _show_results(self, found: list) -> None:
        self.results.clear()
        for m in found:
            item = QListWidgetItem(f"{m.name}  {m.phone}  {m.card_no}")
            item.setData(Qt.UserRole, m.member_id)
            self.results.addItem(item)
        self.message.setText(self.tr("%1 found").replace("%1", str(len(found))))
        if len(found) == 1:
            self.open_member(found[0].member_id)

    def _open_item(self, item: QListWidgetItem) -> None:
        self.open_member(item.data(Qt.UserRole))

    def open_member(self, member_id: str) -> None:
        self.runner.run(members_uc.member_statement, self.ctx, member_id, on_done=self._show_statement,
                        on_error=self._error)

    def _show_statement(self, st) -> None:
        self.statement = st
        m = st.member
        self.pages.setCurrentIndex(0)
        self.st_title.setText(f"{m.name}  ·  {m.phone}")
        lines = [self.tr("Card %1 · Tier %2 · Referral code %3").replace("%1", m.card_no)
                 .replace("%2", self.tier_names.get(m.tier, m.tier))
                 .replace("%3", m.referral_code),
                 self.tr("Balance %1 · spendable %2 · locked %3").replace("%1", f"{st.balance:,}")
                 .replace("%2", f"{st.spendable:,}").replace("%3", f"{st.locked:,}")]
        if st.agent_points:
            lines.append(self.tr("Referral points: %1").replace("%1", f"{st.agent_points:,}"))
        if st.debt:
            lines.append(self.tr("Owes %1 points").replace("%1", f"{st.debt:,}"))
        for day, pts in st.expiring_soon:
            lines.append(self.tr("%1 points expire on %2").replace("%1", f"{pts:,}").replace("%2", f"{day:%Y-%m-%d}"))
        self.st_summary.setText("\n".join(lines))
        self.history.setRowCount(len(st.history))
        for i, h in enumerate(st.history):
            for j, value in enumerate((minute(h.at, self.ctx.timezone), kind_text(h.kind), f"{h.points:+,}" if h.points else "")):
                self.history.setItem(i, j, QTableWidgetItem(value))

    # --- register ----------------------------------------------------------------------
    def new_member(self) -> None:
        for f in (self.f_phone, self.f_name, self.f_referrer, self.f_pin):
            f.clear()
        self.pages.setCurrentIndex(1)
        self.message.setText("")
        self.f_phone.setFocus()

    def register(self) -> None:
        self.register_button.setEnabled(False)
        self.runner.run(members_uc.register_member, self.ctx, staff_id=self.staff.staff_id,
                        phone=self.f_phone.text(), name=self.f_name.text(),
                        referrer_code=self.f_referrer.text().strip() or None,
                        member_pin=self.f_pin.text() or None, on_done=self._registered, on_error=self._error)

    def _registered(self, member) -> None:
        self.register_button.setEnabled(True)
        self.message.setText(self.tr("Registered %1, card %2").replace("%1", member.name)
                             .replace("%2", member.card_no))
        self.open_member(member.member_id)

    def _error(self, exc: Exception) -> None:
        self.register_button.setEnabled(True)
        self.message.setText(refusal_text(exc))

    # --- edit --------------------------------------------------------------------------
    def edit_member(self) -> None:
        if self.statement is None:
            return
        m = self.statement.member
        self.e_name.setText(m.name)
        self.e_phone.setText(m.phone)
        self.e_new_pin.clear()
        self.e_proof.clear()
        self.pages.setCurrentIndex(2)
        self.message.setText("")
        self.e_name.setFocus()

    def save_member(self) -> None:
        if self.statement is None:
            return
        m = self.statement.member
        proof = self.e_proof.text().strip()
        changes = {"name": self.e_name.text() if self.e_name.text().strip() != m.name else None,
                   "phone": self.e_phone.text() if self.e_phone.text().strip() != m.phone else None,
                   "new_pin": self.e_new_pin.text() or None}
        self.e_new_pin.clear()
        self.e_proof.clear()  # a PIN is never left in a field
        self.save_button.setEnabled(False)
        self.runner.run(members_uc.patch_member, self.ctx, staff_id=self.staff.staff_id, member_id=m.member_id,
                        **changes, member_code=proof if proof.startswith("PM1:") else None,
                        member_pin=None if proof.startswith("PM1:") else proof or None,
                        on_done=self._saved, on_error=self._save_refused)

    def _saved(self, member) -> None:
        self.save_button.setEnabled(True)
        self.message.setText(self.tr("Saved %1").replace("%1", member.name))
        self.open_member(member.member_id)

    def _save_refused(self, exc: Exception) -> None:
        self.save_button.setEnabled(True)
        self.message.setText(refusal_text(exc))

    # --- member card -------------------------------------------------------------------
    def print_member_card(self) -> Path | None:
        if self.statement is None:
            return None
        m = self.statement.member
        image = qr_image(card_payload(m))

        def paint(p, page):
            side = min(page.width(), page.height() * 0.7)
            p.drawImage(QRectF((page.width() - side) / 2, 0, side, side), image)
            p.setFont(QFont(p.font().family(), 9))
            p.drawText(page.adjusted(0, side, 0, 0), Qt.AlignHCenter | Qt.AlignTop, f"{m.name}\n{m.card_no}")

        path = paint_pdf(self.print_dir / f"member-card-{m.card_no}.pdf", 54, 86, paint)
        self.message.setText(self.tr("Member card saved to %1").replace("%1", str(path)))
        return path
