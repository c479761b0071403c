"""Store-side sync tests: real store databases (SQLite files) talking to a real
`hq-server serve` process, once on SQLite and once on PostgreSQL."""

from __future__ import annotations

import shutil
import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from pos_app.domain.ledger import is_holder_account
from pos_app.services.context import utcnow
from pos_app.domain.catalog import Product
from pos_app.domain.gifts import Gift
from pos_app.domain.staff import Role, Staff, hash_pin
from pos_app.services import checkout, members
from pos_app.services.demo import CASHIER_ID, DEMO_RULES, GIFTS, MANAGER_ID, PRODUCTS
from pos_app.store import repos
from pos_app.services.setup import open_store
from pos_app.store import tables as T
from pos_app.sync.enrol import enrol
from pos_app.sync.lookup import find_or_fetch
from tests.hq.server import HQServer, need_postgres, postgres_database, sqlite_url


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def hq(request, tmp_path_factory):
    if request.param == "sqlite":
        url = sqlite_url(tmp_path_factory.mktemp("sync-hq-sqlite"))
        with HQServer(url, workers=1, log=tmp_path_factory.mktemp("sync-hq-log") / "hq.log") as server:
            yield server
    else:
        need_postgres()
        with postgres_database() as url:
            with HQServer(url, workers=1, log=tmp_path_factory.mktemp("sync-hq-log") / "hq.log") as server:
                yield server


def once(request, why: str = "does not depend on HQ's database: run on one backend only") -> None:
    """Skip the PostgreSQL run of a test whose subject is not HQ's database (keeps tests/sync short)."""
    if request.node.callspec.params.get("hq") == "postgresql":
        pytest.skip(why)


class Clock:
    """The store's clock: real time plus an offset a test may move."""

    def __init__(self, offset: timedelta = timedelta(0)):
        self.offset = offset

    def __call__(self) -> datetime:
        return utcnow() + self.offset


SEED_PIN = "2468"  # seeded members' PIN: paying with points needs it (DESIGN.md 4)
_PIN_HASHES: dict[str, str] = {}


def unique_phone() -> str:
    return "139" + str(uuid.uuid4().int % 10**8).zfill(8)


def seed_staff(ctx) -> None:
    """The demo rules and a cashier and a manager (PINs 1111 and 9999)."""
    if not _PIN_HASHES:
        _PIN_HASHES.update(cashier=hash_pin("1111"), manager=hash_pin("9999"))
    with ctx.db.write() as conn:
        repos.save_rules(conn, DEMO_RULES, ctx.now())
        repos.save_staff(conn, Staff(CASHIER_ID, "王芳", Role.CASHIER, _PIN_HASHES["cashier"]))
        repos.save_staff(conn, Staff(MANAGER_ID, "李经理", Role.MANAGER, _PIN_HASHES["manager"]))


def seed(ctx, n_members: int = 3) -> list[str]:
    """Staff, rules, catalogue (the demo's), and members with one sale each, under the store's identity."""
    seed_staff(ctx)
    seed_catalogue(ctx)
    ids = []
    for i in range(n_members):
        m = members.register_member(ctx, staff_id=CASHIER_ID, phone=unique_phone(), name=f"会员{i}",
                                    member_pin=SEED_PIN)
        checkout.checkout(ctx, staff_id=CASHIER_ID, items=[("TEA-PUER", 1 + i % 2)], member_id=m.member_id)
        ids.append(m.member_id)
    return ids


def seed_catalogue(ctx) -> None:
    """The demo's products and gifts (no events)."""
    with ctx.db.write() as conn:
        for sku, name, cat, price, barcode in PRODUCTS:
            repos.save_product(conn, Product(sku, name, cat, price, barcode))
        for gid, name, cost, copay, stock, limit, tier in GIFTS:
            repos.save_gift(conn, Gift(gid, name, cost, copay, None, None, limit, tier), stock)


@pytest.fixture(scope="session")
def store_template(tmp_path_factory):
    """An empty, migrated store database, copied for each store (migrations run once)."""
    from pos_app.store.db import open_database
    path = tmp_path_factory.mktemp("store-template") / "store.sqlite3"
    open_database(path).close()
    return path


@pytest.fixture
def make_store(hq, tmp_path, store_template):
    """A fresh store database enrolled with the HQ, then seeded (staff, catalogue, members
    with a sale each) under its enrolled identity."""
    made = []

    def make(name: str = "a", *, clock: Clock | None = None, demo: bool = True, store_id: str | None = None):
        store_id = store_id or f"s-{uuid.uuid4().hex[:10]}"
        (tmp_path / name).mkdir(parents=True)
        shutil.copyfile(store_template, tmp_path / name / "store.sqlite3")
        ctx = open_store(tmp_path / name, clock=clock or Clock())
        token = hq.enrolment_token(store_id)
        enrol(ctx.db, hq.url, token, f"till-{name}", who=ctx.who, clock=ctx.clock)
        if demo:
            seed(ctx)
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.db.close()


def local_balances(ctx, member_id: str) -> dict[str, int]:
    b = T.balances.c
    with ctx.db.read() as conn:
        rows = conn.execute(select(b.account, b.balance).where(
            b.account.like(f"member:{member_id}:%") | (b.account == f"debt:{member_id}"))).all()
    return {a: n for a, n in rows if n}


def hq_balances(hq: HQServer, member_id: str) -> dict[str, int]:
    r = hq.admin("GET", f"/members/{member_id}")
    r.raise_for_status()
    return {a: n for a, n in r.json()["balances"].items() if n}


def local_ledger_ok(ctx) -> None:
    """Postings sum to zero per event, balances equal postings, holder lots equal balances, own seq gapless."""
    from pos_app.store import ledger_repo
    with ctx.db.read() as conn:
        assert ledger_repo.unbalanced_events(conn) == []
        assert ledger_repo.balance_mismatches(conn) == []
        assert ledger_repo.lot_mismatches(conn) == []
        seqs = conn.execute(select(T.events.c.device_seq).where(T.events.c.device_seq > 0)
                            .order_by(T.events.c.device_seq)).scalars().all()
        assert seqs == list(range(1, len(seqs) + 1))


def member_ids(ctx) -> list[str]:
    with ctx.db.read() as conn:
        return conn.execute(select(T.members.c.member_id).where(T.members.c.home_store == ctx.who.store_id)
                            ).scalars().all()


__all__ = ["Clock", "local_balances", "hq_balances", "local_ledger_ok", "member_ids", "is_holder_account"]


def bare_stores(make_store, *names):
    """Enrolled stores with staff, rules, catalogue and gifts, and no members yet."""
    out = []
    for name in names:
        ctx = make_store(name, demo=False)
        seed(ctx, n_members=0)
        out.append(ctx)
    return out


def fetch_at(store, phone: str, member_id: str) -> None:
    """The store looks the member up through HQ (it must find them)."""
    from pos_app.sync.cycle import client_for
    client = client_for(store.db)
    try:
        assert find_or_fetch(store.db, client, phone) == member_id
    finally:
        client.close()
