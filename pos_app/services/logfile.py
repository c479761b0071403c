"""The till's own log: a rotating file in the store's data folder.

An offline till is debugged from what it wrote down, days later, without a network: so
every run (the counter app and each command) logs to `<data>/logs/pos-app.log`, rotated
at 1 MB with five old files kept (a few weeks of a busy till in 6 MB at most), and a
crash's traceback lands there too, not only on a console nobody watches.
"""

from __future__ import annotations

import logging
import sys
import threading
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

MAX_BYTES = 1_000_000
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)s [%(threadName)s] %(name)s: %(message)s"
_MARK = "_pos_app_log"  # our handler on the root logger, so starting again replaces it

log = logging.getLogger(__name__)


def start_log(data_dir: Path | str, *, level: int = logging.INFO, max_bytes: int = MAX_BYTES,
              backups: int = BACKUPS) -> Path:
    """Log this process to `<data_dir>/logs/pos-app.log` (rotating); returns the file's path."""
    folder = Path(data_dir) / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "pos-app.log"
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _MARK, False)]:
        root.removeHandler(old)
        old.close()
    handler = RotatingFileHandler(path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.setLevel(level)
    setattr(handler, _MARK, True)
    root.addHandler(handler)
    if root.level > level or root.level == logging.NOTSET:
        root.setLevel(level)
    _log_crashes()
    return path


def _log_crashes() -> None:
    """Uncaught exceptions (main thread and others) are written to the log before Python's own report."""
    if getattr(sys.excepthook, _MARK, False):
        return
    before, before_thread = sys.excepthook, threading.excepthook

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        log.critical("uncaught exception", exc_info=(kind, value, tb))
        before(kind, value, tb)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        log.critical("uncaught exception in thread %s", getattr(args.thread, "name", "?"),
                     exc_info=args.exc_value)  # its __traceback__ is args.exc_traceback
        before_thread(args)

    setattr(hook, _MARK, True)
    sys.excepthook = hook
    threading.excepthook = thread_hook
