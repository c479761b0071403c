"""HQ's ledger for one write transaction: balances, lots and postings, cached and flushed in bulk.

The invariants are the store's (pos_app.domain.ledger): an event's postings sum to
zero (checked with check_postings before anything is applied), a balance row moves in
the same transaction as its postings, and a holder account's balance equals the sum
of its lots' `remaining`. Reads go through the cache so a batch of 500 events costs a
few multi-row statements, not thousands of round trips.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, select

from hq_server import bulk
from hq_server import models as M
from pos_app.domain.ledger import is_holder_account
from pos_app.domain.lots import Lot


@dataclass(slots=True)
class LotRow:
    lot_id: str
    account: str
    amount: int
    remaining: int
    available_at: datetime
    expires_at: datetime
    new: bool = False

    def as_lot(self) -> Lot:
        return Lot(self.lot_id, self.account, self.remaining, self.available_at, self.expires_at)


class Book:
    def __init__(self, conn: Connection):
        self.conn = conn
        self.balances: dict[str, int] = {}
        self.deltas: dict[str, int] = {}
        self.lots: dict[str, LotRow | None] = {}
        self.dirty_lots: set[str] = set()
        self.postings: list[tuple[str, str, int]] = []  # (event_id, account, amount), in posting order
        self._full_accounts: set[str] = set()  # accounts whose every lot is cached
        self._event_of_new_lot: dict[str, str] = {}
        self.drained: list[str] = []  # lots something was taken from (wakes give-backs waiting for room)

    # --- loading -------------------------------------------------------------------
    def preload(self, accounts: set[str], lot_ids: set[str]) -> None:
        need = sorted(a for a in accounts if a not in self.balances)
        balance_rows = [r for where in bulk.where_in(self.conn, M.balances.c.account, need)
                        for r in self.conn.execute(select(M.balances.c.account, M.balances.c.balance).where(where))]
        need_lots = sorted(i for i in lot_ids if i not in self.lots)
        lot_rows = [r for where in bulk.where_in(self.conn, M.lots.c.lot_id, need_lots) for r in self._lot_query(where)]
        self.seed(need, balance_rows, need_lots, lot_rows)

    def seed(self, accounts: Iterable[str], balance_rows: Iterable[Any], lot_ids: Iterable[str],
             lot_rows: Iterable[Any]) -> None:
        """Caches what was read for these accounts and lots (absent: balance 0, no lot): (account, balance)
        and (lot_id, account, amount, remaining, available_at, expires_at) rows, by preload or by ingest's
        pipelined reads on PostgreSQL. What is cached already is kept."""
        new_accounts = {a for a in accounts if a not in self.balances}
        for a in new_accounts:
            self.balances[a] = 0
        self.balances.update((a, b) for a, b in balance_rows if a in new_accounts)
        new_lots = {i for i in lot_ids if i not in self.lots}
        for i in new_lots:
            self.lots[i] = None
        for r in lot_rows:
            if r[0] in new_lots:
                self.lots[r[0]] = LotRow(*r)

    def _lot_query(self, where: ColumnElement[bool]) -> Sequence[Any]:
        c = M.lots.c
        return self.conn.execute(select(c.lot_id, c.account, c.amount, c.remaining, c.available_at,
                                        c.expires_at).where(where)).all()

    def _lot_rows(self, where: ColumnElement[bool]) -> list[LotRow]:
        return [LotRow(*r) for r in self._lot_query(where)]

    def _held(self, lot_id: str) -> LotRow:
        lot = self.lot(lot_id)
        if lot is None:
            raise KeyError(f"lot {lot_id} is not HQ's")  # callers take only from lots HQ holds
        return lot

    def balance(self, account: str) -> int:
        if account not in self.balances:
            self.preload({account}, set())
        return self.balances[account]

    def lot(self, lot_id: str) -> LotRow | None:
        if lot_id not in self.lots:
            self.preload(set(), {lot_id})
        return self.lots[lot_id]

    def lots_of(self, account: str) -> list[LotRow]:
        if account not in self._full_accounts:
            for row in self._lot_rows((M.lots.c.account == account) & (M.lots.c.remaining > 0)):
                if row.lot_id not in self.lots or self.lots[row.lot_id] is None:
                    self.lots[row.lot_id] = row
            self._full_accounts.add(account)
        return [lot for lot in self.lots.values() if lot is not None and lot.account == account and lot.remaining > 0]

    # --- applying ------------------------------------------------------------------
    def post(self, event_id: str, postings: list[tuple[str, int]]) -> None:
        balances, deltas, rows = self.balances, self.deltas, self.postings
        for account, amount in postings:
            if account not in balances:
                self.preload({account}, set())
            balances[account] += amount
            deltas[account] = deltas.get(account, 0) + amount
            rows.append((event_id, account, amount))

    def grant(self, event_id: str, lot_id: str, account: str, amount: int, available_at: datetime,
              expires_at: datetime) -> None:
        self.lots[lot_id] = LotRow(lot_id, account, amount, amount, available_at, expires_at, new=True)
        self._event_of_new_lot[lot_id] = event_id

    def take(self, lot_id: str, amount: int) -> tuple[str, int]:
        """Take (or give back, amount < 0) from a lot HQ holds; returns (account, what could not be taken)."""
        lot = self._held(lot_id)
        if amount >= 0:
            self.drained.append(lot_id)
            got = min(lot.remaining, amount)
        else:
            got = max(lot.remaining - lot.amount, amount)  # a lot never holds more than it was granted
        lot.remaining -= got
        self.dirty_lots.add(lot_id)
        return lot.account, amount - got

    def take_any(self, account: str, amount: int) -> int:
        """Cover a shortfall from the account's other lots, soonest expiry first; returns what is left."""
        for lot in sorted(self.lots_of(account), key=lambda r: (r.expires_at, r.lot_id)):
            if amount <= 0:
                break
            got = min(lot.remaining, amount)
            lot.remaining -= got
            self.dirty_lots.add(lot.lot_id)
            self.drained.append(lot.lot_id)
            amount -= got
        return amount

    def overfilled(self, takes: list[tuple[str, int]]) -> list[str]:
        """Known lots an event's give-backs (negative takes) would fill beyond what they were granted."""
        net: dict[str, int] = {}
        for lot_id, amount in takes:
            net[lot_id] = net.get(lot_id, 0) + amount
        out = []
        for lot_id, amount in sorted(net.items()):
            lot = self.lot(lot_id)
            if amount < 0 and lot is not None and lot.remaining - amount > lot.amount:
                out.append(lot_id)
        return out

    def give_any(self, account: str, amount: int) -> int:
        """Put points given back that their own lot has no room for (its take was covered by
        other lots after a double spend) into the account's lots with room, soonest expiry
        first, as take_any took them; returns what is left."""
        for row in self._lot_rows((M.lots.c.account == account) & (M.lots.c.remaining < M.lots.c.amount)):
            if row.lot_id not in self.lots or self.lots[row.lot_id] is None:
                self.lots[row.lot_id] = row  # rare path (after a double spend): read, then cached like the rest
        room = [lot for lot in self.lots.values() if lot is not None and lot.account == account
                and lot.remaining < lot.amount]
        for lot in sorted(room, key=lambda r: (r.expires_at, r.lot_id)):
            if amount <= 0:
                break
            got = min(lot.amount - lot.remaining, amount)
            if got > 0:
                lot.remaining += got
                self.dirty_lots.add(lot.lot_id)
                amount -= got
        return amount

    def negative_holders(self, accounts: set[str]) -> dict[str, int]:
        balances = self.balances
        return {a: balances[a] for a in accounts if balances.get(a, 0) < 0 and is_holder_account(a)}

    # --- flushing ------------------------------------------------------------------
    def flush(self) -> None:
        conn = self.conn
        if self.postings:
            bulk.insert_tuples(conn, M.postings, ("event_id", "account", "amount"), self.postings)
            self.postings = []
        if self.deltas:
            bulk.add_to_balances(conn, M.balances, [(a, d) for a, d in sorted(self.deltas.items()) if d])
            self.deltas = {}
        new = [lot for lot in self.lots.values() if lot is not None and lot.new]
        if new:
            bulk.insert(conn, M.lots, [{
                "lot_id": lot.lot_id, "event_id": self._event_of_new_lot[lot.lot_id], "account": lot.account,
                "amount": lot.amount, "remaining": lot.remaining, "available_at": lot.available_at,
                "expires_at": lot.expires_at} for lot in new])
            for lot in new:
                lot.new = False
                self.dirty_lots.discard(lot.lot_id)
        if self.dirty_lots:
            bulk.set_remaining(conn, M.lots, [(i, self._held(i).remaining) for i in sorted(self.dirty_lots)])
            self.dirty_lots = set()
