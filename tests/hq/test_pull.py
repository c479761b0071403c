"""Pull by cursor: each store gets its own items and the chain's, in hq_seq order, once."""

from __future__ import annotations

from pos_app.domain.ids import new_id
from tests.hq.wire_events import FakeDevice


def test_the_cursor_pages_through_items_once_in_order(hq, store_id):
    dev = FakeDevice(hq, store_id)
    _, start = dev.pull_all()
    for i in range(7):
        assert hq.admin("PUT", f"/catalog/product/SKU-{store_id}-{i}",
                        json={"name": f"Tea {i}", "category": "tea", "price_fen": 1000 + i}).status_code == 200
    seen, cursor = [], start
    while True:
        doc = dev.client.get("/api/v1/sync/pull", params={"after": cursor, "limit": 3}).json()
        assert len(doc["items"]) <= 3
        seen += doc["items"]
        assert doc["cursor"] >= cursor
        cursor = doc["cursor"]
        if not doc["more"]:
            break
    mine = [i for i in seen if i["type"] == "product" and i["key"].startswith(f"SKU-{store_id}-")]
    assert [i["key"] for i in mine] == [f"SKU-{store_id}-{i}" for i in range(7)]
    seqs = [i["hq_seq"] for i in seen]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    # nothing new: the same cursor comes back with no items
    doc = dev.client.get("/api/v1/sync/pull", params={"after": cursor}).json()
    assert doc["items"] == [] and doc["cursor"] == cursor and doc["more"] is False


def test_store_items_stay_with_their_store(hq, store_id):
    a, b = FakeDevice(hq, store_id), FakeDevice(hq, store_id + "-b")
    _, ca = a.pull_all()
    _, cb = b.pull_all()
    assert hq.admin("PUT", f"/stores/{store_id}/offline-limits",
                    json={"max_offline_hours": 24, "member_redeem_points": 1000,
                          "store_redeem_budget": 9000}).status_code == 200
    r = hq.admin("PUT", f"/stores/{store_id}/staff/st-{store_id}", json={"name": "王芳", "role": "cashier",
                                                                         "pin": "1111"})
    assert r.status_code == 200, r.text
    items_a, _ = a.pull_all(ca)
    items_b, _ = b.pull_all(cb)
    assert {"offline_limits", "staff"} <= {i["type"] for i in items_a}
    assert not [i for i in items_b if i["type"] in ("offline_limits", "staff") and store_id in i["key"]]
    staff = next(i for i in items_a if i["type"] == "staff")["data"]
    assert staff["pin_hash"] and "1111" not in staff["pin_hash"]
    assert a.handshake().json()["offline_limits"]["max_offline_hours"] == 24


def test_a_looked_up_member_follows_the_store(hq, store_id):
    a, b = FakeDevice(hq, store_id), FakeDevice(hq, store_id + "-b")
    m = new_id()
    phone = "186" + str(int(store_id[2:], 16) % 10**8).zfill(8)
    earn = a.earn(m, 60)
    a.push([a.register(m, phone), earn])
    miss = b.client.get("/api/v1/members/lookup", params={"q": "13012345678"})
    assert miss.status_code == 404 and miss.json()["code"] == "member_unknown"
    _, cursor = b.pull_all()
    found = b.client.get("/api/v1/members/lookup", params={"q": phone}).json()
    assert found["member"]["member_id"] == m
    assert found["balances"][f"member:{m}:consumer"] == 60
    assert found["lots"][0][:3] == [FakeDevice.lot_of(earn), f"member:{m}:consumer", 60]
    # from now on b hears of a's events for the member, and a never hears of its own
    spend = a.spend(m, 25, [(FakeDevice.lot_of(earn), 60)])
    a.push([spend])
    items, _ = b.pull_all(cursor)
    assert [i["key"] for i in items if i["type"] == "event"] == [spend["event_id"]]
    assert items[-1]["data"]["payload"]["postings"] == spend["payload"]["postings"]
    own, _ = a.pull_all()
    assert not [i for i in own if i["type"] == "event" and i["key"] == spend["event_id"]]
    by_card = b.client.get("/api/v1/members/lookup", params={"q": found["member"]["card_no"]})
    assert by_card.status_code == 200 and by_card.json()["balances"][f"member:{m}:consumer"] == 35
