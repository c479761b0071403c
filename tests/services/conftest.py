"""A real, seeded SQLite store per test, a clock the test moves, and the whole-database
snapshot that proves a refused call changed nothing.
"""

from __future__ import annotations

import shutil
import uuid

import pytest
from dbcheck import MEMBER_PIN, Clock, Staff, Ticker, dump_db

from pos_app.domain.members import Member
from pos_app.domain.problems import Refused
from pos_app.services import members as members_uc
from pos_app.services import points as points_uc
from pos_app.services.context import PinGuard
from pos_app.services.demo import CASHIER_ID, MEMBERS, seed_demo
from pos_app.services.setup import open_store


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ticker() -> Ticker:
    return Ticker()


@pytest.fixture(scope="session")
def seeded_store(tmp_path_factory):
    """The demo store seeded once at the test clock's start (argon2 PIN hashes make seeding
    slow); each test gets its own copy of the folder (database and demo keys)."""
    folder = tmp_path_factory.mktemp("seeded-store")
    store = open_store(folder, clock=Clock())
    seed_demo(store)
    store.db.close()
    return folder


@pytest.fixture
def ctx(tmp_path, clock, ticker, seeded_store):
    shutil.copytree(seeded_store, tmp_path, dirs_exist_ok=True)
    store = open_store(tmp_path, clock=clock)
    store.pins = PinGuard(monotonic=ticker)
    yield store
    store.db.close()


@pytest.fixture
def staff() -> Staff:
    return Staff()


@pytest.fixture
def demo_members(ctx) -> dict[str, Member]:
    """The five demo members by phone (each has made one purchase already)."""
    return {phone: members_uc.find_member(ctx, phone) for phone, _ in MEMBERS}


@pytest.fixture
def new_member(ctx):
    """Register a fresh member (no points, no purchase yet, PIN 123456)."""
    counter = iter(range(10_000))

    def make(name: str = "测试会员", referrer_code: str | None = None, pin: str | None = MEMBER_PIN) -> Member:
        phone = f"1390000{next(counter):04d}"
        return members_uc.register_member(ctx, staff_id=CASHIER_ID, phone=phone, name=name,
                                          referrer_code=referrer_code, member_pin=pin)
    return make


@pytest.fixture
def member_code(ctx, clock):
    """The dynamic code a member's phone shows now (the store trusts a phone key made for
    them on first use). Each call first moves the store's clock on by one 30 s step, so
    each code is a fresh one: a code proves presence for one spend."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from pos_app.scanner.formats import dynamic_member_payload
    from pos_app.scanner.formats import public_bytes
    from pos_app.store import repos

    keys: dict[str, Ed25519PrivateKey] = {}

    def show(member_id: str) -> str:
        if member_id not in keys:
            keys[member_id] = Ed25519PrivateKey.generate()
            with ctx.db.write() as conn:
                repos.trust_member_key(conn, member_id, public_bytes(keys[member_id]))
        clock.advance(seconds=30)
        return dynamic_member_payload(member_id, keys[member_id], clock.now)
    return show


@pytest.fixture
def top_up(ctx):
    """Give a member points through a product label (no approval needed, one lot per call)."""

    def give(member_id: str, points: int) -> None:
        points_uc.label_earn(ctx, staff_id=CASHIER_ID, member_id=member_id, serial=uuid.uuid4().hex[:20],
                             sku="TEA-OOLONG", points=points)
    return give


@pytest.fixture
def db_snapshot():
    return dump_db


@pytest.fixture
def refused(ctx):
    """Call a use case that must be refused: check the code, the message, and that nothing changed."""

    def check(code: str, fn, /, *args, **kwargs) -> Refused:
        before = dump_db(ctx)
        with pytest.raises(Refused) as info:
            fn(ctx, *args, **kwargs)
        err = info.value
        assert code in err.codes, f"expected {code}, got {err.codes}: {err}"
        assert str(err).strip() and all(p.message for p in err.problems)
        assert dump_db(ctx) == before, "a refused call changed the database"
        return err
    return check
