"""Enrolment with HQ: its address and the one-time token HQ gave the store.

Used in Settings, and on the sign-in screen of a new till that has no staff yet (the
staff list arrives from HQ with the first pull). The network call runs on the device
worker, never on the GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLineEdit, QVBoxLayout, QWidget

from pos_app.ui.messages import refusal_text
from pos_app.ui.tasks import TaskRunner, UseCases
from pos_app.ui.widgets import button, label

enrol_uc = UseCases("pos_app.sync.enrol")  # the HTTP client (requests, pydantic) loads on the device worker


class EnrolForm(QWidget):
    enrolled = Signal(object)  # EnrolResponse

    def __init__(self, devices: TaskRunner | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.devices = devices
        self.ctx = None
        self.hq_url = QLineEdit()
        self.hq_url.setPlaceholderText("https://hq.example.com")
        self.hq_token = QLineEdit()
        self.hq_token.setPlaceholderText(self.tr("one-time token from HQ"))
        self.hq_token.returnPressed.connect(self.enrol)
        self.enrol_button = button(self.tr("Enrol with HQ"), "primary")
        self.enrol_button.clicked.connect(self.enrol)
        self.message = label("", "muted", wrap=True)
        form = QFormLayout()
        form.addRow(self.tr("HQ address"), self.hq_url)
        form.addRow(self.tr("Token"), self.hq_token)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(form)
        box.addWidget(self.enrol_button)
        box.addWidget(self.message)

    def enrol(self) -> None:
        url, token = self.hq_url.text().strip(), self.hq_token.text().strip()
        if self.ctx is None or self.devices is None:
            return
        if not url.startswith(("http://", "https://")) or not token:
            self.message.setText(self.tr("Type HQ's address (http:// or https://) and the one-time token."))
            return
        self.enrol_button.setEnabled(False)
        self.message.setText(self.tr("Enrolling…"))
        self.devices.run(enrol_uc.enrol, self.ctx.db, url, token, who=self.ctx.who, on_done=self._enrolled,
                         on_error=self._failed)

    def _enrolled(self, answer) -> None:
        self.enrol_button.setEnabled(True)
        self.hq_token.clear()
        self.message.setText(self.tr("Enrolled as store {store}. Syncing now.").format(store=answer.store_id))
        self.enrolled.emit(answer)

    def _failed(self, exc: Exception) -> None:
        self.enrol_button.setEnabled(True)
        from pos_app.sync.errors import SyncError  # loaded by the enrolment that failed

        # HQ's own words (unreachable, token used or unknown, database not fresh) say what to do.
        reason = str(exc) if isinstance(exc, SyncError) else refusal_text(exc)
        self.message.setText(self.tr("Enrolment failed: {reason}").format(reason=reason))
