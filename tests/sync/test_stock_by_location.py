"""A gift's stock is each store's own: HQ allots it, the store pulls its moves and redeems from its own
count (offline too); another store's count is not touched (DESIGN.md 11)."""

from __future__ import annotations

import uuid

import pytest

from pos_app.domain.problems import Refused
from pos_app.services import redeem
from pos_app.services.demo import CASHIER_ID
from pos_app.store import repos
from pos_app.sync.cycle import sync_once
from tests.sync.conftest import SEED_PIN, member_ids


def stock_of(ctx, gift_id: str) -> int | None:
    with ctx.db.read() as conn:
        found = repos.gift_with_stock(conn, gift_id)
    return found and found[1]


def test_each_store_redeems_from_the_stock_hq_allotted_it(hq, make_store):
    a, b = make_store("a"), make_store("b")
    gift = f"PEN-{uuid.uuid4().hex[:6]}"
    assert hq.admin("PUT", f"/catalog/gift/{gift}", json={"name": "钢笔", "points_cost": 10}).status_code == 200
    assert hq.admin("POST", "/stock/receive", json={"gift_id": gift, "qty": 5}).status_code == 201
    for store, qty in ((a, 2), (b, 3)):
        assert hq.admin("POST", "/stock/moves", json={"gift_id": gift, "from": "hq", "to": store.who.store_id,
                                                      "qty": qty}).status_code == 201
    sync_once(a.db)
    sync_once(b.db)
    assert (stock_of(a, gift), stock_of(b, gift)) == (2, 3)
    m = member_ids(a)[0]
    take = {"staff_id": CASHIER_ID, "member_id": m, "gift_id": gift, "member_pin": SEED_PIN}
    redeem.redeem_gift(a, **take, qty=2)
    with pytest.raises(Refused) as err:
        redeem.redeem_gift(a, **take)
    assert err.value.codes == ("gift.out_of_stock",)
    assert stock_of(b, gift) == 3  # b's own count: a handing out its 2 changes nothing there
    sync_once(a.db)
    levels = {s["location"]: s["quantity"] for s in hq.admin("GET", "/stock", params={"gift_id": gift}).json()}
    assert levels == {"hq": 0, a.who.store_id: 0, b.who.store_id: 3}
    # HQ moves one from b to a: both tills follow
    assert hq.admin("POST", "/stock/moves", json={"gift_id": gift, "from": b.who.store_id, "to": a.who.store_id,
                                                  "qty": 1}).status_code == 201
    sync_once(a.db)
    sync_once(b.db)
    assert (stock_of(a, gift), stock_of(b, gift)) == (1, 2)
