"""Online exchange orders (hq_server.programme.orders) over a real HQ, on SQLite and PostgreSQL: placed
for pickup at a store or for delivery, idempotent against a double submit, refused without changing
anything, cancelled with the points back in their lots, picked, shipped and delivered; and under
concurrent orders never oversold."""

from __future__ import annotations

import threading
import uuid

import pytest

from hq_server.errors import HQProblem
from hq_server.programme import orders as O
from hq_server.programme import stock
from hq_server.programme.audit import Actor
from hq_server.roles import StaffRole
from pos_app.domain import ledger as L
from pos_app.domain.ids import new_id
from tests.hq.wire_events import FakeDevice, now
from tests.sync.multistore import HQView

OPERATOR = Actor("op-orders", StaffRole.OPERATOR)
ADDRESS = O.Address("李娜", "13912345678", "上海市徐汇区漕溪北路 88 号 12 楼")


@pytest.fixture
def view(hq):
    v = HQView(hq.db_url)
    yield v
    v.close()


class Shop:
    """A store with a till pushing members in, and a gift HQ stocks at the store and the warehouse."""

    def __init__(self, hq, db, store_id: str, *, points: int = 100, stock_here: int = 5, stock_hq: int = 3,
                 **gift):
        self.hq, self.db, self.store_id = hq, db, store_id
        self.till = FakeDevice(hq, store_id)
        self.gift = f"G-{uuid.uuid4().hex[:8]}"
        r = hq.admin("PUT", f"/catalog/gift/{self.gift}", json={"name": "保温杯", "points_cost": points, **gift})
        assert r.status_code == 200, r.text
        for location, qty in ((store_id, stock_here), ("hq", stock_hq)):
            if qty:
                stock.allot_stock(db, OPERATOR, gift_id=self.gift, location=location, qty=qty, now=now())

    def member(self, points: int = 1000) -> str:
        m = new_id()
        phone = "137" + str(uuid.uuid4().int % 10**8).zfill(8)
        answers = self.till.push([self.till.register(m, phone), self.till.earn(m, points)]).json()["answers"]
        assert [a["status"] for a in answers] == ["ok", "ok"], answers
        return m

    def counts(self) -> dict[str, int]:
        return {s.location: s.qty for s in stock.stock_by_location(self.db, gift_id=self.gift)}


def balance(view: HQView, account: str) -> int:
    return int(view.scalar("SELECT balance FROM balances WHERE account = :a", a=account) or 0)


def pickup(db, shop: Shop, m: str, qty: int = 1, key: str | None = None) -> O.Order:
    return O.place_order(db, member_id=m, gift_id=shop.gift, qty=qty, mode="pickup", store_id=shop.store_id,
                         idempotency_key=key or uuid.uuid4().hex, now=now())


def test_a_pickup_order_takes_the_points_reserves_at_the_store_and_a_double_submit_is_one_order(hq, db, view,
                                                                                                 store_id):
    shop = Shop(hq, db, store_id)
    m = shop.member(1000)
    first = pickup(db, shop, m, 2, key="form-1")
    assert (first.status, first.points, first.location, first.mode) == ("placed", 200, store_id, "pickup")
    assert first.pickup_code.startswith("PM1:P:")
    again = pickup(db, shop, m, 2, key="form-1")
    assert again.order_id == first.order_id and again.pickup_code == first.pickup_code
    assert balance(view, L.member_account(m)) == 800 and balance(view, L.suspense("hq")) >= 200
    assert shop.counts() == {"hq": 3, store_id: 3}
    assert [o.order_id for o in O.member_orders(db, m)] == [first.order_id]
    assert O.order(db, first.order_id, member_id=m).gift_name == "保温杯"
    with pytest.raises(HQProblem) as other:
        O.order(db, first.order_id, member_id=new_id())
    assert other.value.status == 404
    with pytest.raises(HQProblem) as reused:
        pickup(db, shop, m, 1, key="form-1")
    assert reused.value.status == 409
    assert O.pickup_stores(db, shop.gift)[0].location == store_id
    assert view.ledger_problems() == []


