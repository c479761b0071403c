"""Helpers for the multi-store property test (tests/sync/test_multistore_properties.py):
a store till as the test drives it (its database, its link to HQ, online or cut off),
wire copies of its events for hand-made pushes, and read-only looks into HQ's database.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

from pos_app.domain import ledger as L
from pos_app.services.context import StoreContext
from pos_app.services.setup import open_store
from pos_app.store import repos
from pos_app.store import tables as T
from pos_app.sync import outbox, remote_events, state
from pos_app.sync.client import HQClient
from pos_app.sync.enrol import enrol
from tests.hq.server import HQServer, free_port
from tests.sync.conftest import Clock, seed


@dataclass
class Till:
    name: str
    ctx: StoreContext
    online: bool = True
    members: set[str] = field(default_factory=set)  # members this till can serve (registered or fetched)

    @property
    def db(self):
        return self.ctx.db

    @property
    def store_id(self) -> str:
        return self.ctx.who.store_id

    def creds(self):
        with self.db.read() as conn:
            return state.credentials(conn)

    def client(self, url: str | None = None, **kw) -> HQClient:
        """A client to HQ, or to `url` (a proxy, or a dead port for a partition)."""
        c = self.creds()
        return HQClient(url or c.hq_url, c.device_id, c.device_key, **kw)

    def dead_client(self) -> HQClient:
        """What a partition looks like from the till: nothing answers on HQ's address."""
        return self.client(f"http://127.0.0.1:{free_port()}", connect_timeout=1, read_timeout=2)

    def own_event_count(self) -> int:
        with self.db.read() as conn:
            return conn.execute(select(func.count()).select_from(T.events).where(T.events.c.device_seq > 0)).scalar()

    def pending(self, limit: int = 1000) -> list[dict]:
        with self.db.read() as conn:
            return outbox.pending(conn, limit)

    def sent(self) -> list[tuple[dict, int]]:
        """This device's events HQ answered ok/exists, as wire events, with the hq_seq HQ gave."""
        return [(ev, hq_seq) for ev, status, hq_seq in self.outbox_rows() if status == outbox.SENT]

    def outbox_rows(self) -> list[tuple[dict, str, int | None]]:
        e, o = T.events.c, T.outbox.c
        with self.db.read() as conn:
            rows = conn.execute(select(e.event_id, e.kind, e.store_id, e.device_id, e.device_seq, e.device_time,
                                       e.staff_id, e.rule_version, e.member_id, e.payload, e.payload_hash, o.status,
                                       o.hq_seq)
                                .join_from(T.outbox, T.events, o.event_id == e.event_id).order_by(o.device_seq)).all()
        return [({"event_id": r.event_id, "kind": r.kind, "store_id": r.store_id, "device_id": r.device_id,
                  "device_seq": r.device_seq, "device_time": r.device_time.isoformat(), "staff_id": r.staff_id,
                  "rule_version": r.rule_version, "member_id": r.member_id, "payload": json.loads(r.payload),
                  "payload_hash": r.payload_hash}, r.status, r.hq_seq) for r in rows]

    def mirrored_members(self) -> set[str]:
        with self.db.read() as conn:
            ids = set(conn.execute(select(T.members.c.member_id)).scalars())
            return remote_events.mirrored(conn, ids)

    def member_record(self, member_id: str) -> dict:
        with self.db.read() as conn:
            m = repos.member_by_id(conn, member_id)
        return {"name": m.name, "phone": m.phone}

    def own_accounts(self) -> dict[str, int]:
        """Balances of this store's own accounts (issued, redeemed, suspense)."""
        b = T.balances.c
        with self.db.read() as conn:
            rows = conn.execute(select(b.account, b.balance).where(
                b.account.like(f"store:{self.store_id}:%") | (b.account == L.suspense(self.store_id)))).all()
        return {a: n for a, n in rows if n}

    def ledger_sum(self) -> int:
        with self.db.read() as conn:
            return conn.execute(select(func.coalesce(func.sum(T.balances.c.balance), 0))).scalar()

    def lots(self, member_id: str) -> list[tuple]:
        """(lot_id, account, remaining, expires_at) of the member's lots holding points, here."""
        lt = T.lots.c
        with self.db.read() as conn:
            rows = conn.execute(select(lt.lot_id, lt.account, lt.remaining, lt.expires_at).where(
                lt.account.like(f"member:{member_id}:%"), lt.remaining > 0)).all()
        return lot_rows(rows)

    def pull_problems(self) -> list:
        with self.db.read() as conn:
            return conn.execute(select(T.hq_records.c.type, T.hq_records.c.key, T.hq_records.c.problem)
                                .where(T.hq_records.c.problem.is_not(None))).all()


def lot_rows(rows) -> list[tuple]:
    """Lots as comparable tuples, sorted: expiry as a naive UTC datetime (HQ's SQLite answers text)."""
    out = []
    for lot_id, account, remaining, expires_at in rows:
        t = datetime.fromisoformat(expires_at) if isinstance(expires_at, str) else expires_at
        out.append((lot_id, account, int(remaining), t.astimezone(UTC).replace(tzinfo=None) if t.tzinfo else t))
    return sorted(out)


