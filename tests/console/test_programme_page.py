"""The programme in the console: catalogue records (campaigns, coupon types, lotteries, products) made
and changed with forms checked by the tills' own rules, each refusal beside its field; a stale form
(someone saved meanwhile) refused; the till pulls what was saved; rules versions; label batches."""

from __future__ import annotations

import json
import re
import secrets

from tests.console.client import Console, flash_of
from tests.hq.wire_events import FakeDevice


def field_error(page_text: str) -> str:
    return re.search(r'class="field-error" role="alert">([^<]*)<', page_text).group(1)


def test_campaign_made_changed_and_pulled_by_a_till(web_hq, store_id):
    till = FakeDevice(web_hq, store_id)
    _, cursor = till.pull_all()
    key = f"double-{secrets.token_hex(3)}"
    form = {"key": key, "name": "双倍积分周", "starts_at": "2026-12-24 00:00", "ends_at": "2026-12-20 00:00",
            "multiplier_pct": "200", "categories": "tea, 茶点", "skus": ""}
    with Console(web_hq) as admin:
        assert admin.get("/console/programme/campaign/new").status_code == 200
        backwards = admin.post("/console/programme/campaign/save", form)
        assert backwards.status_code == 422 and field_error(backwards.text) == "结束时间必须晚于开始时间"
        assert 'value="2026-12-20 00:00"' in backwards.text  # what was typed stays in the form
        low = admin.post("/console/programme/campaign/save", {**form, "ends_at": "2026-12-31 00:00",
                                                               "multiplier_pct": "50"})
        assert low.status_code == 422 and "须为 100 或以上" in field_error(low.text)
        made = admin.post("/console/programme/campaign/save", {**form, "ends_at": "2026-12-31 00:00"})
        assert made.status_code == 303
        assert flash_of(admin.get(made.headers["location"]))[0].startswith(key)
        edit = admin.get(f"/console/programme/campaign/{key}")
        seq = re.search(r'name="seq" value="(\d+)"', edit.text).group(1)
        assert 'value="2026-12-24 00:00"' in edit.text and 'value="tea, 茶点"' in edit.text
        again = admin.post("/console/programme/campaign/save", {**form, "ends_at": "2026-12-31 00:00"})
        assert again.status_code == 409 and "已存在" in again.text
        changed = admin.post("/console/programme/campaign/save", {**form, "ends_at": "2026-12-31 00:00",
                                                                   "multiplier_pct": "300", "seq": seq})
        assert changed.status_code == 303
        stale = admin.post("/console/programme/campaign/save", {**form, "ends_at": "2026-12-31 00:00",
                                                                 "multiplier_pct": "150", "seq": seq})
        assert stale.status_code == 409 and "在您打开后已被他人修改" in stale.text
        listed = admin.get("/console/programme/campaign", params={"q": key})
        assert key in listed.text and "300" in listed.text
        log = admin.get("/console/audit", params={"target": f"campaign:{key}", "format": "csv"}).content.decode(
            "utf-8-sig")
        assert "catalog.create" in log and "catalog.change" in log
    items, _ = till.pull_all(cursor)
    pulled = [i["data"] for i in items if i["type"] == "campaign" and i["key"] == key]
    assert [d["multiplier_pct"] for d in pulled] == [200, 300]
    assert pulled[0]["starts_at"] == "2026-12-23T16:00:00+00:00" and pulled[0]["categories"] == ["tea", "茶点"]
    till.close()


