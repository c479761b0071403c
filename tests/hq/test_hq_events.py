"""Events HQ writes itself (DESIGN.md 10) go through the same door as a till's push: same checks, same
ledger, a gapless device_seq of HQ's online device, and the tills that follow the member pull them.
On SQLite and PostgreSQL: a real `hq-server serve` for the till, HQ's use case in this process."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hq_server.ledger import hq_events
from hq_server import models as M
from hq_server.db import Database
from hq_server.errors import HQProblem
from pos_app.domain import entries as E
from pos_app.domain import ledger as L
from pos_app.domain.ids import new_id
from pos_app.domain.ledger import Entry, Kind, Posting
from tests.hq.wire_events import RULES, FakeDevice, now


@pytest.fixture
def hq_db(hq):
    db = Database(hq.db_url)
    yield db
    db.dispose()


def online_earn(member_id: str, points: int) -> Entry:
    return E.earn(Kind.ADJUST, member_id=member_id, points=points, store_id=M.HQ_ORIGIN, owed=0, lot_id=new_id(),
                  now=now(), rules=RULES, payload={"reason": "goodwill", "approved_by": "lead"})


def test_an_event_hq_writes_is_in_its_ledger_and_reaches_the_tills_following_the_member(hq, hq_db, store_id):
    till = FakeDevice(hq, store_id)
    m = new_id()
    assert till.push([till.register(m, "13912345001"), till.earn(m, 50)]).status_code == 200
    _, cursor = till.pull_all()
    with hq_db.write() as (conn, seq):
        first, second = hq_events.write(conn, seq, hq_db.url, [online_earn(m, 30), online_earn(m, 5)],
                                        staff_id="cs-wang", rule_version=1, now=now())
    with hq_db.read() as conn:
        rows = conn.execute(select(M.events.c.event_id, M.events.c.device_id, M.events.c.device_seq,
                                   M.events.c.store_id, M.events.c.staff_id, M.events.c.status)
                            .where(M.events.c.event_id.in_([first.event_id, second.event_id]))
                            .order_by(M.events.c.device_seq)).all()
        balance = conn.execute(select(M.balances.c.balance)
                               .where(M.balances.c.account == L.member_account(m))).scalar()
    assert [(r.device_id, r.store_id, r.staff_id, r.status) for r in rows] == \
        [(hq_events.ONLINE_DEVICE, M.HQ_ORIGIN, "cs-wang", "applied")] * 2
    assert rows[1].device_seq == rows[0].device_seq + 1 and balance == 85
    items, _ = till.pull_all(cursor)
    pulled = [i for i in items if i["type"] == "event" and i["key"] in (first.event_id, second.event_id)]
    assert [i["data"]["payload"]["postings"] for i in pulled] == [
        [[L.store_issued(M.HQ_ORIGIN), -30], [L.member_account(m), 30]],
        [[L.store_issued(M.HQ_ORIGIN), -5], [L.member_account(m), 5]]]


def test_an_event_hq_s_own_rules_refuse_is_refused_whole_and_stores_nothing(hq, hq_db, store_id):
    m = new_id()
    lopsided = Entry(Kind.ADJUST, {"reason": "typo"}, postings=(Posting(L.member_account(m), 10),), member_id=m)
    with hq_db.read() as conn:
        before = conn.execute(select(func.count()).select_from(M.events)).scalar()
    with pytest.raises(HQProblem) as err:
        with hq_db.write() as (conn, seq):
            hq_events.write(conn, seq, hq_db.url, [online_earn(m, 1), lopsided], staff_id="cs-wang", rule_version=1,
                            now=now())
    assert err.value.status == 422 and "sum" in err.value.message
    with hq_db.read() as conn:
        assert conn.execute(select(func.count()).select_from(M.events)).scalar() == before

