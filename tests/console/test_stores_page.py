"""Stores and tills in the console: create a store (the admin), an enrolment token shown once as a QR
that a till then enrols with, the till's last sync and events at HQ, revoking it (it can no longer
sync); a store manager sees only their own store; refusals named beside the field."""

from __future__ import annotations

import re
import secrets

import httpx

from tests.console.client import Console, flash_of
from tests.hq.server import HQServer


def test_create_store_enrol_a_till_with_the_token_and_revoke_it(web_hq):
    sid = f"s-{secrets.token_hex(5)}"
    with Console(web_hq) as admin:
        bad = admin.post("/console/stores/create", {"store_id": "has space", "name": "x"})
        assert bad.status_code == 422 and "门店编号为 1 到 36 个字母" in bad.text
        made = admin.post("/console/stores/create", {"store_id": sid, "name": "南京西路店"})
        assert made.status_code == 303 and made.headers["location"] == f"/console/stores/{sid}"
        assert flash_of(admin.get(made.headers["location"])) == [f"门店 {sid} 已创建。"]
        again = admin.post("/console/stores/create", {"store_id": sid, "name": "again"})
        assert again.status_code == 409 and f"门店 {sid} 已存在" in again.text
        shown = admin.post(f"/console/stores/{sid}/enrolment-token", {"hours": "2"})
        assert shown.status_code == 200 and "<svg" in shown.text
        token = re.search(r'id="token">([^<]+)<', shown.text).group(1)
        enrolled = httpx.post(web_hq.url + "/api/v1/enrol", json={"token": token, "device_name": "till-A"})
        assert enrolled.status_code == 200, enrolled.text
        device = enrolled.json()
        assert httpx.post(web_hq.url + "/api/v1/enrol", json={"token": token, "device_name": "twice"}).status_code != 200
        page = admin.get(f"/console/stores/{sid}")
        assert "till-A" in page.text and device["device_id"] in page.text
        listed = admin.get("/console/stores", params={"q": sid})
        assert "南京西路店" in listed.text
        revoked = admin.post(f"/console/stores/tills/{device['device_id']}/revoke")
        assert revoked.status_code == 303
        assert "已停用" in admin.get(f"/console/stores/{sid}").text
        assert admin.post(f"/console/stores/tills/{device['device_id']}/revoke").status_code == 409
        hs = httpx.post(web_hq.url + "/api/v1/sync/handshake", headers=HQServer.auth(device),
                        json={"protocol_min": 1, "protocol_max": 1, "device_time": "2026-12-07T00:00:00Z",
                              "acked_count": 0, "acked_hash": "0" * 64})
        assert hs.status_code == 403
        log = admin.get("/console/audit", params={"target": f"store:{sid}"}).text
        assert "store.create" in log and "store.enrolment_token" in log and token not in log


def test_a_store_manager_sees_only_their_store(web_hq, staff_user):
    mine, other = f"s-{secrets.token_hex(5)}", f"s-{secrets.token_hex(5)}"
    web_hq.create_store(mine)
    web_hq.create_store(other)
    name, password = staff_user("store_manager", store_id=mine)
    with Console(web_hq, name, password) as manager:
        listed = manager.get("/console/stores")
        assert mine in listed.text and other not in listed.text
        assert manager.get(f"/console/stores/{mine}").status_code == 200
        assert manager.get(f"/console/stores/{other}").status_code == 403
        assert manager.post(f"/console/stores/{other}/enrolment-token", {"hours": "2"}).status_code == 403
        assert manager.post(f"/console/stores/{mine}/enrolment-token", {"hours": "2"}).status_code == 200
        assert manager.post("/console/stores/create", {"store_id": "s-x", "name": "x"}).status_code == 403
    name, password = staff_user("operator")
    with Console(web_hq, name, password) as op:
        assert op.get(f"/console/stores/{other}").status_code == 200  # operators set stores' offline limits
        assert op.post(f"/console/stores/{other}/enrolment-token", {"hours": "2"}).status_code == 403
    name, password = staff_user("finance")
    with Console(web_hq, name, password) as fin:
        assert fin.get("/console/stores").status_code == 403


def test_offline_limits_of_a_store_reach_its_tills(web_hq, store_id, staff_user):
    from tests.hq.wire_events import FakeDevice
    till = FakeDevice(web_hq, store_id)
    _, cursor = till.pull_all()
    with Console(web_hq, *staff_user("operator")) as op:
        bad = op.post(f"/console/stores/{store_id}/offline-limits", {"max_offline_hours": "forever",
                                                                     "member_redeem_points": "1", "store_redeem_budget": "1"})
        assert bad.status_code == 422 and "max_offline_hours" in bad.text
        too_long = op.post(f"/console/stores/{store_id}/offline-limits", {"max_offline_hours": "100001",
                                                                          "member_redeem_points": "1",
                                                                          "store_redeem_budget": "1"})
        assert too_long.status_code == 422 and "field-error" in too_long.text
        ok = op.post(f"/console/stores/{store_id}/offline-limits", {"max_offline_hours": "24",
                                                                    "member_redeem_points": "2,000",
                                                                    "store_redeem_budget": "50000"})
        assert ok.status_code == 303
    items, _ = till.pull_all(cursor)
    pulled = [i["data"] for i in items if i["type"] == "offline_limits"]
    assert pulled[-1] == {"scope": "store", "max_offline_hours": 24, "member_redeem_points": 2000,
                          "store_redeem_budget": 50000}
    with Console(web_hq, *staff_user("customer_service")) as cs:
        assert cs.post(f"/console/stores/{store_id}/offline-limits", {"max_offline_hours": "1"}).status_code == 403
    till.close()