def test_each_type_refuses_what_a_till_would_refuse_naming_the_field(web_hq):
    with Console(web_hq) as admin:
        cases = [
            ("coupon_type", {"name": "8折", "points_cost": "100", "kind": "percent", "value": "150"}, "value"),
            ("coupon_type", {"name": "免费", "points_cost": "0", "kind": "amount", "value": "500"}, "points_cost"),
            ("product", {"name": "乌龙", "category": "tea", "price_fen": "12.345"}, "price_fen"),
            ("product", {"name": "乌龙", "category": "", "price_fen": "12"}, "category"),
            ("lottery", {"name": "转盘", "points_per_draw": "10", "prizes": "A, 88 points, 5"}, "prizes"),
            ("lottery", {"name": "转盘", "points_per_draw": "10", "prizes": "A, none, 0, 0"}, "prizes"),
            ("gift", {"name": "杯子", "points_cost": "abc"}, "points_cost"),
            ("gift", {"name": "杯子", "points_cost": "100", "starts_at": "next tuesday"}, "starts_at"),
        ]
        for type_, form, field in cases:
            r = admin.post(f"/console/programme/{type_}/save", {"key": f"k-{secrets.token_hex(3)}", **form})
            assert r.status_code == 422, (type_, form)
            named = re.search(r'name="(\w+)"[^>]*>(?:</textarea>|</select>)?<span class="field-error"', r.text) or \
                re.search(r'name="(\w+)"[^<]*</textarea><span class="field-error"', r.text)
            assert named and named.group(1) == field, (type_, form, r.text[-800:])
        ok = admin.post("/console/programme/product/save", {"key": f"TEA-{secrets.token_hex(3)}", "name": "乌龙",
                                                            "category": "tea", "price_fen": "12.50", "active": "1"})
        assert ok.status_code == 303


def test_records_without_optional_fields_list_and_open(web_hq):
    """Records put through the admin API carry only what they need (no `active`, no co-pay): their
    lists and forms still show (a screenshot once showed a 500 here)."""
    key = f"k-{secrets.token_hex(3)}"
    for type_, data in {"product": {"name": "普洱", "category": "tea", "price_fen": 26800},
                        "gift": {"name": "帆布袋", "points_cost": 300},
                        "coupon_type": {"name": "满100减10", "points_cost": 500, "kind": "amount", "value": 1000},
                        "lottery": {"name": "转盘", "points_per_draw": 50,
                                    "prizes": [{"code": "A", "name": "88", "weight": 1, "points": 88}]}}.items():
        assert web_hq.admin("PUT", f"/catalog/{type_}/{key}", json=data).status_code == 200
        with Console(web_hq) as admin:
            listed = admin.get(f"/console/programme/{type_}", params={"q": key})
            assert listed.status_code == 200 and key in listed.text, type_
            form = admin.get(f"/console/programme/{type_}/{key}")
            assert form.status_code == 200, type_
            # no `active` means active to a till: the form must not untick it (a save would retire it)
            assert 'name="active" value="1" checked' in form.text, type_


def test_roles_rules_and_label_batches(web_hq, staff_user):
    with Console(web_hq, *staff_user("customer_service")) as cs:
        assert cs.get("/console/programme/gift").status_code == 200  # read only
        assert "/console/programme/gift/new" not in cs.get("/console/programme/gift").text
        assert cs.post("/console/programme/gift/save", {"key": "g", "name": "x", "points_cost": "5"}).status_code == 403
        assert cs.post("/console/programme/rules", {"doc": "{}"}).status_code == 403
    with Console(web_hq, *staff_user("operator")) as op:
        bad = op.post("/console/programme/rules", {"doc": json.dumps({"base_points": -1}), "effective_at": ""})
        assert bad.status_code == 422 and "field-error" in bad.text
        notjson = op.post("/console/programme/rules", {"doc": "{base", "effective_at": ""})
        assert notjson.status_code == 422 and "规则不是有效的 JSON" in notjson.text
        later = op.post("/console/programme/rules", {"doc": json.dumps({"base_points": 2, "base_per_fen": 100}),
                                                     "effective_at": "2030-01-01 00:00"})
        assert later.status_code == 303
        assert "2030-01-01 00:00" in op.get("/console/programme/rules").text
        page = op.get("/console/programme/labels")
        if "disabled" in page.text:  # no label key yet: the admin makes one through the API
            assert web_hq.admin("POST", "/label-keys").status_code == 201
        bad = op.post("/console/programme/labels", {"sku": "has space", "name": "乌龙", "count": "3", "prizes": "28"})
        assert bad.status_code == 422 and "SKU" in field_error(bad.text)
        made = op.post("/console/programme/labels", {"sku": "TEA", "name": "乌龙", "count": "3", "prizes": "8:1,28:2"})
        assert made.status_code == 303
        batch = re.search(r"标签批次 (\w+) 已生成", flash_of(op.get(made.headers["location"]))[0]).group(1)
        file = op.get(f"/console/programme/labels/{batch}.json").json()
        assert file["batch"] == batch and len(file["labels"]) == 3 and file["total_points"] == 64
