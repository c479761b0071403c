"""The main window: sign-in first, then the screens behind a row of F-key buttons."""

from __future__ import annotations

import importlib

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from pos_app.ui.checkout.view import CheckoutView
from pos_app.ui.signin import SignInView
from pos_app.ui.status import SyncStatusBar, banner
from pos_app.ui.sync_monitor import SyncMonitor
from pos_app.ui.sync_problems import SyncProblemsDialog
from pos_app.ui.tasks import TaskRunner
from pos_app.ui.widgets import button, label


# Sync starts this long after the store opened, so loading the sync package (requests,
# pydantic) on the DB worker and the scheduler's first run come after the sign-in
# screen is painted, not before. Then the checkout's services are loaded, before the
# first scan needs them.
SYNC_START_MS = 1000
JOBS_EVERY_MS = 15 * 60 * 1000  # how often the till looks for due jobs (pos_app.services.jobs)
WARM_UP = ("pos_app.services.scan", "pos_app.services.checkout")


def warm_up() -> None:
    """On the DB worker: import what the first scan needs (SQLAlchemy statements compile on first use)."""
    for module in WARM_UP:
        importlib.import_module(module)


def run_due_jobs(ctx) -> dict:
    """On the DB worker: the till's due jobs (imported there, off the GUI thread)."""
    from pos_app.services import jobs
    return jobs.run_due_jobs(ctx)


