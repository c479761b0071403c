"""A shopping guide's points are the same at every till of the guide's store and at HQ: the guide's
earnings at another till, HQ's rewards for the guides they recruited, and a withdrawal (held, then paid
out or given back) reach every till by pull (pos_app.services.guides over a real HQ)."""

from __future__ import annotations

import secrets

from hq_server.db import Database
from hq_server.programme import jobs, withdrawals
from pos_app.domain import ledger as L
from pos_app.services import checkout
from pos_app.services.demo import CASHIER_ID
from pos_app.services.guides import guide_points
from pos_app.sync.cycle import sync_once
from tests.hq.ledger_check import HQLedger
from tests.hq.wire_events import now
from tests.sync.conftest import local_ledger_ok, member_ids


def test_a_guides_points_and_withdrawals_are_the_same_at_every_till_of_the_store_and_at_hq(hq, make_store):
    a = make_store("a")
    store = a.who.store_id
    b = make_store("b", store_id=store)
    guide, recruit = f"g-{secrets.token_hex(4)}", f"g-{secrets.token_hex(4)}"
    for g in (guide, recruit):
        assert hq.admin("PUT", f"/stores/{store}/staff/{g}", json={"name": g, "role": "cashier",
                                                                   "pin": "2468"}).status_code == 200
    assert hq.admin("PUT", f"/staff/{recruit}/recruiter", json={"recruited_by": guide}).status_code == 204
    assert hq.admin("PUT", "/point-policies", json={"guide": {"withdraw": True, "min_withdraw_points": 1}}
                    ).status_code == 200
    for till in (a, b):
        sync_once(till.db)
    m = member_ids(a)[0]
    basket = [("TEA-PUER", 3)]
    earned = checkout.checkout(a, staff_id=CASHIER_ID, items=basket, member_id=m, guide_id=guide).guide_points
    by_recruit = checkout.checkout(a, staff_id=CASHIER_ID, items=basket, member_id=m, guide_id=recruit).guide_points
    assert earned > 0 and by_recruit > 0, "the rules in force pay guides"
    hq_db, ledger = Database(hq.db_url), HQLedger(hq.db_url)
    try:
        sync_once(a.db)
        assert hq.admin("PUT", "/level-rewards", json={"guide_pct": [50]}).status_code == 200
        jobs.run_job(hq_db, "network", now=now(), force=True)
        reward = by_recruit * 50 // 100  # HQ's level-2 reward: the guide recruited the recruit
        hq_balance = ledger.balance(L.guide_account(guide))
        assert hq_balance >= earned + reward
        for till in (a, b):
            sync_once(till.db)
            assert guide_points(till, guide).balance == hq_balance  # b made none of it
        w = withdrawals.request_withdrawal(hq_db, holder=guide, point_type="guide", points=earned, requested_by="cs",
                                           now=now())
        kept = withdrawals.request_withdrawal(hq_db, holder=guide, point_type="guide", points=1, requested_by="cs",
                                              now=now())
        for till in (a, b):
            sync_once(till.db)
            seen = guide_points(till, guide)
            assert seen.balance == hq_balance - earned - 1 == ledger.balance(L.guide_account(guide))
            assert {(x.withdrawal_id, x.points, x.status) for x in seen.withdrawals} == {
                (w.withdrawal_id, earned, "pending"), (kept.withdrawal_id, 1, "pending")}
            assert seen.held == earned + 1
        withdrawals.approve_withdrawal(hq_db, withdrawal_id=w.withdrawal_id, staff="fin", now=now())
        withdrawals.refuse_withdrawal(hq_db, withdrawal_id=kept.withdrawal_id, staff="fin", note="太少", now=now())
        for till in (a, b):
            sync_once(till.db)
            seen = guide_points(till, guide)
            assert seen.balance == hq_balance - earned == ledger.balance(L.guide_account(guide))
            assert {(x.withdrawal_id, x.status) for x in seen.withdrawals} == {
                (w.withdrawal_id, "approved"), (kept.withdrawal_id, "refused")}
            assert seen.held == 0
            assert guide_points(till, recruit).balance == ledger.balance(L.guide_account(recruit))
            local_ledger_ok(till)
    finally:
        hq_db.dispose()
        ledger.close()
