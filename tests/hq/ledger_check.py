"""Read HQ's database directly and check the ledger's invariants (test helper)."""

from __future__ import annotations

from sqlalchemy import create_engine, text


class HQLedger:
    def __init__(self, url: str):
        self.engine = create_engine(url)

    def close(self) -> None:
        self.engine.dispose()

    def scalar(self, sql: str, **params):
        with self.engine.connect() as c:
            return c.execute(text(sql), params).scalar()

    def rows(self, sql: str, **params) -> list:
        with self.engine.connect() as c:
            return c.execute(text(sql), params).all()

    def balance(self, account: str) -> int:
        return self.scalar("SELECT balance FROM balances WHERE account = :a", a=account) or 0

    def problems(self) -> list[str]:
        out = []
        for (eid,) in self.rows("SELECT event_id FROM postings GROUP BY event_id HAVING SUM(amount) <> 0"):
            out.append(f"event {eid} postings do not sum to zero")
        for acct, bal, total in self.rows("""
                SELECT b.account, b.balance, COALESCE(p.total, 0) FROM balances b
                LEFT JOIN (SELECT account, SUM(amount) AS total FROM postings GROUP BY account) p
                  ON p.account = b.account WHERE b.balance <> COALESCE(p.total, 0)"""):
            out.append(f"{acct}: balance {bal} but postings sum to {total}")
        for acct, bal, lots in self.rows("""
                SELECT b.account, b.balance, COALESCE(l.total, 0) FROM balances b
                LEFT JOIN (SELECT account, SUM(remaining) AS total FROM lots GROUP BY account) l
                  ON l.account = b.account
                WHERE (b.account LIKE 'member:%' OR b.account LIKE 'staff:%') AND b.balance <> COALESCE(l.total, 0)"""):
            out.append(f"{acct}: balance {bal} but lots hold {lots}")
        for (acct,) in self.rows("SELECT account FROM balances WHERE (account LIKE 'member:%' OR account LIKE "
                                 "'staff:%') AND balance < 0"):
            out.append(f"{acct} is negative")
        return out
