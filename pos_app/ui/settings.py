"""Settings: language, receipt printer, camera, and the store's link to HQ.

Preferences live in ui.ini beside the store database (QSettings); nothing here is a
ledger fact, so none of it syncs. A language change applies by restarting the app,
which keeps every screen's state consistent (the store itself loses nothing).
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QProcess, Signal
from PySide6.QtWidgets import (QApplication, QCheckBox, QComboBox, QFormLayout, QLineEdit, QVBoxLayout, QWidget)

from pos_app.ui import i18n
from pos_app.ui.receipt_printer import PrinterError, parse_target
from pos_app.ui.tasks import TaskRunner
from pos_app.ui.widgets import button, label, panel


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

    def __init__(self, runner: TaskRunner, settings, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("page")
        self.runner = runner
        self.settings = settings
        self.ctx = self.staff = None

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

        self.message = label("", "muted", wrap=True)
        language_panel = panel(label(self.tr("Language"), "title"), self.language, restart)
        printer_panel = panel(label(self.tr("Receipts"), "title"))
        printer_panel.layout().addLayout(printer_form)
        printer_panel.layout().addWidget(save_printer)
        camera_panel = panel(label(self.tr("Camera"), "title"), self.camera, save_camera)
        self.hq_panel = panel(label(self.tr("HQ"), "title"))
        box = QVBoxLayout(self)
        box.addWidget(label(self.tr("Settings"), "title"))
        for p in (language_panel, printer_panel, camera_panel, self.hq_panel):
            box.addWidget(p)
        box.addWidget(self.message)
        box.addStretch(1)

    def start(self, ctx, staff) -> None:
        self.ctx, self.staff = ctx, staff

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
        self.settings.setValue("language", self.language.currentData())
        self.settings.sync()
        # A fresh process shows every screen in the new language; the store is on disk.
        QProcess.startDetached(sys.executable, restart_args(sys.argv, frozen=getattr(sys, "frozen", False)))
        QApplication.instance().quit()
