"""Background sync on a plain thread (no Qt: the UI wraps it): at start, every
`interval` seconds, and when nudged (after each sale) while online. Failures back off
exponentially with jitter (uniform in [cap/2, cap], cap doubling up to `max_backoff`); a
nudge while offline does not shorten the backoff. Everything the UI shows is in
`status()` (a SyncStatus). Pass the store's clock (ctx.clock) so the offline window is
measured on the same clock as the sales.

    sched = SyncScheduler(ctx.db, clock=ctx.clock, interval=30, on_status=callback)  # callback on the sync thread
    sched.start()
    ... sched.nudge()            # after a sale
    st = sched.status()          # st.online, st.pending, st.last_success, st.offline_window_left, ...
    st = sched.status(refresh=True)   # re-read the database now (e.g. after a sale, for the pending count)
    sched.stop()
"""

from __future__ import annotations

from typing import Any

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from pos_app.store.db import Database
from pos_app.sync import cycle, offline_limits, outbox, pull, state
from pos_app.sync.errors import DeviceRefused, NotEnrolled, ProtocolMismatch, SyncError
from pos_app.sync.handshake import SKEW_FLAG_S, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncStatus:
    state: str                       # not_enrolled | syncing | online | offline | refused
    online: bool                     # the last run reached HQ and finished
    pending: int                     # events not yet acknowledged by HQ
    problems: int                    # events HQ rejected, holds differently, or flagged later, and
                                     # pulled records this store could not apply
    last_success: datetime | None    # device clock
    last_attempt: datetime | None
    last_error: str | None
    failures: int                    # consecutive failed runs
    next_attempt_in: float | None    # seconds
    offline_window_left: timedelta   # zero: redeeming stops (earning goes on)
    redeem_allowed: bool
    store_redeem_budget_left: int
    clock_skew_s: int                # HQ time - device time, at the last handshake
    clock_ok: bool                   # |skew| <= SKEW_FLAG_S; else HQ flags our events
    hq_disagrees: bool = False       # HQ's record of this device differs even after a full re-push: call support


class SyncScheduler:
    def __init__(self, db: Database, *, interval: float = 30.0, base_backoff: float = 2.0, max_backoff: float = 300.0,
                 clock: Callable[[], datetime] = utcnow, on_status: Callable[[SyncStatus], None] | None = None,
                 client_kw: dict[str, Any] | None = None, rng: random.Random | None = None):
        self.db, self.interval, self.clock, self.on_status = db, interval, clock, on_status
        self.base_backoff, self.max_backoff = base_backoff, max_backoff
        self.client_kw = client_kw or {}
        self.rng = rng or random.Random()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._failures = 0
        self._state = "offline"
        self._last_attempt: datetime | None = None
        self._last_error: str | None = None
        self._next_at: float | None = None
        self._status = self._read_status()

    # --- control -----------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="pos-sync", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def nudge(self) -> None:
        """Sync soon (after a sale): now when online; while backing off, at the next attempt."""
        if self._failures == 0:
            self._wake.set()
        else:
            self._refresh()  # the pending count still moves

    def run_once(self) -> SyncStatus:
        """One run on the caller's thread (tests, `pos-app sync --once`)."""
        self._attempt()
        return self.status()

    def status(self, refresh: bool = False) -> SyncStatus:
        """The last status (cheap); refresh=True reads the database again (pending count, window left)."""
        if refresh:
            self._refresh(notify=False)
        with self._lock:
            st = self._status
        if self._next_at is not None:
            st = replace(st, next_attempt_in=max(0.0, self._next_at - time.monotonic()))
        return st

    def backoff_delay(self, failures: int) -> float:
        """Exponential backoff with jitter: uniform in [cap/2, cap], cap = min(max, base * 2^(failures-1))."""
        cap = min(self.max_backoff, self.base_backoff * 2 ** max(0, failures - 1))
        return float(cap / 2 + self.rng.random() * cap / 2)

    # --- the thread --------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            self._attempt()
            delay = self.backoff_delay(self._failures) if self._failures else self.interval
            if self._state in ("not_enrolled", "refused"):
                delay = max(delay, self.interval)
            self._next_at = time.monotonic() + delay
            self._refresh()
            self._wake.wait(delay)
            self._wake.clear()
        self._next_at = None

    def _attempt(self) -> None:
        self._last_attempt = self.clock()
        self._state = "syncing"
        self._refresh()
        try:
            client = cycle.client_for(self.db, **self.client_kw)
            try:
                cycle.sync_once(self.db, client, self.clock)
            finally:
                client.close()
        except NotEnrolled as exc:
            self._fail("not_enrolled", str(exc))
        except (DeviceRefused, ProtocolMismatch) as exc:
            self._fail("refused", str(exc))
        except SyncError as exc:
            self._fail("offline", str(exc))
        except Exception as exc:  # a bug must not kill the sync thread; it shows in the status
            log.exception("sync run failed")
            self._fail("offline", f"{type(exc).__name__}: {exc}")
        else:
            self._failures, self._state, self._last_error = 0, "online", None
        self._refresh()

    def _fail(self, st: str, message: str) -> None:
        self._failures += 1
        self._state, self._last_error = st, message

    def _refresh(self, notify: bool = True) -> None:
        st = self._read_status()
        with self._lock:
            self._status = st
        if notify and self.on_status is not None:
            try:
                self.on_status(st)
            except Exception:
                log.exception("on_status callback failed")

    def _read_status(self) -> SyncStatus:
        now = self.clock()
        with self.db.read() as conn:
            enrolled = state.credentials(conn) is not None
            pending = outbox.pending_count(conn)
            problems = len(outbox.problems(conn)) + pull.unapplied_count(conn)
            allow = offline_limits.allowance(conn, now)
            skew = state.get_int(conn, "clock_skew_s")
            disagrees = bool(state.get_int(conn, "disagrees"))
            last_success = state.get_time(conn, "last_success_at")
        st = self._state if enrolled or self._state == "syncing" else "not_enrolled"
        return SyncStatus(state=st, online=st == "online", pending=pending, problems=problems,
                          last_success=last_success, last_attempt=self._last_attempt,
                          last_error=self._last_error, failures=self._failures, next_attempt_in=None,
                          offline_window_left=allow.window_left, redeem_allowed=allow.redeem_allowed,
                          store_redeem_budget_left=allow.store_budget_left, clock_skew_s=skew,
                          clock_ok=abs(skew) <= SKEW_FLAG_S, hq_disagrees=disagrees)