def open_till(hq: HQServer, folder: Path, template: Path, name: str, store_id: str, label_public: bytes) -> Till:
    """A fresh store database (a copy of the migrated template) enrolled with HQ, with staff,
    rules, catalogue and gifts, trusting the label key `label_public` (HQ's, or a test's)."""
    folder.mkdir(parents=True)
    shutil.copyfile(template, folder / "store.sqlite3")
    ctx = open_store(folder, clock=Clock())
    enrol(ctx.db, hq.url, hq.enrolment_token(store_id), f"till-{name}", who=ctx.who)
    seed(ctx, n_members=0)
    with ctx.db.write() as conn:
        repos.trust_label_key(conn, label_public)
    return Till(name, ctx)


class HQView:
    """Read-only SQL on HQ's database (SQLite opened with mode=ro; PostgreSQL only SELECTs)."""

    def __init__(self, db_url: str):
        if db_url.startswith("sqlite:///"):
            db_url = f"sqlite:///file:{db_url.removeprefix('sqlite:///')}?mode=ro&uri=true"
        self.engine = create_engine(db_url)

    def close(self) -> None:
        self.engine.dispose()

    def rows(self, sql: str, **params) -> list:
        with self.engine.connect() as c:
            return c.execute(text(sql), params).all()

    def scalar(self, sql: str, **params):
        with self.engine.connect() as c:
            return c.execute(text(sql), params).scalar()

    def device_events(self, device_id: str) -> dict[str, tuple]:
        """event_id -> (payload_hash, hq_seq, status, kind) of every event HQ holds from the device."""
        return {r[0]: tuple(r[1:]) for r in self.rows(
            "SELECT event_id, payload_hash, hq_seq, status, kind FROM events WHERE device_id = :d", d=device_id)}

    def postings_of(self, event_ids: list[str]) -> dict[str, list[tuple[str, int]]]:
        out: dict[str, list[tuple[str, int]]] = {e: [] for e in event_ids}
        for i in range(0, len(event_ids), 500):
            chunk = event_ids[i:i + 500]
            names = ", ".join(f":e{j}" for j in range(len(chunk)))
            for eid, account, amount in self.rows(
                    f"SELECT event_id, account, amount FROM postings WHERE event_id IN ({names})",
                    **{f"e{j}": e for j, e in enumerate(chunk)}):
                out[eid].append((account, int(amount)))
        return out

    def ledger_problems(self) -> list[str]:
        out = [f"event {eid}: postings sum to {s}" for eid, s in self.rows(
            "SELECT event_id, SUM(amount) FROM postings GROUP BY event_id HAVING SUM(amount) <> 0")]
        out += [f"{a}: balance {b} but postings sum to {t}" for a, b, t in self.rows("""
            SELECT b.account, b.balance, COALESCE(p.total, 0) FROM balances b
            LEFT JOIN (SELECT account, SUM(amount) AS total FROM postings GROUP BY account) p ON p.account = b.account
            WHERE b.balance <> COALESCE(p.total, 0)""")]
        out += [f"{a}: balance {b} but lots hold {n}" for a, b, n in self.rows("""
            SELECT b.account, b.balance, COALESCE(l.total, 0) FROM balances b
            LEFT JOIN (SELECT account, SUM(remaining) AS total FROM lots GROUP BY account) l ON l.account = b.account
            WHERE (b.account LIKE 'member:%' OR b.account LIKE 'staff:%') AND b.balance <> COALESCE(l.total, 0)""")]
        total = int(self.scalar("SELECT COALESCE(SUM(balance), 0) FROM balances"))
        if total:
            out.append(f"HQ's balances sum to {total}, not 0")
        return out

    def accounts(self, store_id: str) -> dict[str, int]:
        return {a: int(n) for a, n in self.rows(
            "SELECT account, balance FROM balances WHERE (account LIKE :p OR account = :s) AND balance <> 0",
            p=f"store:{store_id}:%", s=L.suspense(store_id))}

    def lots(self, member_id: str) -> list[tuple]:
        """(lot_id, account, remaining, expires_at) of the member's lots holding points, at HQ."""
        return lot_rows(self.rows("SELECT lot_id, account, remaining, expires_at FROM lots "
                                  "WHERE account LIKE :p AND remaining > 0", p=f"member:{member_id}:%"))

    def positive_debts(self, member_ids: list[str]) -> dict[str, int]:
        """Debt accounts of these members above zero (never, after a push commits: merge rule 8)."""
        wanted = {f"debt:{m}" for m in member_ids}
        return {a: int(n) for a, n in self.rows("SELECT account, balance FROM balances "
                                                "WHERE account LIKE 'debt:%' AND balance > 0") if a in wanted}

    def debts(self, member_ids: list[str]) -> dict[str, int]:
        """Members of these owing points at HQ: member id -> debt (a negative balance)."""
        wanted = {f"debt:{m}": m for m in member_ids}
        return {wanted[a]: int(n) for a, n in self.rows("SELECT account, balance FROM balances "
                                                        "WHERE account LIKE 'debt:%' AND balance < 0") if a in wanted}

    def told_lots_differ(self, store_ids: set[str]) -> int:
        """lots_differ pull items HQ made for these stores (merge rule 9)."""
        return sum(int(n) for s, n in self.rows("SELECT store_id, COUNT(*) FROM feed WHERE type = 'lots_differ' "
                                                 "GROUP BY store_id") if s in store_ids)

    def member(self, member_id: str) -> dict:
        r = self.rows("SELECT name, phone FROM members WHERE member_id = :m", m=member_id)
        return {"name": r[0][0], "phone": r[0][1]} if r else {}
