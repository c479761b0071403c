"""Sign-in by staff PIN: pick your name, type the PIN, Enter."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from pos_app.ui.enrol_form import EnrolForm
from pos_app.ui.tasks import TaskRunner, UseCases
from pos_app.ui.widgets import button, label

staff_uc = UseCases("pos_app.services.staff")


class SignInView(QWidget):
    signed_in = Signal(object)  # Staff

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("page")
        self.runner = runner
        self.ctx = None
        self.staff_id: str | None = None
        self._staff_buttons: dict[str, object] = {}
        self._names: dict[str, str] = {}

        self.title = label(self.tr("Sign in"), "title")
        self.store_line = label("", "muted")
        self.staff_row = QHBoxLayout()
        # who the PIN is checked against, in words: a highlighted button alone was missed
        self.chosen = label("", "title")
        self.pin = QLineEdit()
        self.pin.setObjectName("pin")
        self.pin.setEchoMode(QLineEdit.Password)
        self.pin.setMaxLength(8)
        self.pin.setPlaceholderText(self.tr("PIN"))
        self.pin.returnPressed.connect(self.submit)
        self.message = label("", "muted", wrap=True)
        self.ok = button(self.tr("Sign in (Enter)"), "primary")
        self.ok.clicked.connect(self.submit)
        # A new till (started without demo data) has no staff until HQ sends them.
        self.enrol_note = label(self.tr("This till has no staff yet. Enrol it with HQ: staff, catalogue and rules "
                                        "arrive with the first sync."), "", wrap=True)
        self.enrol_form = EnrolForm()
        self.enrol_note.hide()
        self.enrol_form.hide()

        pad = QGridLayout()
        for i, key in enumerate("123456789C0<"):
            b = button(key)
            b.setFocusPolicy(Qt.NoFocus)  # the PIN field keeps focus so Enter still signs in
            b.setMinimumSize(72, 56)
            b.clicked.connect(lambda _=False, k=key: self._key(k))
            pad.addWidget(b, i // 3, i % 3)

        column = QWidget()
        column.setFixedWidth(560)
        inner = QVBoxLayout(column)
        for w in (self.title, self.store_line):
            inner.addWidget(w, alignment=Qt.AlignHCenter)
        inner.addLayout(self.staff_row)
        inner.addWidget(self.chosen, alignment=Qt.AlignHCenter)
        inner.addWidget(self.pin)
        inner.addLayout(pad)
        inner.addWidget(self.ok)
        inner.addWidget(self.message, alignment=Qt.AlignHCenter)
        inner.addWidget(self.enrol_note)
        inner.addWidget(self.enrol_form)
        box = QVBoxLayout(self)
        box.addStretch(1)
        box.addWidget(column, alignment=Qt.AlignHCenter)
        box.addStretch(2)

    def load(self, ctx, store_name: str) -> None:
        self.ctx = ctx
        self.enrol_form.ctx = ctx
        self.store_line.setText(store_name)
        self.runner.run(staff_uc.list_staff, ctx, on_done=self._show_staff, on_error=self._error)

    def _show_staff(self, staff: list) -> None:
        for b in self._staff_buttons.values():
            b.deleteLater()
        self._staff_buttons.clear()
        self._names = {s.staff_id: s.name for s in staff}
        for s in staff:
            b = button(s.name, "staff")
            b.setCheckable(True)
            b.setMinimumSize(150, 64)
            b.clicked.connect(lambda _=False, sid=s.staff_id: self.choose(sid))
            self.staff_row.addWidget(b)
            self._staff_buttons[s.staff_id] = b
        if staff:
            self.choose(staff[0].staff_id)
        for w in (self.enrol_note, self.enrol_form):
            w.setVisible(not staff)
        self.pin.setEnabled(bool(staff))
        self.ok.setEnabled(bool(staff))

    def choose(self, staff_id: str) -> None:
        self.staff_id = staff_id
        for sid, b in self._staff_buttons.items():
            b.setChecked(sid == staff_id)
        name = self._names.get(staff_id, "")
        self.chosen.setText(self.tr("Signing in as %1").replace("%1", name) if name else "")
        self.pin.setPlaceholderText(self.tr("PIN of %1").replace("%1", name) if name else self.tr("PIN"))
        self.pin.clear()
        self.pin.setFocus()

    def _key(self, key: str) -> None:
        if key == "C":
            self.pin.clear()
        elif key == "<":
            self.pin.backspace()
        else:
            self.pin.insert(key)

    def submit(self) -> None:
        if not self.staff_id or self.ctx is None:
            return
        pin = self.pin.text()
        self.pin.clear()
        self.ok.setEnabled(False)
        self.runner.run(staff_uc.sign_in, self.ctx, staff_id=self.staff_id, pin=pin,
                        on_done=self._done, on_error=self._error)

    def _done(self, staff) -> None:
        self.ok.setEnabled(True)
        self.message.setText("")
        self.signed_in.emit(staff)

    def _error(self, exc: Exception) -> None:
        self.ok.setEnabled(True)
        from pos_app.ui.messages import refusal_text
        self.message.setText(refusal_text(exc))
        self.pin.setFocus()
