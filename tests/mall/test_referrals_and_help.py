"""Invitations (who joined with a member's code and what each brought) and help messages that become
tickets customer service answers; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hq_server.errors import HQProblem
from hq_server.programme import help_tickets as H
from hq_server.programme import sms
from hq_server.programme.mall_tables import help_tickets
from hq_server.programme.member_signin import sign_in
from hq_server.programme.referrals import referrals
from pos_app.domain import entries as E
from pos_app.domain import ledger as L
from pos_app.domain.ids import new_id
from pos_app.domain.ledger import Kind
from pos_app.domain.members import referral_code_for
from tests.hq.wire_events import RULES, FakeDevice, now
from tests.mall.conftest import last_code


def join(db, mall, sms_settings, phone, address, **kw) -> str:
    sms.request_code(db, sms_settings, sms.DevSender(db), phone, address, now())
    return sign_in(db, mall, sms.CodeCheck(sms_settings), phone=phone, code=last_code(db, phone), address=address,
                   now=now(), **kw).member_id


def test_the_inviter_sees_who_joined_and_the_referral_points_each_brought(hq, db, mall, sms_settings, phone, address,
                                                                           store_id):
    inviter = join(db, mall, sms_settings, phone, address, name="王芳")
    code = referral_code_for(inviter)
    first = join(db, mall, sms_settings, "15" + phone[2:], address + "1", name="张伟", referral_code=code)
    join(db, mall, sms_settings, "17" + phone[2:], address + "2", referral_code=code.lower())
    till = FakeDevice(hq, store_id)
    bonus = E.earn(Kind.REFERRAL_BONUS, member_id=inviter, points=88, store_id=store_id, owed=0, lot_id=new_id(),
                   now=now(), rules=RULES, payload={"sale_id": new_id(), "referee": first},
                   ptype=L.PointType.AGENT)
    assert till.push([till.event(bonus)]).json()["answers"][0]["status"] == "ok"
    got = referrals(db, inviter)
    assert got.referral_code == code and got.points == 88
    assert sorted((j.name, j.phone_tail, j.points) for j in got.joined) == sorted(
        [("张伟", phone[-4:], 88), (f"会员{phone[-4:]}", phone[-4:], 0)])


def test_a_help_message_becomes_a_ticket_customer_service_answers(db):
    member = new_id()
    t = H.open_ticket(db, member, topic="points", message="  我的积分没到账\n小票号 A-1  ", now=now())
    assert t.status == "open" and t.message == "我的积分没到账\n小票号 A-1"
    assert t.ticket_id in [x.ticket_id for x in H.tickets(db, status="open", limit=1000)]
    answered = H.answer_ticket(db, t.ticket_id, staff="cs-wang", answer="已补录 50 积分", close=True, now=now())
    assert (answered.status, answered.answer, answered.answered_by) == ("closed", "已补录 50 积分", "cs-wang")
    assert [x.status for x in H.member_tickets(db, member)] == ["closed"]
    with pytest.raises(HQProblem) as err:
        H.answer_ticket(db, t.ticket_id, staff="cs-li", answer="again", close=False, now=now())
    assert err.value.code == "ticket_closed"


@pytest.mark.parametrize("topic, message, code", [("lottery", "hi", "invalid_topic"), ("points", "   ", "invalid_message"),
                                                  ("points", "x" * 1001, "invalid_message"),
                                                  ("points", "a\u200bb", "invalid_message")])
def test_a_bad_help_message_is_refused_and_stores_nothing(db, topic, message, code):
    member = new_id()
    with pytest.raises(HQProblem) as err:
        H.open_ticket(db, member, topic=topic, message=message, now=now())
    assert err.value.code == code
    assert H.member_tickets(db, member) == []


def test_a_member_opens_a_bounded_number_of_tickets_a_day(db):
    member = new_id()
    t0 = now()
    for i in range(H.PER_DAY):
        H.open_ticket(db, member, topic="other", message=f"message {i}", now=t0)
    with pytest.raises(HQProblem) as err:
        H.open_ticket(db, member, topic="other", message="one more", now=t0)
    assert err.value.status == 429
    H.open_ticket(db, member, topic="other", message="next day", now=t0 + timedelta(days=1, seconds=1))
    with db.read() as conn:
        assert conn.execute(select(func.count()).select_from(help_tickets)
                            .where(help_tickets.c.member_id == member)).scalar() == H.PER_DAY + 1