def test_refusals_say_why_and_change_nothing(hq, db, view, store_id):
    shop = Shop(hq, db, store_id, points=400, stock_here=2, per_member_limit=3)
    gold = Shop(hq, db, f"{store_id}-g", min_tier="gold")
    m = shop.member(1100)
    hq.create_store(f"{store_id}-empty")

    def state():
        return balance(view, L.member_account(m)), shop.counts(), len(O.member_orders(db, m))

    before = state()
    cases = [
        (dict(gift_id=shop.gift, qty=3, mode="delivery", address=ADDRESS), 409, "points.insufficient"),  # 1,200
        (dict(gift_id=shop.gift, qty=3, mode="pickup", store_id=store_id), 409, "gift.out_of_stock"),
        (dict(gift_id=shop.gift, qty=1, mode="pickup", store_id=f"{store_id}-empty"), 409, "gift.out_of_stock"),
        (dict(gift_id=gold.gift, qty=1, mode="pickup", store_id=gold.store_id), 409, "gift.tier"),
        (dict(gift_id="NO-SUCH-GIFT", qty=1, mode="delivery", address=ADDRESS), 404, "gift.unknown"),
        (dict(gift_id=shop.gift, qty=0, mode="delivery", address=ADDRESS), 422, "invalid_field"),
        (dict(gift_id=shop.gift, qty=21, mode="delivery", address=ADDRESS), 422, "invalid_field"),
        (dict(gift_id=shop.gift, qty=1, mode="delivery"), 422, "invalid_field"),
        (dict(gift_id=shop.gift, qty=1, mode="delivery", address=O.Address("李娜", "12345", "上海市徐汇区 88 号")),
         422, "invalid_field"),
        (dict(gift_id=shop.gift, qty=1, mode="teleport"), 422, "invalid_field"),
        (dict(gift_id=shop.gift, qty=1, mode="pickup", store_id="no-such-store"), 422, "invalid_field"),
    ]
    for kw, status, code in cases:
        with pytest.raises(HQProblem) as err:
            O.place_order(db, member_id=m, idempotency_key=uuid.uuid4().hex, now=now(), **kw)
        assert (err.value.status, err.value.code) == (status, code), (kw, err.value.message)
    assert "sold out" in _refused(db, m, shop.gift, 3, "pickup", store_id).message
    assert state() == before
    # the per-member limit counts what the member redeemed, online and at tills, not cancelled
    made = [O.place_order(db, member_id=m, gift_id=shop.gift, qty=1, mode="delivery", address=ADDRESS,
                          idempotency_key=uuid.uuid4().hex, now=now()) for _ in range(2)]
    O.cancel_order(db, made[1].order_id, actor=OPERATOR, reason="member asked", now=now())
    O.place_order(db, member_id=m, gift_id=shop.gift, qty=1, mode="delivery", address=ADDRESS,
                  idempotency_key=uuid.uuid4().hex, now=now())
    assert shop.till.push([_till_hold(shop, m)]).json()["answers"][0]["status"] == "ok"
    assert _refused(db, m, shop.gift, 1, "pickup", store_id).code == "gift.limit"
    assert view.ledger_problems() == []


def _refused(db, m, gift, qty, mode, store_id) -> HQProblem:
    with pytest.raises(HQProblem) as err:
        O.place_order(db, member_id=m, gift_id=gift, qty=qty, mode=mode, store_id=store_id,
                      idempotency_key=uuid.uuid4().hex, now=now())
    return err.value


def _till_hold(shop: Shop, m: str) -> dict:
    """The member redeems one at the store's till (its hold, as the till's ledger makes it)."""
    from tests.hq.test_stock import hold
    earn = shop.till.earn(m, 500)
    assert shop.till.push([earn]).json()["answers"][0]["status"] == "ok"
    return hold(shop.till, m, earn, shop.gift, 1, 400)


def test_cancel_gives_the_points_back_into_their_lots_and_the_units_back(hq, db, view, store_id):
    shop = Shop(hq, db, store_id)
    m = shop.member(1000)
    lots_before = view.rows("SELECT lot_id, remaining FROM lots WHERE account = :a ORDER BY lot_id",
                            a=L.member_account(m))
    placed = pickup(db, shop, m, 3)
    assert balance(view, L.member_account(m)) == 700 and shop.counts()[store_id] == 2
    done = O.cancel_order(db, placed.order_id, member_id=m, reason="changed my mind", now=now())
    assert done.status == "cancelled" and done.pickup_code is None
    assert balance(view, L.member_account(m)) == 1000 and shop.counts()[store_id] == 5
    assert view.rows("SELECT lot_id, remaining FROM lots WHERE account = :a ORDER BY lot_id",
                     a=L.member_account(m)) == lots_before
    with pytest.raises(HQProblem) as twice:
        O.cancel_order(db, placed.order_id, member_id=m, now=now())
    assert twice.value.status == 409
    assert view.ledger_problems() == []


