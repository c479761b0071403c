"""Failures per key in a sliding window, kept in the database (login_failures) so that every worker
and host counts the same: wrong logins per username and per address, member lookups that found
nobody per till (a till must not be able to walk the phone-number space)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, func, insert, select

from hq_server import models as M
from hq_server.errors import HQProblem


class Throttle:
    def __init__(self, window_s: int):
        self.window = timedelta(seconds=window_s)

    def refuse_if_over(self, conn: Connection, limits: dict[str, tuple[int, str]], now: datetime) -> None:
        """limits: key -> (failures allowed in the window, what to call the key in the answer)."""
        f = M.login_failures.c
        since = now - self.window
        rows = conn.execute(select(f.key, func.count(), func.min(f.at)).where(f.key.in_(list(limits)), f.at > since)
                            .group_by(f.key)).all()
        for key, count, oldest in rows:
            allowed, who = limits[key]
            if count >= allowed:
                wait = max(1, int((oldest - since).total_seconds()) + 1)
                raise HQProblem(429, "too_many_attempts", f"too many failed tries from {who}: try again in {wait} s",
                                retry_after=wait)

    def record(self, conn: Connection, keys: list[str], now: datetime) -> None:
        f = M.login_failures.c
        conn.execute(insert(M.login_failures), [{"key": k, "at": now} for k in keys])
        horizon = now - self.window
        # old rows of these keys go now; other keys' now and then (a flood of made-up names)
        prune = f.at <= horizon if random.random() < 0.02 else (f.key.in_(keys) & (f.at <= horizon))
        conn.execute(delete(M.login_failures).where(prune))

    @staticmethod
    def forgive(conn: Connection, key: str) -> None:
        conn.execute(delete(M.login_failures).where(M.login_failures.c.key == key))
