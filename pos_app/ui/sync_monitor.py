"""The UI's handle on background sync: starts the scheduler when the store opens and
turns its status (made on the sync thread) into a Qt signal on the GUI thread.

The scheduler reads the database when it is built and when nudged, so both happen on
the DB worker; the GUI thread only ever receives finished SyncStatus values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal

from pos_app.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from pos_app.sync.scheduler import SyncScheduler, SyncStatus


class SyncMonitor(QObject):
    changed = Signal(object)  # SyncStatus
    _from_sync_thread = Signal(object)

    def __init__(self, runner: TaskRunner, *, interval: float = 30.0, parent: QObject | None = None, **sched_kw):
        super().__init__(parent)
        self.runner = runner
        self.interval = interval
        self.sched_kw = sched_kw
        self.scheduler: SyncScheduler | None = None
        self.client_kw = {"connect_timeout": 3.0, "read_timeout": 5.0}  # a cashier waits for a lookup: short
        self.last: SyncStatus | None = None
        self._db = None  # the store whose writes this routes to the DB worker
        # Queued: the scheduler calls back on its own thread; slots must run on the GUI thread.
        self._from_sync_thread.connect(self._arrived, Qt.QueuedConnection)

    def attach(self, ctx) -> None:
        """Build the scheduler on the DB worker (stopping the one before), then start its thread.
        Sync's writes go to the DB worker too (Database.set_writer): one writer, DESIGN.md 5."""
        old, self.scheduler = self.scheduler, None
        ctx.db.set_writer(self.runner.call)
        self._db = ctx.db

        def build() -> SyncScheduler:
            from pos_app.sync.scheduler import SyncScheduler  # requests and the wire models: on the worker

            if old is not None:
                old.stop(timeout=3.0)
            return SyncScheduler(ctx.db, clock=ctx.clock, interval=self.interval,
                                 on_status=self._from_sync_thread.emit, **self.sched_kw)

        self.runner.run(build, on_done=self._built)

    def _built(self, scheduler: SyncScheduler) -> None:
        self.scheduler = scheduler
        self._arrived(scheduler.status())
        scheduler.start()

    def _arrived(self, status: SyncStatus) -> None:
        self.last = status
        self.changed.emit(status)

    def nudge(self, *_args) -> None:
        """After a sale: sync soon (the nudge may read the pending count, so on the DB worker)."""
        if self.scheduler is not None:
            self.runner.run(self.scheduler.nudge)

    def fetch_member(self, ctx, devices: TaskRunner, text: str, on_done, on_error) -> None:
        """Ask HQ for a member unknown here (on the device worker: it is a network call)."""
        if self.last is None or self.last.state == "not_enrolled":
            on_done(None)
            return
        def ask() -> str | None:
            from pos_app.sync import cycle, lookup

            client = cycle.client_for(ctx.db, **self.client_kw)
            try:
                return lookup.find_or_fetch(ctx.db, client, text)
            finally:
                client.close()  # one lookup, one session: as the scheduler does per run

        devices.run(ask, on_done=on_done, on_error=on_error)

    def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.stop(timeout=3.0)
            self.scheduler = None
        if self._db is not None:
            self._db.set_writer(None)  # the DB worker stops next
