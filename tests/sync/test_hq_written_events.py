"""An event HQ writes itself (DESIGN.md 10) reaches a real till by pull and is applied like any other
store's: the till and HQ agree on the member's balances afterwards."""

from __future__ import annotations

from hq_server.ledger import hq_events
from hq_server.db import Database
from pos_app.domain import ledger as L
from pos_app.sync.cycle import sync_once
from tests.hq.test_hq_events import online_earn
from tests.hq.wire_events import now
from tests.sync.conftest import hq_balances, local_balances, local_ledger_ok, member_ids


def test_a_real_till_applies_what_hq_wrote_and_agrees_with_hq(hq, make_store):
    """The store app's own pull applier takes HQ's event like any other store's: balance and lots the same."""
    till = make_store("a")
    sync_once(till.db)
    m = member_ids(till)[0]
    hq_db = Database(hq.db_url)
    try:
        with hq_db.write() as (conn, seq):
            hq_events.write(conn, seq, hq_db.url, [online_earn(m, 30)], staff_id="cs-wang", rule_version=1,
                            now=now())
    finally:
        hq_db.dispose()
    before = local_balances(till, m)
    sync_once(till.db)
    after = local_balances(till, m)
    assert after[L.member_account(m)] == before[L.member_account(m)] + 30
    assert after == hq_balances(hq, m)
    local_ledger_ok(till)
