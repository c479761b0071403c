"""Starting the desktop app: Qt, language, theme, the DB worker, then the sign-in screen.

The store database is opened (migrated, demo-seeded on first start) on the DB worker,
so the window appears at once and fills in when the store is ready. The screens
import Qt only; what the sign-in screen needs of the store (SQLAlchemy, Alembic) is
imported before Qt (cli.cmd_gui), everything else by the worker that first calls it
(tasks.UseCases), and sync (requests, pydantic) starts a moment after the sign-in
screen is up (MainWindow.SYNC_START_MS).
"""

from __future__ import annotations

import importlib
import logging
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings, QTimer
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from pos_app.scanner.wedge import WedgeFilter
from pos_app.ui import i18n
from pos_app.ui.gifts import GiftsView
from pos_app.ui.guides import GuidePointsView
from pos_app.ui.labels import LabelsView
from pos_app.ui.main_window import MainWindow
from pos_app.ui.members import MembersView
from pos_app.ui.paths import resource
from pos_app.ui.points import PointsView
from pos_app.ui.refunds import RefundsView
from pos_app.ui.reports import ReportsView
from pos_app.ui.settings import SettingsView
from pos_app.ui.tasks import TaskRunner, UseCases, message_of

log = logging.getLogger(__name__)

CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Microsoft YaHei",
                "PingFang SC")


def open_counter(data_dir: Path, demo: bool = True):
    """Open the store (on the DB worker): returns (context, store name)."""
    from pos_app.services import catalog as catalog_uc
    from pos_app.services.demo import seed_demo
    from pos_app.services.setup import open_store

    ctx = open_store(data_dir)
    if demo:
        seed_demo(ctx)
    return ctx, catalog_uc.store_info(ctx).store_name


def settings_for(data_dir: Path) -> QSettings:
    """UI preferences (language, camera, printer) live beside the store's database."""
    data_dir.mkdir(parents=True, exist_ok=True)
    return QSettings(str(data_dir / "ui.ini"), QSettings.IniFormat)


def choose_font(app: QApplication) -> None:
    """A CJK-capable font, bundled or installed, so Chinese renders on a bare machine."""
    for path in sorted(resource("fonts").glob("*.[ot]t[fc]")) if resource("fonts").exists() else []:
        QFontDatabase.addApplicationFont(str(path))
    families = set(QFontDatabase.families())
    for family in CJK_FAMILIES:
        if family in families:
            app.setFont(QFont(family, 11))
            return
    log.warning("no CJK font found: Chinese text may not render")


def configure_printer(window: MainWindow, target: str, auto_print: bool) -> None:
    window.checkout.printer_target = target
    window.checkout.auto_print = auto_print
    window.gifts.printer_target = target  # pickup slips go where receipts go


