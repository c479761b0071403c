"""Gift stock in the console, on SQLite and PostgreSQL: allot stock at the warehouse, move some to a
store (the store's tills pull the new count), a quantity that is not a number or more than a location
holds refused beside its field; the counts' list and history (filtered, CSV); a store manager sees and
works on their own store only; other roles and a stale form change nothing; all in the audit log."""

from __future__ import annotations

import csv
import io
import uuid

import pytest

from hq_server.db import Database
from hq_server.programme import stock
from tests.console.client import Console, flash_of


@pytest.fixture
def db(web_hq):
    database = Database(web_hq.db_url)
    yield database
    database.dispose()


def a_gift(web_hq) -> str:
    gift = f"G-{uuid.uuid4().hex[:8]}"
    r = web_hq.admin("PUT", f"/catalog/gift/{gift}", json={"name": "青花瓷茶杯", "points_cost": 800})
    assert r.status_code == 200, r.text
    return gift


def counts(db, gift: str) -> dict[str, int]:
    return {s.location: s.qty for s in stock.stock_by_location(db, gift_id=gift)}


def test_allot_then_move_to_a_store(web_hq, db, store_id, staff_user):
    web_hq.create_store(store_id)
    gift = a_gift(web_hq)
    with Console(web_hq, *staff_user("operator")) as op:
        page = op.get("/console/stock")
        assert page.status_code == 200 and f'<option value="{gift}">' in page.text and "总部仓库 (hq)" in page.text
        bad = op.post("/console/stock/allot", {"gift_id": gift, "location": "hq", "qty": "ten", "note": ""})
        assert bad.status_code == 422 and "数量须为整数" in bad.text and counts(db, gift) == {}
        done = op.post("/console/stock/allot", {"gift_id": gift, "location": "hq", "qty": "40", "note": "到货 42 号"})
        assert done.status_code == 303
        assert flash_of(op.get(done.headers["location"])) == [f"hq 现有 {gift} 40 件。"]
        unknown = op.post("/console/stock/allot", {"gift_id": gift, "location": "nowhere", "qty": "1"})
        assert unknown.status_code == 422 and "没有位置 &#39;nowhere&#39;" in unknown.text
        too_many = op.post("/console/stock/move", {"gift_id": gift, "from_location": "hq", "to_location": store_id,
                                                   "qty": "41"})
        assert too_many.status_code == 422 and "hq 仅剩 40 件" in too_many.text and 'value="41"' in too_many.text
        same = op.post("/console/stock/move", {"gift_id": gift, "from_location": "hq", "to_location": "hq",
                                               "qty": "1"})
        assert same.status_code == 422 and "调拨须在两个不同的库位之间进行" in same.text
        moved = op.post("/console/stock/move", {"gift_id": gift, "from_location": "hq", "to_location": store_id,
                                                "qty": "15", "note": "周末活动"})
        assert moved.status_code == 303
        assert counts(db, gift) == {"hq": 25, store_id: 15}
        listed = op.get("/console/stock", params={"gift_id": gift, "sort": "-qty"})
        assert listed.text.index("青花瓷茶杯") and listed.text.count(gift) >= 2
        rows = list(csv.reader(io.StringIO(op.get("/console/stock", params={"gift_id": gift, "format": "csv"})
                                           .content.decode("utf-8-sig"))))
        assert rows[0] == ["库位", "礼品", "名称", "库存数量"]
        assert rows[1:] == [["hq", gift, "青花瓷茶杯", "25"], [store_id, gift, "青花瓷茶杯", "15"]]
        history = op.get("/console/stock/moves", params={"gift_id": gift})
        assert history.status_code == 200 and "周末活动" in history.text and "调入" in history.text
        only_in = op.get("/console/stock/moves", params={"gift_id": gift, "reason": "move_in"})
        assert "调出" not in only_in.text.split("<tbody>")[1]
    with Console(web_hq) as admin:
        log = admin.get("/console/audit", params={"q": gift}).text
        assert "stock.allot" in log and "stock.move" in log


def test_a_store_manager_works_on_their_own_store(web_hq, db, store_id, staff_user):
    other = f"s-{uuid.uuid4().hex[:10]}"
    web_hq.create_store(store_id)
    web_hq.create_store(other)
    gift = a_gift(web_hq)
    with Console(web_hq) as admin:
        assert admin.post("/console/stock/allot", {"gift_id": gift, "location": other, "qty": "9"}).status_code == 303
        assert admin.post("/console/stock/allot", {"gift_id": gift, "location": store_id, "qty": "4"}
                          ).status_code == 303
    with Console(web_hq, *staff_user("store_manager", store_id=store_id)) as manager:
        mine = manager.get("/console/stock", params={"gift_id": gift, "location": other})  # asks for another's
        body = mine.text.split("<tbody>")[1]
        assert mine.status_code == 200 and store_id in body and other not in body
        moves = manager.get("/console/stock/moves", params={"gift_id": gift, "location": other})
        assert store_id in moves.text.split("<tbody>")[1] and other not in moves.text.split("<tbody>")[1]
        refused = manager.post("/console/stock/allot", {"gift_id": gift, "location": other, "qty": "1"})
        assert refused.status_code == 403
        assert manager.post("/console/stock/move", {"gift_id": gift, "from_location": other,
                                                    "to_location": store_id, "qty": "1"}).status_code == 403
        sent = manager.post("/console/stock/move", {"gift_id": gift, "from_location": store_id,
                                                     "to_location": other, "qty": "3"})
        assert sent.status_code == 303
        stale = manager.post("/console/stock/allot", {"gift_id": gift, "location": store_id, "qty": "1"},
                             csrf="0" * 64)
        assert stale.status_code == 403
    assert counts(db, gift) == {other: 12, store_id: 1}
    for role in ("customer_service", "finance"):
        with Console(web_hq, *staff_user(role)) as reader:
            assert reader.post("/console/stock/allot", {"gift_id": gift, "location": store_id, "qty": "1"}
                               ).status_code == 403
    with Console(web_hq, *staff_user("finance")) as fin:
        assert fin.get("/console/stock").status_code == 200 and "入库" not in fin.get("/console/stock").text
    assert counts(db, gift) == {other: 12, store_id: 1}
