"""A push reads what its events need in one pass at its start (ingest._Prefetch), not event by event:
the statements it sends through SQLAlchemy do not grow with the batch, whatever the events do (earn,
hold a gift for pickup, hand it over, use a coupon, move the store's stock). In-process, both backends."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from hq_server import models as M
from hq_server.db import Database, migrate
from hq_server.ledger import ingest
from hq_server.ledger.chain_codes_tables import code_uses, pickups
from hq_server.ledger.stock_book import gift_stock
from pos_app.domain import entries as E
from pos_app.domain import ledger as L
from pos_app.domain.ids import new_id
from pos_app.domain.ledger import Kind, payload_hash, wire_payload
from pos_app.domain.lots import Lot
from pos_app.sync.wire import WireEvent
from tests.hq.server import need_postgres, postgres_database, sqlite_url
from tests.hq.wire_events import RULES, now

STORE, DEVICE, GIFT = "s-reads", "d-reads", "GIFT-CUP"


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_hq(request, tmp_path):
    """Makes an empty, migrated HQ database and answers its URL."""
    with ExitStack() as stack:
        def make() -> str:
            if request.param == "sqlite":
                u = sqlite_url(tmp_path / new_id())
            else:
                need_postgres()
                u = stack.enter_context(postgres_database())
            migrate(u)
            return u
        yield make


class _Till:
    def __init__(self) -> None:
        self.seq = 0

    def wire(self, entry, member_id: str) -> WireEvent:
        self.seq += 1
        payload = wire_payload(entry)
        return WireEvent(event_id=new_id(), kind=str(entry.kind), store_id=STORE, device_id=DEVICE,
                         device_seq=self.seq, device_time=now(), staff_id=None, rule_version=1,
                         member_id=member_id, payload=payload, payload_hash=payload_hash(payload))

    def member_round(self, member_id: str) -> list[WireEvent]:
        """An earning of 900, a cup held for pickup (800, one unit off the store's count), its handover,
        and a coupon bought with the 100 left."""
        lot_id, rid, at = new_id(), new_id(), now()
        earn = E.earn(Kind.EARN, member_id=member_id, points=900, store_id=STORE, owed=0, lot_id=lot_id, now=at,
                      rules=RULES, payload={"sale_id": new_id(), "paid_fen": 90000})
        lot = Lot(lot_id, L.member_account(member_id), 900, at - timedelta(days=1), at + timedelta(days=300))
        hold = E.spend(Kind.REDEEM_HOLD, member_id=member_id, lots=[lot], points=800, to_account=L.suspense(STORE),
                       now=at, payload={"redemption_id": rid, "gift_id": GIFT, "qty": 1, "points": 800, "stock": -1})
        handover = L.Entry(Kind.REDEEM_POST, {"redemption_id": rid, "gift_id": GIFT, "qty": 1},
                           postings=(L.Posting(L.suspense(STORE), -800), L.Posting(L.store_redeemed(STORE), 800)),
                           member_id=member_id)
        left = Lot(lot_id, L.member_account(member_id), 100, at - timedelta(days=1), at + timedelta(days=300))
        coupon = E.spend(Kind.REDEEM_POST, member_id=member_id, lots=[left], points=100,
                         to_account=L.store_redeemed(STORE), now=at,
                         payload={"purpose": "coupon_use", "coupon": f"CPN-{rid[-12:]}", "points": 100})
        return [self.wire(e, member_id) for e in (earn, hold, handover, coupon)]


def _selects_of_a_push(url: str, members: int) -> tuple[int, int]:
    """(SELECT statements sent through SQLAlchemy, events answered ok) of one push of `members` rounds."""
    db = Database(url)
    try:
        with db.engine.begin() as conn:
            conn.execute(M.stores.insert().values(store_id=STORE, name="s", created_at=now()))
            conn.execute(M.devices.insert().values(device_id=DEVICE, store_id=STORE, name="t", key_hash="x",
                                                   created_at=now()))
            conn.execute(gift_stock.insert().values(location=STORE, gift_id=GIFT, qty=100, updated_seq=0))
        till = _Till()
        events = [ev for _ in range(members) for ev in till.member_round(new_id())]
        seen: list[str] = []

        def count(conn, cursor, statement, *args) -> None:
            if statement.lstrip().upper().startswith("SELECT"):
                seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        answers = ingest.push(db, DEVICE, STORE, events, now()).answers
        event.remove(db.engine, "before_cursor_execute", count)
        with db.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(pickups)).scalar() == members
            assert conn.execute(select(func.count()).select_from(code_uses)).scalar() == 2 * members
            assert conn.execute(select(gift_stock.c.qty)).scalar() == 100 - members
        return len(seen), sum(a.status == "ok" for a in answers)
    finally:
        db.engine.dispose()


def test_a_push_reads_no_more_for_more_events(fresh_hq):
    few, ok_few = _selects_of_a_push(fresh_hq(), 2)
    many, ok_many = _selects_of_a_push(fresh_hq(), 12)
    assert (ok_few, ok_many) == (8, 48)
    assert many == few