class MainWindow(QMainWindow):
    def __init__(self, runner: TaskRunner, screens: list[tuple[str, str, QWidget]] | None = None):
        super().__init__()
        self.runner = runner
        self.ctx = None
        self.staff = None
        self.store_name = ""
        self.setWindowTitle(self.tr("Points Mall POS"))
        # a counter screen is the till's whole screen: maximised (a fixed 1280x800 put the status
        # bar below a 768-pixel screen), and every screen reads fully from 1024x768 up
        self.setMinimumSize(1024, 700)
        self.setWindowState(Qt.WindowMaximized)

        self.signin = SignInView(runner)
        self.signin.signed_in.connect(self._signed_in)
        self.signin.enrol_form.enrolled.connect(lambda _answer: self.sync.attach(self.ctx))
        self.checkout = CheckoutView(runner)
        self.screens: list[tuple[str, str, QWidget]] = [("F1", self.tr("Checkout"), self.checkout)]
        self.screens += screens or []

        self.stack = QStackedWidget()
        self.nav_group = QButtonGroup(self)
        nav = QVBoxLayout()
        for i, (key, title, widget) in enumerate(self.screens):
            self.stack.addWidget(widget)
            b = button(f"{key}  {title}", "nav")
            b.setCheckable(True)
            b.setFocusPolicy(Qt.NoFocus)
            self.nav_group.addButton(b, i)
            nav.addWidget(b)
            # application-wide: after a dialog closes the F-keys work at once, without a click
            # to give the window its focus back
            QShortcut(QKeySequence(key), self, activated=lambda i=i: self.show_screen(i),
                      context=Qt.ApplicationShortcut)
        self.nav_group.idClicked.connect(self.show_screen)
        nav.addStretch(1)
        self.who = label("", "muted", wrap=True)
        nav.addWidget(self.who)
        sign_out = button(self.tr("Sign out"))
        sign_out.setFocusPolicy(Qt.NoFocus)
        sign_out.clicked.connect(self.sign_out)
        nav.addWidget(sign_out)
        nav_widget = QWidget()
        nav_widget.setLayout(nav)
        # 180 pixels, or wider should a screen's name in this language need it (never cut off); even, so
        # the screens' rows of two equal cards split the width left to them without a pixel over
        margins = nav.contentsMargins()
        widest = max(b.sizeHint().width() for b in self.nav_group.buttons()) + margins.left() + margins.right()
        nav_widget.setFixedWidth(max(180, widest + widest % 2))

        work = QWidget()
        row = QHBoxLayout(work)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(nav_widget)
        row.addWidget(self.stack, 1)

        self.pages = QStackedWidget()
        self.pages.addWidget(self.signin)
        self.pages.addWidget(work)
        # Over every screen, sign-in included: an enrolled till that cannot reach HQ says so.
        self.banner = label("", "banner", wrap=True)
        self.banner.hide()
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.banner)
        column.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self.status = SyncStatusBar(self)
        self.setStatusBar(self.status)
        self.sync = SyncMonitor(runner, parent=self)
        self.sync.changed.connect(self.show_sync)
        self.status.attention_clicked.connect(self.show_sync_problems)
        self.checkout.sale_finished.connect(self.sync.nudge)
        self.after_start = QTimer(self)
        self.after_start.setSingleShot(True)
        self.after_start.setInterval(SYNC_START_MS)
        self.after_start.timeout.connect(self._start_sync)
        self.jobs_timer = QTimer(self)
        self.jobs_timer.setInterval(JOBS_EVERY_MS)
        self.jobs_timer.timeout.connect(self._run_jobs)
        self.checkout.fetch_member = lambda text, done, failed: self.sync.fetch_member(
            self.ctx, getattr(self, "devices", self.runner), text, done, failed)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        # Without a window manager (a kiosk till, Xvfb) "maximised" is only a request nobody
        # grants: take the screen's free area ourselves
        if self.windowState() & Qt.WindowMaximized and self.screen() is not None:
            free = self.screen().availableGeometry()
            if self.width() < free.width() or self.height() < free.height():
                self.setGeometry(free)
        super().showEvent(event)

    def store_ready(self, ctx, store_name: str) -> None:
        self.ctx = ctx
        self.store_name = store_name
        self.status.set_store(store_name)
        self.checkout.store_name = store_name
        gifts = getattr(self, "gifts", None)
        if gifts is not None:
            gifts.store_name = store_name
        self.signin.load(ctx, store_name)
        self.after_start.start()

    def _start_sync(self) -> None:
        self.sync.attach(self.ctx)
        self.runner.run(warm_up)
        self._run_jobs()  # at start, then on the timer
        self.jobs_timer.start()

    def _run_jobs(self) -> None:
        if self.ctx is not None:
            self.runner.run(run_due_jobs, self.ctx)

    def show_sync(self, status) -> None:
        self.status.show_sync(status, self.ctx.timezone if self.ctx is not None else None)
        if status.online and self.ctx is not None and self.staff is None and not self.signin.staff_id:
            self.signin.load(self.ctx, self.store_name)  # a new till: its staff came with the first pull
        text, state = banner(status)
        self.banner.setText(text)
        self.banner.setProperty("state", state)
        self.banner.style().unpolish(self.banner)
        self.banner.style().polish(self.banner)
        self.banner.setVisible(bool(text))

    def show_sync_problems(self) -> None:
        if self.ctx is not None:
            SyncProblemsDialog(self.runner, self.ctx, self).open()

    def _signed_in(self, staff) -> None:
        self.staff = staff
        self.who.setText(f"{staff.name}\n{self.store_name}")
        self.status.set_staff(staff.name)
        for _key, _title, widget in self.screens:
            start = getattr(widget, "start", None)
            if start:
                start(self.ctx, staff)
        self.pages.setCurrentIndex(1)
        self.show_screen(0)

    def show_screen(self, index: int) -> None:
        if self.staff is None or not 0 <= index < len(self.screens):
            return
        self.stack.setCurrentIndex(index)
        self.nav_group.button(index).setChecked(True)
        shown = getattr(self.screens[index][2], "shown", None)
        if shown:
            shown()

    def route_scan(self, text: str) -> None:
        """A keyboard-wedge scan goes to the screen in view, whatever field had focus."""
        if self.staff is None:
            return  # at sign-in a scan means nothing; the keys were not typed into the PIN either
        target = self.stack.currentWidget()
        handler = getattr(target, "scanned", None) or self.checkout.scanned
        handler(text.strip())

    def shutdown(self) -> None:
        """Stop every background worker (camera, sync, DB, devices) before the app exits."""
        self.checkout.camera.stop()
        self.after_start.stop()
        self.jobs_timer.stop()
        self.sync.stop()
        self.runner.stop()
        devices = getattr(self, "devices", None)
        if devices is not None:
            devices.stop()

    def sign_out(self) -> None:
        self.staff = None
        self.status.set_staff("")
        self.checkout.camera_button.setChecked(False)
        self.checkout.reset()
        self.pages.setCurrentIndex(0)
        self.signin.pin.setFocus()
