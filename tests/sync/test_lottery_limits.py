"""A lottery's daily limits are set at HQ and every till keeps them after a pull: a member's draws a
day, and the prize points a store pays out a day (its tills splitting the budget)."""

from __future__ import annotations

import uuid

import pytest

from pos_app.domain.problems import Refused
from pos_app.services import points
from pos_app.services.demo import CASHIER_ID
from pos_app.sync.cycle import sync_once
from tests.sync.conftest import SEED_PIN, member_ids


def test_hqs_daily_limits_hold_at_the_till(hq, make_store):
    till = make_store("a")
    lottery_id = f"SPIN-{uuid.uuid4().hex[:6]}"
    r = hq.admin("PUT", f"/catalog/lottery/{lottery_id}", json={
        "name": "每日转盘", "points_per_draw": 10, "daily_draws": 2, "daily_prize_points": 50,
        "prizes": [{"code": "BIG", "name": "100 积分", "weight": 1, "points": 100},
                   {"code": "P5", "name": "5 积分", "weight": 1, "points": 5}]})
    assert r.status_code == 200, r.text
    hq.enrol(till.who.store_id, "till-2")  # two tills: each pays out at most 25 prize points a day
    sync_once(till.db)
    a, b = member_ids(till)[:2]
    draw = {"staff_id": CASHIER_ID, "lottery_id": lottery_id, "member_pin": SEED_PIN}
    won = [points.lottery_draw(till, member_id=m, **draw) for m in (a, a, b, b)]
    assert [w.prize.code for w in won] == ["P5"] * 4  # 100 is beyond the till's 25 a day: never drawn
    assert [w.draws_left for w in won] == [1, 0, 1, 0]
    with pytest.raises(Refused) as err:
        points.lottery_draw(till, member_id=a, **draw)
    assert err.value.codes == ("lottery.daily_limit",)
    c = member_ids(till)[2]
    assert points.lottery_draw(till, member_id=c, **draw).prize.code == "P5"  # 25 paid: the till's share
    with pytest.raises(Refused) as err:
        points.lottery_draw(till, member_id=c, **draw)
    assert err.value.codes == ("lottery.budget_spent",)
