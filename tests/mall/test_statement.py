"""What a member reads in the mall (home figures, the statement) is HQ's ledger: points a till earned and
spent, by store and day, balances per point type, tier progress and points expiring soon."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hq_server.errors import HQProblem
from hq_server.programme.statement import home, statement
from pos_app.domain.ids import new_id
from tests.hq.wire_events import FakeDevice, now

TIERS = [{"code": "basic", "name": "普卡", "min_spend_fen": 0}, {"code": "silver", "name": "银卡",
                                                                "min_spend_fen": 100_000},
         {"code": "gold", "name": "金卡", "min_spend_fen": 500_000}]


@pytest.fixture(scope="module")
def tiers_published(hq):
    r = hq.admin("POST", "/rules", json={"doc": {"tiers": TIERS, "expiry_days": 365, "base_points": 1,
                                                 "base_per_fen": 100},
                                         "effective_at": (now() - timedelta(days=1)).isoformat()})
    assert r.status_code == 201, r.text


@pytest.fixture
def history(hq, store_id, phone, tiers_published):
    """A member a till registered, who earned twice and spent once there (soon-expiring lot included)."""
    hq.create_store(store_id, "南京路店")
    till = FakeDevice(hq, store_id)
    member = new_id()
    soon = till.earn(member, 40, payload={"sale_id": new_id(), "paid_fen": 4_000})
    soon["payload"]["grants"][0][4] = (now() + timedelta(days=10)).isoformat()  # a lot about to expire
    from pos_app.domain.ledger import payload_hash
    soon["payload_hash"] = payload_hash(soon["payload"])
    big = till.earn(member, 260, payload={"sale_id": new_id(), "paid_fen": 26_000})
    spend = till.spend(member, 100, [(FakeDevice.lot_of(big), 100)])
    r = till.push([till.register(member, phone), soon, big, spend])
    assert [a["status"] for a in r.json()["answers"]] == ["ok"] * 4, r.text
    return member, store_id


def test_home_shows_balances_tier_progress_and_points_expiring_soon(db, history):
    member, _ = history
    got = home(db, member, now(), expiring_days=30)
    assert got.balances == {"consumer": 200, "agent": 0} and got.owed == 0 and got.points == 200
    assert (got.tier.code, got.tier.name, got.tier.spend_fen, got.tier.next_code, got.tier.left_fen) == (
        "basic", "普卡", 30_000, "silver", 70_000)
    assert [e.points for e in got.expiring] == [40]
    assert not got.has_pin and got.phone_key_id is None and got.how_to.expiry_days == 365


def test_the_statement_lists_every_earning_and_spending_by_store_and_filters_them(db, history):
    member, store_id = history
    got = statement(db, member)
    assert [(ln.kind, ln.points, ln.store_name) for ln in got.lines] == [
        ("redeem_post", -100, "南京路店"), ("earn", 260, "南京路店"), ("earn", 40, "南京路店")]
    assert got.stores == [(store_id, "南京路店")] and got.next_before is None
    assert [ln.points for ln in statement(db, member, direction="out").lines] == [-100]
    assert [ln.points for ln in statement(db, member, direction="in").lines] == [260, 40]
    assert statement(db, member, store_id="elsewhere").lines == []
    assert statement(db, member, point_type="agent").lines == []
    today = now().date()
    assert len(statement(db, member, first=today - timedelta(days=1), last=today + timedelta(days=1)).lines) == 3
    assert statement(db, member, first=today + timedelta(days=2)).lines == []
    page = statement(db, member, limit=2)
    assert len(page.lines) == 2 and page.next_before == page.lines[-1].hq_seq
    rest = statement(db, member, limit=2, before=page.next_before)
    assert [ln.points for ln in rest.lines] == [40] and rest.next_before is None


@pytest.mark.parametrize("kw", [{"point_type": "guide"}, {"direction": "sideways"}, {"limit": 0},
                                {"first": now().date(), "last": now().date() - timedelta(days=1)}])
def test_bad_filters_are_refused(db, kw):
    with pytest.raises(HQProblem) as err:
        statement(db, new_id(), **kw)
    assert err.value.code == "invalid_filter"

