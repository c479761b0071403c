"""The status bar (store, staff, sync: online or offline, pending events, last sync,
offline window left) and the offline banner's words.

Everything shown is read from a SyncStatus the scheduler made; nothing here touches
the database or the network.
"""

from __future__ import annotations

from datetime import timedelta, tzinfo
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QTimer, Signal
from PySide6.QtWidgets import QPushButton, QStatusBar

from pos_app.ui.times import local
from pos_app.ui.widgets import label

if TYPE_CHECKING:  # the sync package (HTTP client, wire models) loads on the DB worker, after the first paint
    from pos_app.sync.scheduler import SyncStatus


BUSY_AFTER_MS = 400
T = QCoreApplication  # T.translate("SyncStatus", ...) literally, so lupdate files each text under its context


def span(delta: timedelta) -> str:
    """'2 d 3 h', '5 h 20 min', '12 min' for the time left in the offline window."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return T.translate("SyncStatus", "{d} d {h} h").format(d=days, h=hours)
    if hours:
        return T.translate("SyncStatus", "{h} h {m} min").format(h=hours, m=mins)
    return T.translate("SyncStatus", "{m} min").format(m=mins)


def summary(st: SyncStatus, tz: tzinfo | None = None) -> str:
    """One line for the status bar."""
    if st.state == "not_enrolled":
        return T.translate("SyncStatus", "Not enrolled with HQ: working offline")
    last = local(st.last_success, tz).strftime("%m-%d %H:%M") if st.last_success else T.translate("SyncStatus", "never")
    if st.state == "refused":
        return T.translate("SyncStatus", "HQ refused this till: {error}").format(error=st.last_error or "")
    parts = [T.translate("SyncStatus", "Syncing…") if st.state == "syncing" else T.translate("SyncStatus", "Online") if st.online else T.translate("SyncStatus", "Offline"),
             T.translate("SyncStatus", "{n} to send").format(n=st.pending), T.translate("SyncStatus", "last sync {at}").format(at=last)]
    if not st.online:
        parts.append(T.translate("SyncStatus", "redeeming {left} left").format(left=span(st.offline_window_left)) if st.redeem_allowed
                     else T.translate("SyncStatus", "redeeming paused"))
    if not st.clock_ok:
        parts.append(T.translate("SyncStatus", "clock off by {s} s").format(s=st.clock_skew_s))
    return " · ".join(parts)


def banner(st: SyncStatus | None) -> tuple[str, str]:
    """(text, state) for the banner over every screen; text '' hides it. Shown only when
    an enrolled till cannot reach HQ: the cashier must know redeeming has a limit."""
    # While a retry runs, the banner stays as the last finished run left it (no flicker).
    if st is None or st.state in ("not_enrolled", "online") or (st.state == "syncing" and st.failures == 0):
        return "", ""
    if st.hq_disagrees:
        return T.translate("SyncStatus", "HQ's record of this till differs from ours: call support (sales go on)."), "error"
    if st.state == "refused":
        return T.translate("SyncStatus", "HQ refused this till ({error}). Sales and points are kept here; call support.").format(
            error=st.last_error or ""), "error"
    if st.redeem_allowed:
        return T.translate("SyncStatus", "Offline: sales and points are kept here and sync when HQ is back. Redeeming allowed for "
                  "{left} more; {budget} points left in this till's share of the store's offline budget.").format(
            left=span(st.offline_window_left), budget=st.store_redeem_budget_left), "offline"
    return T.translate("SyncStatus", "Offline longer than HQ allows: redeeming is paused until HQ is reached; earning goes on."), "error"


class SyncStatusBar(QStatusBar):
    attention_clicked = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.store = label("", "muted")
        self.staff = label("", "muted")
        self.sync = label(T.translate("SyncStatus", "Not enrolled with HQ: working offline"), "muted")
        self.busy = label("", "muted")
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(BUSY_AFTER_MS)
        self._busy_timer.timeout.connect(lambda: self.busy.setText("⏳"))
        self.attention = QPushButton()
        self.attention.setProperty("role", "danger")
        self.attention.clicked.connect(self.attention_clicked)
        self.attention.hide()
        self.addWidget(self.store)
        self.addWidget(self.staff)
        self.addPermanentWidget(self.busy)
        self.addPermanentWidget(self.attention)
        self.addPermanentWidget(self.sync)

    def set_store(self, name: str) -> None:
        self.store.setText(name)

    def set_staff(self, name: str) -> None:
        self.staff.setText(name)

    def set_busy(self, pending: int) -> None:
        """The hourglass shows only once the DB worker has been busy for BUSY_AFTER_MS: a
        scan's answer comes well within that, so scans do not relayout and repaint the bar."""
        if not pending:
            self._busy_timer.stop()
            if self.busy.text():
                self.busy.setText("")
        elif not self._busy_timer.isActive() and not self.busy.text():
            self._busy_timer.start()

    def show_sync(self, st: SyncStatus, tz: tzinfo | None = None) -> None:
        self.sync.setText(summary(st, tz))
        self.sync.setToolTip(st.last_error or "")
        self.attention.setVisible(st.problems > 0)
        self.attention.setText(T.translate("SyncStatus", "{n} sync problems").format(n=st.problems))