def test_a_delivery_order_is_picked_shipped_with_its_tracking_number_and_delivered(hq, db, view, store_id):
    shop = Shop(hq, db, store_id)
    m = shop.member(1000)
    redeemed = balance(view, L.store_redeemed("hq"))
    placed = O.place_order(db, member_id=m, gift_id=shop.gift, qty=1, mode="delivery", address=ADDRESS,
                           idempotency_key=uuid.uuid4().hex, now=now())
    assert (placed.location, placed.pickup_code, placed.address.phone) == ("hq", None, "13912345678")
    assert shop.counts()["hq"] == 2
    with pytest.raises(HQProblem):
        O.mark_delivered(db, OPERATOR, placed.order_id, now=now())
    assert O.pick_order(db, OPERATOR, placed.order_id, now=now()).status == "picking"
    with pytest.raises(HQProblem) as bad:
        O.ship_order(db, OPERATOR, placed.order_id, carrier="SF", tracking_no="x", now=now())
    assert bad.value.code == "invalid_field"
    shipped = O.ship_order(db, OPERATOR, placed.order_id, carrier="顺丰", tracking_no="SF1234567890", now=now())
    assert (shipped.status, shipped.tracking_no) == ("shipped", "SF1234567890")
    assert balance(view, L.store_redeemed("hq")) == redeemed + 100
    with pytest.raises(HQProblem) as late:
        O.cancel_order(db, placed.order_id, member_id=m, now=now())
    assert late.value.status == 409 and "shipped" in late.value.message
    assert O.mark_delivered(db, OPERATOR, placed.order_id, now=now()).status == "delivered"
    page = O.orders_page(db, O.ListQuery(filters={"member_id": m}))
    assert page.total == 1 and page.rows[0]["status"] == "delivered"
    assert balance(view, L.member_account(m)) == 900 and view.ledger_problems() == []


def test_concurrent_orders_never_oversell_and_a_double_submit_under_load_is_one_order(hq, db, view, store_id):
    """Twenty members order the last five units at once (threads, each its own connection): five orders,
    fifteen refusals as sold out that took no points; and five submits of one form make one order."""
    shop = Shop(hq, db, store_id, stock_here=0, stock_hq=5)
    members = [shop.member(500) for _ in range(20)]
    got: dict[str, object] = {}
    start = threading.Barrier(len(members))

    def order(m: str) -> None:
        start.wait()
        try:
            got[m] = O.place_order(db, member_id=m, gift_id=shop.gift, qty=1, mode="delivery", address=ADDRESS,
                                   idempotency_key="form", now=now())
        except HQProblem as err:
            got[m] = err

    threads = [threading.Thread(target=order, args=(m,)) for m in members]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    placed = [m for m, v in got.items() if isinstance(v, O.Order)]
    refused = [v for v in got.values() if isinstance(v, HQProblem)]
    assert len(placed) == 5 and len(refused) == 15
    assert {(e.status, e.code) for e in refused} == {(409, "gift.out_of_stock")}
    assert shop.counts() == {"hq": 0}
    assert sorted(balance(view, L.member_account(m)) for m in members) == [400] * 5 + [500] * 15
    # one member's form submitted five times at once
    keyed = shop.member(500)
    shop2 = Shop(hq, db, f"{store_id}-2", stock_here=0, stock_hq=5)
    answers: list = []
    start2 = threading.Barrier(5)

    def submit() -> None:
        start2.wait()
        answers.append(O.place_order(db, member_id=keyed, gift_id=shop2.gift, qty=1, mode="delivery",
                                     address=ADDRESS, idempotency_key="same-form", now=now()).order_id)

    threads = [threading.Thread(target=submit) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(answers) == 5 and len(set(answers)) == 1
    assert shop2.counts() == {"hq": 4} and balance(view, L.member_account(keyed)) == 400
    assert view.ledger_problems() == []