def build(data_dir: Path, lang: str | None = None, demo: bool = True) -> tuple[MainWindow, TaskRunner]:
    app = QApplication.instance()
    settings = settings_for(data_dir)
    lang = i18n.install(app, lang or settings.value("language", i18n.DEFAULT_LANGUAGE))
    choose_font(app)
    app.setStyleSheet(resource("theme.qss").read_text(encoding="utf-8"))
    runner = TaskRunner(app)
    devices = TaskRunner(app)  # printers (and their timeouts) never hold up the database
    settings_view = SettingsView(runner, settings)
    labels_view = LabelsView(runner)
    labels_view.devices = devices
    labels_view.folder = data_dir / "labels"
    labels_view.also = [data_dir / "demo"]  # the demo's HQ-signed batch (see services.demo)
    gifts_view = GiftsView(runner)
    gifts_view.devices = devices
    gifts_view.slip_dir = data_dir / "receipts"
    window = MainWindow(runner, [
        ("F2", QCoreApplication.translate("MainWindow", "Members"), MembersView(runner)),
        ("F3", QCoreApplication.translate("MainWindow", "Gifts"), gifts_view),
        ("F4", QCoreApplication.translate("MainWindow", "Refunds"), RefundsView(runner)),
        ("F5", QCoreApplication.translate("MainWindow", "Points desk"), PointsView(runner)),
        ("F6", QCoreApplication.translate("MainWindow", "Labels"), labels_view),
        ("F7", QCoreApplication.translate("MainWindow", "Reports"), ReportsView(runner)),
        ("F8", QCoreApplication.translate("MainWindow", "Settings"), settings_view),
        ("F11", QCoreApplication.translate("MainWindow", "Guide points"), GuidePointsView(runner)),
    ])
    window.settings = settings
    settings_view.open_sale = lambda: len(window.checkout.cart.rows)
    window.gifts = gifts_view
    window.checkout.receipt_dir = data_dir / "receipts"
    window.checkout.devices = devices
    window.checkout.camera_source = settings.value("camera", "0")
    settings_view.camera_changed.connect(lambda source: setattr(window.checkout, "camera_source", source))
    settings_view.devices = devices
    window.signin.enrol_form.devices = devices
    settings_view.enrolled.connect(lambda: window.sync.attach(window.ctx))
    window.wedge = WedgeFilter.install(app)
    window.wedge.scanned.connect(window.route_scan)
    window.devices = devices
    configure_printer(window, settings.value("printer", ""), settings.value("auto_print", "false") in (True, "true"))
    settings_view.printer_changed.connect(lambda target, auto: configure_printer(window, target, auto))
    window.language = lang
    runner.pending_changed.connect(window.status.set_busy)
    # After the window is built, not while: the worker's Python and this thread's would
    # only take turns at the GIL, each waiting out the other's switch interval.
    runner.run(open_counter, data_dir, demo, on_done=lambda opened: window.store_ready(*opened),
               on_error=lambda exc: window.status.showMessage(message_of(exc)))
    return window, runner


def run(args) -> int:
    # the console too (the rotating file in the data folder is started by the CLI, cli._start_log)
    root = logging.getLogger()
    if not any(type(h) is logging.StreamHandler for h in root.handlers):
        console = logging.StreamHandler()
        console.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(console)
    root.setLevel(min(root.level or logging.INFO, logging.INFO))
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Points Mall POS")
    if getattr(args, "data", None):
        data_dir = Path(args.data)
    else:
        from pos_app.services.setup import default_data_dir  # imports the store (SQLAlchemy) on this thread

        data_dir = default_data_dir()
    window, runner = build(data_dir, getattr(args, "lang", None), demo=not getattr(args, "no_demo", False))
    window.show()
    if getattr(args, "self_test", False):
        return self_test(app, window, runner)
    code = app.exec()
    window.shutdown()
    return code


def self_test(app: QApplication, window: MainWindow, runner: TaskRunner, timeout_ms: int = 20000) -> int:
    """Start, open the store, wait for the sign-in screen to list staff with the DB worker
    idle, paint it, exit 0 (for the built executable; bench.startup times this line)."""
    result = {"code": 1}

    def check():
        if result["code"] == 0 or window.ctx is None or not window.signin.staff_id or runner.pending:
            return
        window.repaint()  # the screen as the cashier sees it, painted now, not on the next pass
        result["code"] = 0
        print(f"self-test ok: store opened, sign-in screen shown, font {app.font().family()}, "
              f"language {window.language}", flush=True)
        app.quit()

    # Checked after each DB-worker answer has been handled (its callback runs after
    # pending_changed), not on a polling timer that would add up to its period.
    runner.pending_changed.connect(lambda _n: QTimer.singleShot(0, check))
    QTimer.singleShot(0, check)
    QTimer.singleShot(timeout_ms, app.quit)
    app.exec()
    window.shutdown()
    if result["code"]:
        print("self-test failed: the store did not open in time", file=sys.stderr)
        return result["code"]
    # The screens import their services by name on first use: in a built executable a
    # module the bundler missed would fail only then, in front of a cashier. Load them all.
    missing = []
    for module in sorted(UseCases.made):
        try:
            importlib.import_module(module)
        except ImportError as exc:
            missing.append(f"{module} ({exc})")
    if missing:
        print("self-test failed: cannot load " + ", ".join(missing), file=sys.stderr)
        return 1
    return result["code"]