def test_staff_of_a_store_with_roles_and_pins(web_hq, store_id, staff_user):
    from tests.hq.wire_events import FakeDevice
    other = f"s-{secrets.token_hex(5)}"
    web_hq.create_store(store_id)
    web_hq.create_store(other)
    till = FakeDevice(web_hq, store_id)
    _, cursor = till.pull_all()
    cid = f"c-{secrets.token_hex(3)}"
    with Console(web_hq, *staff_user("store_manager", store_id=store_id)) as manager:
        no_pin = manager.post(f"/console/stores/{store_id}/staff", {"staff_id": cid, "name": "李娜", "role": "cashier",
                                                                    "active": "yes"})
        assert no_pin.status_code == 422 and "新店员需要设置 PIN" in no_pin.text and 'value="李娜"' in no_pin.text
        short = manager.post(f"/console/stores/{store_id}/staff", {"staff_id": cid, "name": "李娜", "role": "cashier",
                                                                   "pin": "12", "active": "yes"})
        assert short.status_code == 422 and "PIN 为 4 到 8 位数字" in short.text
        made = manager.post(f"/console/stores/{store_id}/staff", {"staff_id": cid, "name": "李娜", "role": "cashier",
                                                                  "pin": "4821", "active": "yes"})
        assert made.status_code == 303
        page = manager.get(f"/console/stores/{store_id}")
        assert flash_of(page) == ["李娜 已保存：门店收银机下次同步时生效。"] and cid in page.text and "收银员" in page.text
        form = manager.get(f"/console/stores/{store_id}", params={"staff": cid})
        assert 'name="name" value="李娜"' in form.text
        changed = manager.post(f"/console/stores/{store_id}/staff", {"staff_id": cid, "name": "李娜",
                                                                     "role": "manager", "pin": ""})
        assert changed.status_code == 303
        assert manager.post(f"/console/stores/{other}/staff", {"staff_id": "x-1", "name": "x", "role": "cashier",
                                                               "pin": "1234", "active": "yes"}).status_code == 403
        assert manager.post(f"/console/stores/{store_id}/staff", {"staff_id": cid, "name": "x", "role": "cashier",
                                                                  "pin": "1234"}, csrf="0" * 64).status_code == 403
    with Console(web_hq) as admin:
        elsewhere = admin.post(f"/console/stores/{other}/staff", {"staff_id": cid, "name": "x", "role": "cashier",
                                                                  "pin": "1234", "active": "yes"})
        assert elsewhere.status_code == 409
        log = admin.get("/console/audit", params={"target": f"staff:{cid}"}).text
        assert "staff.create" in log and "staff.change" in log and "4821" not in log
    with Console(web_hq, *staff_user("operator")) as op:
        assert op.post(f"/console/stores/{store_id}/staff", {"staff_id": "y", "name": "y", "role": "cashier",
                                                             "pin": "1234"}).status_code == 403
    rows, _ = till.pull_all(cursor)
    mine = [r for r in rows if r["type"] == "staff" and r["key"] == cid]
    assert mine and mine[-1]["data"]["role"] == "manager" and mine[-1]["data"]["active"] == 0
    till.close()


def test_the_chains_offline_limits(web_hq, store_id, staff_user):
    from tests.hq.wire_events import FakeDevice
    till = FakeDevice(web_hq, store_id)
    _, cursor = till.pull_all()
    with Console(web_hq, *staff_user("operator")) as op:
        page = op.get("/console/stores")
        before = {k: re.search(rf'name="{k}" value="(\d+)"', page.text).group(1)
                  for k in ("max_offline_hours", "member_redeem_points", "store_redeem_budget")}
        bad = op.post("/console/stores/chain-offline-limits", {**before, "member_redeem_points": "lots"})
        assert bad.status_code == 422 and 'value="lots"' in bad.text
        assert "member_redeem_points 须为大于等于 0 的整数" in bad.text.split('id="chain-limits"')[1]
        saved = op.post("/console/stores/chain-offline-limits", {**before, "max_offline_hours": "36"})
        assert saved.status_code == 303
        assert flash_of(op.get("/console/stores")) == ["全连锁离线限额已保存：各收银机下次同步时生效。"]
        rows, _ = till.pull_all(cursor)
        chain = [r for r in rows if r["type"] == "offline_limits" and r["key"] == "chain"]
        assert chain and chain[-1]["data"]["max_offline_hours"] == 36
        assert op.post("/console/stores/chain-offline-limits", before).status_code == 303  # as it was
    with Console(web_hq, *staff_user("store_manager", store_id=store_id)) as manager:
        assert "chain-limits" not in manager.get("/console/stores").text
        assert manager.post("/console/stores/chain-offline-limits", before).status_code == 403
    with Console(web_hq) as admin:
        assert "offline_limits.set" in admin.get("/console/audit", params={"target": "chain"}).text
    till.close()
