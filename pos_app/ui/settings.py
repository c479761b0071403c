"""Settings: language, receipt printer, camera (with a live preview), and the store's
link to HQ: enrolment with a one-time token and the offline limits in force.

Preferences live in ui.ini beside the store database (QSettings); nothing here is a
ledger fact, so none of it syncs. A language change applies by restarting the app,
which keeps every screen's state consistent (the store itself loses nothing).
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QProcess, Signal
from PySide6.QtWidgets import (QApplication, QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QLineEdit, QMessageBox,
                               QVBoxLayout,
                               QWidget)

from pos_app.ui import i18n
from pos_app.ui.camera_panel import CameraPanel
from pos_app.ui.enrol_form import EnrolForm
from pos_app.ui.times import local
from pos_app.ui.receipt_printer import PrinterError, parse_target
from pos_app.ui.tasks import TaskRunner, UseCases
from pos_app.ui.widgets import button, label, panel

offline_uc = UseCases("pos_app.services.offline")


def restart_args(argv: list[str], *, frozen: bool) -> list[str]:
    """The same command line without --lang, so the saved language takes effect."""
    out, skip = [], False
    for arg in argv[1:] if frozen else argv:
        if skip:
            skip = False
        elif arg == "--lang":
            skip = True
        elif not arg.startswith("--lang="):
            out.append(arg)
    return out


class SettingsView(QWidget):
    printer_changed = Signal(str, bool)  # target, auto-print
    camera_changed = Signal(str)
    enrolled = Signal()

    def __init__(self, runner: TaskRunner, settings, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("page")
        self.runner = runner
        self.settings = settings
        self.ctx = self.staff = None
        self.open_sale = lambda: 0  # how many lines the checkout's open sale has (the app sets it)

        self.language = QComboBox()
        for code, name in i18n.LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(settings.value("language",
                                                                                   i18n.DEFAULT_LANGUAGE))))
        restart = button(self.tr("Save and restart"))
        restart.clicked.connect(self.apply_language)

        self.printer = QLineEdit(settings.value("printer", ""))
        self.printer.setPlaceholderText(self.tr("pdf:<folder> · tcp://192.168.1.50:9100 · usb://04b8:0202"))
        self.auto_print = QCheckBox(self.tr("Print a receipt after every sale"))
        self.auto_print.setChecked(settings.value("auto_print", "false") in (True, "true"))
        save_printer = button(self.tr("Save printer"), "primary")
        save_printer.clicked.connect(self.save_printer)
        printer_form = QFormLayout()
        printer_form.addRow(self.tr("Receipt printer"), self.printer)
        printer_form.addRow("", self.auto_print)

        self.camera = QLineEdit(settings.value("camera", "0"))
        self.camera.setPlaceholderText(self.tr("0 (first webcam), a video file or rtsp://… stream"))
        save_camera = button(self.tr("Save camera"))
        save_camera.clicked.connect(self.save_camera)
        self.preview_button = button(self.tr("Preview"))
        self.preview_button.setCheckable(True)
        self.preview_button.toggled.connect(self.preview_camera)
        self.preview = CameraPanel()
        camera_buttons = QHBoxLayout()
        camera_buttons.addWidget(save_camera)
        camera_buttons.addWidget(self.preview_button)

        self.enrol_form = EnrolForm()
        self.enrol_form.enrolled.connect(self._enrolled)
        self.hq_state = label("", "", wrap=True)
        self.limits = label("", "muted", wrap=True)

        self.message = label("", "muted", wrap=True)
        language_panel = panel(label(self.tr("Language"), "title"), self.language, restart)
        printer_panel = panel(label(self.tr("Receipts"), "title"))
        printer_panel.layout().addLayout(printer_form)
        printer_panel.layout().addWidget(save_printer)
        camera_panel = panel(label(self.tr("Camera"), "title"), self.camera)
        camera_panel.layout().addLayout(camera_buttons)
        camera_panel.layout().addWidget(self.preview)
        self.hq_panel = panel(label(self.tr("HQ"), "title"), self.hq_state, self.enrol_form, self.limits)
        left, right = QVBoxLayout(), QVBoxLayout()
        for p in (language_panel, printer_panel):
            left.addWidget(p)
        left.addStretch(1)
        right.addWidget(self.hq_panel)
        right.addWidget(camera_panel)
        right.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        box = QVBoxLayout(self)
        box.addWidget(label(self.tr("Settings"), "title"))
        box.addLayout(columns, 1)
        box.addWidget(self.message)

    @property
    def devices(self):
        return self.enrol_form.devices

    @devices.setter
    def devices(self, runner) -> None:  # the network call of enrolment; the app gives it the device worker
        self.enrol_form.devices = runner

    def start(self, ctx, staff) -> None:
        self.ctx, self.staff = ctx, staff
        self.enrol_form.ctx = ctx
        self.refresh_hq()

    def shown(self) -> None:
        self.refresh_hq()

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.preview_button.setChecked(False)  # the camera is the checkout's when this screen is left
        super().hideEvent(event)

    def preview_camera(self, on: bool) -> None:
        self.preview.start(self.camera.text().strip() or "0") if on else self.preview.stop()
        self.preview.setVisible(on)

    # --- HQ ------------------------------------------------------------------------------
    def refresh_hq(self) -> None:
        if self.ctx is not None:
            self.runner.run(offline_uc.hq_link, self.ctx, on_done=self.show_hq)

    def show_hq(self, link) -> None:
        self.link = link
        self.enrol_form.setVisible(not link.enrolled)
        self.limits.setVisible(link.enrolled)  # a stand-alone till has no offline limits
        if link.enrolled:
            last = (local(link.last_success, self.ctx.timezone).strftime("%Y-%m-%d %H:%M") if link.last_success
                    else self.tr("never"))
            self.hq_state.setText(self.tr("Enrolled with {url} as store {store}, till {device}. Last sync: {last}.")
                                  .format(url=link.hq_url, store=link.store_id, device=link.device_id, last=last))
        else:
            self.hq_state.setText(self.tr("Not enrolled: this till works on its own. Enrol it with the address "
                                          "and one-time token HQ gave you."))
        hours_left = int(link.window_left.total_seconds() // 3600)
        self.limits.setText(self.tr("Offline limits set by HQ: redeeming stops after {hours} h without a sync "
                                    "({left} h left); {member} points per member and {store} points per store "
                                    "in one offline period, {share} of them at this till ({budget} left).")
                            .format(hours=link.max_offline_hours, left=hours_left, member=link.member_redeem_points,
                                    store=link.store_redeem_budget, share=link.store_share,
                                    budget=link.store_budget_left))

    def _enrolled(self, _answer) -> None:
        self.refresh_hq()
        self.enrolled.emit()

    def save_printer(self) -> bool:
        target = self.printer.text().strip()
        if target:
            try:
                parse_target(target)
            except PrinterError as exc:
                self.message.setText(str(exc))
                return False
        self.settings.setValue("printer", target)
        self.settings.setValue("auto_print", self.auto_print.isChecked())
        self.settings.sync()
        self.printer_changed.emit(target, self.auto_print.isChecked())
        self.message.setText(self.tr("Printer saved."))
        return True

    def save_camera(self) -> None:
        self.settings.setValue("camera", self.camera.text().strip() or "0")
        self.settings.sync()
        self.camera_changed.emit(self.camera.text().strip() or "0")
        self.message.setText(self.tr("Camera saved."))

    def apply_language(self) -> None:
        """Restart in the chosen language; an open sale is never thrown away without a word."""
        items = self.open_sale()
        if items:
            answer = QMessageBox.question(
                self, self.tr("A sale is open"),
                self.tr("The checkout has a sale with %1 item(s) not finished. Restarting now clears it. "
                        "Restart anyway?").replace("%1", str(items)),
                QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
            if answer != QMessageBox.Yes:
                return
        self.settings.setValue("language", self.language.currentData())
        self.settings.sync()
        # A fresh process shows every screen in the new language; the store is on disk.
        QProcess.startDetached(sys.executable, restart_args(sys.argv, frozen=getattr(sys, "frozen", False)))
        QApplication.instance().quit()
