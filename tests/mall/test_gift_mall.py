"""The gift mall through the HTTP client against a real `hq-server serve` (SQLite and PostgreSQL): the
shelf by category and search, a gift's page, exchange orders for pickup (its code as QR) and delivery
(an address of the member's book), a double tap that orders once, cancelling with the points back, and
every refusal: a page that says why and changes nothing."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest

from hq_server.programme import stock
from hq_server.programme.audit import Actor
from hq_server.roles import StaffRole
from tests.hq.wire_events import now
from tests.mall.test_campaigns import flash_or_error, give_points, member_of, points
from tests.mall.test_mall_http import form_token, signed_in

OPERATOR = Actor("op-mall", StaffRole.OPERATOR)


def make_gift(hq, db, *, stores: dict[str, int] | None = None, warehouse: int = 0, points_cost: int = 100,
              **record) -> str:
    gift_id = f"G-{uuid.uuid4().hex[:8]}"
    r = hq.admin("PUT", f"/catalog/gift/{gift_id}", json={"name": record.pop("name", "保温杯"),
                                                         "points_cost": points_cost, **record})
    assert r.status_code == 200, r.text
    for location, qty in {**(stores or {}), **({"hq": warehouse} if warehouse else {})}.items():
        stock.allot_stock(db, OPERATOR, gift_id=gift_id, location=location, qty=qty, now=now())
    return gift_id


def counts(db, gift_id: str) -> dict[str, int]:
    return {s.location: s.qty for s in stock.stock_by_location(db, gift_id=gift_id)}


def order_form(c, gift_id: str) -> dict:
    html = c.get(f"/m/gift/{gift_id}").text
    return {"csrf": form_token(html), "key": re.search(r'name="key" value="([^"]+)"', html).group(1)}


def error_of(html: str) -> str:
    found = re.search(r'id="(?:order|address|coupon|withdraw)-error"[^>]*>([^<]+)<', html)
    return found.group(1) if found else flash_or_error(html)


@pytest.fixture
def member(hq, db, phone, store_id):
    """A signed-in member with 1,000 points earned at a till of `store_id` (the store exists at HQ)."""
    c, token = signed_in(hq, db, phone)
    member_id = member_of(db, phone)
    give_points(hq, store_id, member_id, 1000)
    return c, token, member_id


def test_the_shelf_by_category_and_search_and_a_gift_page(hq, db, store_id, member):
    c, _token, _m = member
    tag = uuid.uuid4().hex[:6]
    cup = make_gift(hq, db, stores={store_id: 3}, name=f"保温杯{tag}", category=f"杯具{tag}",
                    image="/m/pictures/GIFT-CUP.png", description="316 不锈钢，保温 12 小时。", per_member_limit=2)
    tea = make_gift(hq, db, warehouse=5, name=f"铁观音{tag}", category=f"茶叶{tag}", points_cost=300,
                    ends_at=(now() + timedelta(days=2, hours=3)).isoformat(), copay_fen=990)
    gold = make_gift(hq, db, warehouse=1, name=f"紫砂壶{tag}", min_tier="gold", points_cost=900)
    gone = make_gift(hq, db, warehouse=1, name=f"旧礼品{tag}", ends_at=(now() - timedelta(hours=1)).isoformat(),
                     starts_at=(now() - timedelta(days=3)).isoformat())
    shelf = c.get("/m/mall", params={"q": tag}).text
    assert all(f"/m/gift/{g}" in shelf for g in (cup, tea, gold)) and f"/m/gift/{gone}" not in shelf
    assert shelf.index(f"/m/gift/{tea}") < shelf.index(f"/m/gift/{cup}")  # limited-time first
    assert "限时兑" in shelf and "等级专享" in shelf and "countdown-to" in shelf and "+ ¥9.90" in shelf
    assert f"杯具{tag}" in shelf and f"茶叶{tag}" in shelf  # the categories
    by_cat = c.get("/m/mall", params={"category": f"茶叶{tag}"}).text
    assert f"/m/gift/{tea}" in by_cat and f"/m/gift/{cup}" not in by_cat
    searched = c.get("/m/mall", params={"q": f"铁观音{tag}"}).text
    assert f"/m/gift/{tea}" in searched and f"/m/gift/{cup}" not in searched
    assert "没有符合条件的礼品" in c.get("/m/mall", params={"q": f"无此{tag}"}).text
    page = c.get(f"/m/gift/{cup}").text
    assert "316 不锈钢" in page and "库存 3" in page and "每人限兑 2 件（已兑 0 件）" in page
    assert 'src="/m/pictures/GIFT-CUP.png"' in page and 'name="store_id"' in page
    picture = c.get("/m/pictures/GIFT-CUP.png")
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/png"
    assert c.get("/m/pictures/..%2Fsecret.png").status_code == 404
    tea_page = c.get(f"/m/gift/{tea}").text
    assert "限时兑换" in tea_page and "2天" in tea_page and "自提或收货时支付" in tea_page
    gold_page = c.get(f"/m/gift/{gold}").text
    assert "此礼品仅限更高等级会员兑换" in gold_page
    assert c.get("/m/gift/NO-SUCH").status_code == 404


def test_a_pickup_order_double_tap_is_one_order_with_a_pickup_qr(hq, db, store_id, member):
    c, _token, member_id = member
    gift = make_gift(hq, db, stores={store_id: 2}, points_cost=150)
    form = {**order_form(c, gift), "qty": "1", "mode": "pickup", "store_id": store_id}
    first = c.post(f"/m/gift/{gift}/order", data=form)
    second = c.post(f"/m/gift/{gift}/order", data=form)  # the double tap
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert points(db, member_id) == 850 and counts(db, gift)[store_id] == 1
    page = c.get(first.headers["location"]).text
    assert "兑换成功：已扣 150 积分" in page and "待自提" in page
    code = re.search(r'id="pickup-qr" data-code="([^"]+)"', page).group(1)
    assert code.startswith("PM1:P:") and "<svg" in page
    listed = c.get("/m/orders").text
    assert "保温杯 × 1" in listed and "待自提" in listed and "/m/orders/" in listed
    assert "保温杯" in c.get("/m/orders", params={"status": "open"}).text
    assert "还没有订单" in c.get("/m/orders", params={"status": "closed"}).text


def test_cancelling_before_collection_gives_the_points_back(hq, db, store_id, member):
    c, token, member_id = member
    gift = make_gift(hq, db, stores={store_id: 1}, points_cost=200)
    r = c.post(f"/m/gift/{gift}/order", data={**order_form(c, gift), "qty": "1", "mode": "pickup",
                                             "store_id": store_id})
    order_path = r.headers["location"].split("?")[0]
    assert points(db, member_id) == 800 and counts(db, gift)[store_id] == 0
    r = c.post(order_path + "/cancel", data={"csrf": token})
    assert r.status_code == 303
    page = c.get(order_path).text
    assert "订单已取消：200 积分已退回您的账户" in page and "已取消" in page and "pickup-qr" not in page
    assert points(db, member_id) == 1000 and counts(db, gift)[store_id] == 1
    again = c.post(order_path + "/cancel", data={"csrf": token})
    assert again.status_code == 409 and "不能再取消" in again.text
    assert points(db, member_id) == 1000
    assert c.post(order_path + "/cancel", data={}).status_code == 403  # no form token


def test_order_refusals_say_why_and_change_nothing(hq, db, store_id, member, phone):
    c, _token, member_id = member
    cup = make_gift(hq, db, stores={store_id: 2}, warehouse=1, points_cost=300, per_member_limit=3)
    dear = make_gift(hq, db, stores={store_id: 5}, points_cost=2000)
    gold = make_gift(hq, db, stores={store_id: 5}, points_cost=10, min_tier="gold")
    soon = make_gift(hq, db, stores={store_id: 5}, points_cost=10, starts_at=(now() + timedelta(days=1)).isoformat())
    other = f"s-{uuid.uuid4().hex[:8]}"
    cases = [
        (dear, {"qty": "1", "mode": "pickup", "store_id": store_id}, 409, "可用积分不足"),
        (cup, {"qty": "3", "mode": "pickup", "store_id": store_id}, 409, "所选处库存不足"),
        (gold, {"qty": "1", "mode": "pickup", "store_id": store_id}, 409, "仅限更高等级会员"),
        (soon, {"qty": "1", "mode": "pickup", "store_id": store_id}, 409, "兑换尚未开始"),
        (cup, {"qty": "0", "mode": "pickup", "store_id": store_id}, 422, "请选择数量，1 至 20"),
        (cup, {"qty": "abc", "mode": "pickup", "store_id": store_id}, 422, "请选择数量，1 至 20"),
        (cup, {"qty": "1", "mode": "pickup", "store_id": ""}, 422, "请选择自提门店"),
        (cup, {"qty": "1", "mode": "pickup", "store_id": other}, 422, "请选择自提门店"),
        (cup, {"qty": "1", "mode": "teleport"}, 422, "请选择门店自提或快递配送"),
        (cup, {"qty": "1", "mode": "delivery", "address_id": ""}, 422, "请选择收货地址"),
    ]
    for gift, form, status, words in cases:
        r = c.post(f"/m/gift/{gift}/order", data={**order_form(c, gift), **form})
        assert r.status_code == status and words in error_of(r.text), (form, r.status_code, error_of(r.text))
    # an address of another member's book is not theirs to use
    c2, token2 = signed_in(hq, db, "13" + phone[2:][::-1])
    c2.post("/m/addresses", data={"csrf": token2, "name": "王五", "phone": "13900001111", "address": "北京市朝阳区建国路 1 号"})
    theirs = re.search(r'/m/addresses/([0-9a-f-]{36})"', c2.get("/m/addresses").text).group(1)
    r = c.post(f"/m/gift/{cup}/order", data={**order_form(c, cup), "qty": "1", "mode": "delivery",
                                            "address_id": theirs})
    assert r.status_code == 404
    # a limit per member: 2 taken, a third over it
    assert c.post(f"/m/gift/{cup}/order", data={**order_form(c, cup), "qty": "2", "mode": "pickup",
                                               "store_id": store_id}).status_code == 303
    give_points(hq, store_id, member_id, 1000)
    r = c.post(f"/m/gift/{cup}/order", data={**order_form(c, cup), "qty": "2", "mode": "delivery"})
    assert r.status_code in (409, 422)
    # the same key for another gift is refused, not a second order
    key = order_form(c, cup)
    assert c.post(f"/m/gift/{cup}/order", data={**key, "qty": "1", "mode": "pickup", "store_id": store_id}
                  ).status_code == 409  # sold out at the store now (2 taken)
    assert points(db, member_id) == 2000 - 600 and counts(db, cup) == {"hq": 1, store_id: 0}
    assert c.post(f"/m/gift/{cup}/order", data={"qty": "1", "mode": "pickup", "store_id": store_id,
                                                "key": "k"}).status_code == 403  # no form token
    # another member's order is not found
    mine = c.get("/m/orders").text
    path = re.search(r'href="(/m/orders/[0-9a-f-]{36})"', mine).group(1)
    assert c2.get(path).status_code == 404 and c2.post(path + "/cancel", data={"csrf": token2}).status_code == 404


def test_the_address_book_and_a_delivery_order(hq, db, store_id, member):
    c, token, member_id = member
    assert "还没有收货地址" in c.get("/m/addresses").text
    bad = [({"name": "", "phone": "13912345678", "address": "上海市徐汇区漕溪北路 88 号"}, "姓名"),
           ({"name": "李娜", "phone": "12345", "address": "上海市徐汇区漕溪北路 88 号"}, "手机号"),
           ({"name": "李娜", "phone": "13912345678", "address": "短"}, "")]
    for form, _ in bad:
        r = c.post("/m/addresses", data={"csrf": token, **form})
        assert r.status_code == 422 and 'id="address-error"' in r.text, form
    assert "还没有收货地址" in c.get("/m/addresses").text
    gift = make_gift(hq, db, warehouse=2, points_cost=120)
    r = c.post("/m/addresses", data={"csrf": token, "name": "李娜", "phone": "139 1234 5678",
                                     "address": "上海市徐汇区  漕溪北路 88 号", "next": f"/m/gift/{gift}"})
    assert r.status_code == 303 and r.headers["location"] == f"/m/gift/{gift}"
    r = c.post("/m/addresses", data={"csrf": token, "name": "张伟", "phone": "13800001111",
                                     "address": "杭州市西湖区文三路 1 号", "next": "https://evil.example/"})
    assert r.headers["location"] == "/m/addresses"
    book = c.get("/m/addresses").text
    assert "李娜 13912345678" in book and "漕溪北路 88 号" in book and book.count("默认") == 1
    ids = re.findall(r'/m/addresses/([0-9a-f-]{36})"', book)
    assert len(ids) == 2
    zhang = [i for i in ids if f'/m/addresses/{i}"' in book.split("张伟")[1][:400]] or ids[1:]
    r = c.post(f"/m/addresses/{zhang[0]}", data={"csrf": token, "name": "张伟", "phone": "13800001111",
                                                "address": "杭州市西湖区文三路 2 号", "default": "1"})
    assert r.status_code == 303
    book = c.get("/m/addresses").text
    assert "文三路 2 号" in book and book.index("张伟") < book.index("李娜")  # the default first
    page = c.get(f"/m/gift/{gift}").text
    assert "张伟 13800001111" in page
    r = c.post(f"/m/gift/{gift}/order", data={**order_form(c, gift), "qty": "1", "mode": "delivery",
                                             "address_id": zhang[0]})
    assert r.status_code == 303
    order = c.get(r.headers["location"]).text
    assert "待发货" in order and "文三路 2 号" in order and "pickup-qr" not in order
    assert points(db, member_id) == 880 and counts(db, gift)["hq"] == 1
    # the order keeps its address when the book changes
    assert c.post(f"/m/addresses/{zhang[0]}/delete", data={"csrf": token}).status_code == 303
    assert "文三路 2 号" in c.get(r.headers["location"]).text
    book = c.get("/m/addresses").text
    assert "张伟" not in book and "默认" in book  # the other became the default
    assert c.get(f"/m/addresses/{zhang[0]}").status_code == 404
    assert c.post(f"/m/addresses/{zhang[0]}/delete", data={"csrf": token}).status_code == 404


def test_the_shelf_is_paged_and_speaks_english(hq, db, member):
    c, _token, _m = member
    tag = uuid.uuid4().hex[:6]
    for i in range(23):
        make_gift(hq, db, name=f"Mug {tag} {i:02d}", points_cost=100 + i, category=f"Cups {tag}")
    later = make_gift(hq, db, name=f"Mug {tag} later", starts_at=(now() + timedelta(days=3)).isoformat())
    first = c.get("/m/mall", params={"q": tag}).text
    assert first.count('class="gift-tile"') == 20 and "1 / 2" in first and "page=2" in first
    assert f"/m/gift/{later}" in first  # soon on offer: listed already (100 points: first), with its start
    second = c.get("/m/mall", params={"q": tag, "page": "2"}).text
    assert second.count('class="gift-tile"') == 4 and "2 / 2" in second
    assert c.get("/m/mall", params={"q": tag, "page": "x"}).status_code == 200  # a bad page is the first
    en, _ = signed_in(hq, db, "15" + str(uuid.uuid4().int % 10**9).zfill(9), lang="en")
    html = en.get("/m/mall", params={"q": tag}).text
    assert "Gift mall" in html and "Sold out" in html and "Search gifts" in html
    page = en.get(f"/m/gift/{later}").text
    assert "Exchange opens" in page and "This exchange has not started yet." in page
    assert "Exchange for 100 points" in page and 'id="exchange" disabled' in page
    assert "No orders yet." in en.get("/m/orders").text and "No coupons to use." in en.get("/m/coupons").text


def test_why_a_gift_cannot_be_had_reads_as_one_text_in_each_language(hq, db, store_id, member):
    """Two reasons at once (a higher tier and too few points): Chinese sentences run on without a space
    between them, English ones are spaced."""
    c, _token, _m = member
    gold = make_gift(hq, db, stores={store_id: 5}, points_cost=5000, min_tier="gold")
    why = re.search(r'id="why-not">([^<]*)<', c.get(f"/m/gift/{gold}").text).group(1)
    assert why == "此礼品仅限更高等级会员兑换。您的积分暂时不够。", why
    en, _ = signed_in(hq, db, "15" + str(uuid.uuid4().int % 10**9).zfill(9), lang="en")
    why = re.search(r'id="why-not">([^<]*)<', en.get(f"/m/gift/{gold}").text).group(1)
    assert why == "This gift is for a higher tier. You do not have enough points for this yet.", why
