"""What every use case needs: the database, who this device is, and the time.

The clock is injected so tests (and the skew-corrected time sync will provide) decide
what "now" is. Times are naive UTC throughout the store; reports convert to the
store's local day at the edge.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from pos_app.domain import ledger as L
from pos_app.domain.give_back import Room
from pos_app.domain.ids import new_id
from pos_app.domain.ledger import Entry, Event, LotTake
from pos_app.domain.problems import Refused, problem
from pos_app.domain.rules import Rules
from pos_app.domain.staff import Role, Staff, verify_pin
from pos_app.store import ledger_repo, repos
from pos_app.store.db import Database
from pos_app.store.ledger_repo import Identity
from pos_app.sync import state as sync_state  # the till's sync memory (meta rows, no network)

PIN_TRIES = 5
PIN_LOCK_SECONDS = 300
APPROVAL_KEY = "approval"


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class PinGuard:
    """Wrong-PIN lockout, per staff member, kept in memory.

    Kept out of the database on purpose: a refused sign-in must change nothing that
    syncs, and a restart clearing the counter costs an attacker a restart per five
    guesses, which a manager would notice.
    """

    failures: dict[str, list[float]] = field(default_factory=dict)
    monotonic: Callable[[], float] = time.monotonic

    def locked(self, staff_id: str) -> bool:
        recent = [t for t in self.failures.get(staff_id, []) if self.monotonic() - t < PIN_LOCK_SECONDS]
        self.failures[staff_id] = recent
        return len(recent) >= PIN_TRIES

    def failed(self, staff_id: str) -> None:
        self.failures.setdefault(staff_id, []).append(self.monotonic())

    def cleared(self, staff_id: str) -> None:
        self.failures.pop(staff_id, None)


@dataclass
class StoreContext:
    db: Database
    who: Identity
    clock: Callable[[], datetime] = utcnow
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    pins: PinGuard = field(default_factory=PinGuard)

    def now(self) -> datetime:
        return self.clock()

    def utc_offset(self, when: datetime) -> timedelta:
        """The store's offset from UTC at `when` (a naive UTC time)."""
        return self.timezone.utcoffset(when) or timedelta(0)

    def corrected_now(self, conn: Connection) -> datetime:
        """The till's clock corrected by the skew HQ measured at the last handshake: validity windows
        (a member's phone code) use it (DESIGN.md 6, rule 4), so a till whose clock is days off still
        takes a code its phone made just now. Events keep the till's own clock (device_time); HQ
        flags them for the skew. An unenrolled till has no skew: its own clock."""
        return self.clock() + timedelta(seconds=sync_state.get_int(conn, "clock_skew_s"))


def require_staff(conn: Connection, staff_id: str) -> Staff:
    staff = repos.staff_by_id(conn, staff_id) if staff_id else None
    if staff is None or not staff.active:
        raise Refused(problem("staff.unknown", "unknown or inactive staff member"))
    return staff


def check_staff_pin(ctx: StoreContext, conn: Connection, staff_id: str, pin: str) -> Staff:
    staff = require_staff(conn, staff_id)
    if ctx.pins.locked(staff_id):
        raise Refused(problem("pin.locked", f"too many wrong PINs: try again in {PIN_LOCK_SECONDS // 60} minutes"))
    if not verify_pin(staff.pin_hash, pin or ""):
        ctx.pins.failed(staff_id)
        raise Refused(problem("pin.wrong", "wrong PIN"))
    ctx.pins.cleared(staff_id)
    return staff


def manager_approval(ctx: StoreContext, conn: Connection, pin: str | None, action: str) -> Staff:
    """A manager approves by typing their PIN; which manager is found from the PIN."""
    if not pin:
        raise Refused(problem("approval.required", f"{action} needs a manager's PIN"))
    # The PIN names no one, so guesses count against the counter as a whole: without
    # this a cashier could try every 4-digit PIN at the approval prompt.
    if ctx.pins.locked(APPROVAL_KEY):
        raise Refused(problem("pin.locked", f"too many wrong manager PINs: try again in {PIN_LOCK_SECONDS // 60} "
                                            "minutes"))
    for staff in repos.all_staff(conn):
        if staff.active and staff.role in (Role.MANAGER, Role.ADMIN) and not ctx.pins.locked(staff.staff_id):
            if verify_pin(staff.pin_hash, pin):
                ctx.pins.cleared(APPROVAL_KEY)
                return staff
    ctx.pins.failed(APPROVAL_KEY)
    raise Refused(problem("approval.wrong_pin", "that PIN is not a manager's PIN"))


def post(ctx: StoreContext, conn: Connection, entry: Entry, *, staff_id: str | None, rule_version: int,
         now: datetime) -> Event:
    return ledger_repo.record(conn, entry, who=ctx.who, staff_id=staff_id, rule_version=rule_version, now=now)


def refuse(code: str, message: str, **params: Any) -> Refused:
    return Refused(problem(code, message, **params))


def give_back_room(conn: Connection, member_id: str, taken: tuple[LotTake, ...], rules: Rules,
                   now: datetime) -> Room:
    """What the member's account can take back right now (domain/give_back.py): its lots with
    room, its debt, and the expiry of a new lot should none have room (the first lot's)."""
    expires_at = (ledger_repo.lot_expiry(conn, taken[0].lot_id) if taken else None) or \
        now + timedelta(days=rules.expiry_days)
    return Room(tuple(ledger_repo.lot_rooms(conn, L.member_account(member_id))),
                -ledger_repo.balance(conn, L.debt_account(member_id)), new_id(), now, expires_at)

