"""The task runner: every service call runs on one DB worker thread, never on the GUI's.

One worker, so writes reach SQLite one at a time in the order the cashier made them
(the store's single-writer rule); results and errors come back to the GUI thread as
Qt signals, where the callbacks run. The GUI never waits on a call.
"""

from __future__ import annotations

import importlib
import itertools
import logging
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QThread, Signal, Slot

from pos_app.domain.problems import Refused

log = logging.getLogger(__name__)
_RELEASE = QEvent.Type(QEvent.registerEventType())
_CALL = 0  # the job id of TaskRunner.call's jobs (run() numbers its jobs from 1)


@dataclass
class _Job:
    job_id: int
    fn: Callable[..., Any]
    args: tuple
    kwargs: dict


class _Worker(QObject):
    finished = Signal(int, bool, object)  # job id, ok, result or exception

    @Slot(object)
    def run(self, job: _Job) -> None:
        try:
            result = job.fn(*job.args, **job.kwargs)
        except Refused as exc:  # a refusal is an answer, not a fault
            self.finished.emit(job.job_id, False, exc)
        except Exception as exc:  # noqa: BLE001 - any fault must reach the screen, not kill the worker
            log.error("task %s failed:\n%s", getattr(job.fn, "__name__", job.fn), traceback.format_exc())
            self.finished.emit(job.job_id, False, exc)
        else:
            self.finished.emit(job.job_id, True, result)


class TaskRunner(QObject):
    """Runs callables on the DB worker; `pending_changed` drives a busy indicator."""

    _submit = Signal(object)
    pending_changed = Signal(int)
    failed = Signal(object)  # every error, after its own callback: for a status line or log

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._ids = itertools.count(1)
        self._callbacks: dict[int, tuple[Callable | None, Callable | None]] = {}
        self._thread = QThread()
        self._thread.setObjectName("db-worker")
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        self._submit.connect(self._worker.run)
        self._worker.finished.connect(self._finished)
        self._thread.start()
        self._held: list[_Job] = []  # until the GUI has painted: see run_after_paint
        self._stopping = False

    def run(self, fn: Callable[..., Any], *args: Any, on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[Exception], None] | None = None, **kwargs: Any) -> int:
        job = self._accept(fn, args, kwargs, on_done, on_error)
        self._release()  # held jobs first: the worker still runs every job in the order asked
        self._submit.emit(job)
        return job.job_id

    def run_after_paint(self, fn: Callable[..., Any], *args: Any, on_done: Callable[[Any], None] | None = None,
                        on_error: Callable[[Exception], None] | None = None, **kwargs: Any) -> int:
        """As run(), but the worker gets the job once the GUI has painted what is pending:
        follow-up work (a requote after a scan) then neither delays the scanned row's
        paint nor competes with it for the CPU and the GIL. Pending counts it at once.

        Qt posts a widget's repaint (UpdateRequest) at low priority when it is first
        marked dirty; the release is posted after it at the same priority, so it is
        handled after the paint, or at once when nothing was waiting to be painted."""
        job = self._accept(fn, args, kwargs, on_done, on_error)
        if not self._held:
            QCoreApplication.postEvent(self, QEvent(_RELEASE), Qt.LowEventPriority.value)
        self._held.append(job)
        return job.job_id

    def customEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        if event.type() == _RELEASE:
            self._release()

    def _accept(self, fn, args, kwargs, on_done, on_error) -> _Job:
        job = _Job(next(self._ids), fn, args, kwargs)
        self._callbacks[job.job_id] = (on_done, on_error)
        self.pending_changed.emit(len(self._callbacks))
        return job

    def _release(self) -> None:
        held, self._held = self._held, []
        for job in held:
            self._submit.emit(job)

    @property
    def pending(self) -> int:
        return len(self._callbacks)

    def call(self, fn: Callable[[], Any], poll_s: float = 0.2) -> Any:
        """fn() on the DB worker for another thread that waits for it (background sync writes:
        Database.set_writer), queued behind the jobs the worker already has; its result, or its
        exception raised.

        On the worker itself fn runs at once. Safe from any thread: the job reaches the worker
        through a queued signal and touches none of the GUI thread's bookkeeping. A busy worker
        is waited for, however long its job takes; only once the runner stops (the app is
        closing) with the job not yet started does the caller run it itself (SQLite still takes
        one writer at a time). Either way the job runs exactly once."""
        if QThread.currentThread() is self._thread:
            return fn()
        claim, done, box = threading.Lock(), threading.Event(), {}

        def job() -> None:
            if not claim.acquire(blocking=False):
                return  # the runner stopped and the caller ran it
            try:
                box["value"] = fn()
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
                box["error"] = exc
            finally:
                done.set()

        self._submit.emit(_Job(_CALL, job, (), {}))
        while not done.wait(poll_s):
            if self._stopping and claim.acquire(blocking=False):
                log.warning("the DB worker stopped before a write from %s: written there",
                            threading.current_thread().name)
                return fn()
        if "error" in box:
            raise box["error"]
        return box.get("value")

    @Slot(int, bool, object)
    def _finished(self, job_id: int, ok: bool, value: object) -> None:
        if job_id == _CALL:
            return  # another thread's call(): it has its answer already, and no callbacks here
        on_done, on_error = self._callbacks.pop(job_id, (None, None))
        self.pending_changed.emit(len(self._callbacks))
        if ok:
            if on_done:
                on_done(value)
            return
        if on_error:
            on_error(value)
        self.failed.emit(value)

    def stop(self, timeout_ms: int = 5000) -> None:
        self._stopping = True
        self._held.clear()
        self._thread.quit()
        self._thread.wait(timeout_ms)


class UseCases:
    """A services module as the screens see it: `UseCases("pos_app.services.checkout").price_cart`
    is a callable that imports the module when it is first called, i.e. on the worker
    that runs it. The GUI thread never imports the services (SQLAlchemy, pydantic,
    cryptography...), so the window paints while the DB worker loads them."""

    made: set[str] = set()  # every module named, for the built app's --self-test

    def __init__(self, module: str):
        self._module = module
        UseCases.made.add(module)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("__"):
            raise AttributeError(name)
        module = self._module

        def call(*args: Any, **kwargs: Any) -> Any:
            return getattr(importlib.import_module(module), name)(*args, **kwargs)

        call.__name__ = call.__qualname__ = name
        return call


def message_of(exc: Exception) -> str:
    """What the cashier reads for an error: a refusal's own words, or a plain fault line."""
    if isinstance(exc, Refused):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
