"""The referrer's bonus taken back by a refund of the qualifying purchase reaches HQ like any event:
HQ accepts it (one holder, the referrer) and both sides agree on the referrer's points and debt."""

from __future__ import annotations

from pos_app.domain import ledger as L
from pos_app.services import checkout, members, refunds
from pos_app.services.demo import CASHIER_ID
from pos_app.sync import outbox
from pos_app.sync.cycle import sync_once
from tests.sync.conftest import SEED_PIN, hq_balances, local_balances, local_ledger_ok, unique_phone


def test_a_bonus_taken_back_at_the_till_is_taken_back_at_hq(hq, make_store):
    till = make_store("a")
    referrer = members.register_member(till, staff_id=CASHIER_ID, phone=unique_phone(), name="推荐人",
                                       member_pin=SEED_PIN)
    referee = members.register_member(till, staff_id=CASHIER_ID, phone=unique_phone(), name="新会员",
                                      referrer_code=referrer.referral_code, member_pin=SEED_PIN)
    sale = checkout.checkout(till, staff_id=CASHIER_ID, items=[("TEA-JASMINE", 1)], member_id=referee.member_id)
    assert sale.referral_bonus == 200
    sync_once(till.db)
    assert hq_balances(hq, referrer.member_id) == {L.member_account(referrer.member_id, L.PointType.AGENT): 200}
    refunds.refund(till, staff_id=CASHIER_ID, sale=sale.sale_id, reason="退货", approver_pin="9999")
    sync_once(till.db)
    with till.db.read() as conn:
        assert outbox.problems(conn) == []
    assert hq_balances(hq, referrer.member_id) == {} == local_balances(till, referrer.member_id)
    local_ledger_ok(till)
