"""HQ checks the programme's records with the tills' own parsers (hq_server.programme.catalogue):
what a till could not use is a 422 naming the field, and stores nothing (no record, no pull item);
a label batch needs a product in the catalogue. Over a real HQ, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.domain.test_record_parsers import BAD, GOOD
from tests.hq.wire_events import FakeDevice

ISSUE_CASES = [  # the records issue 13 found HQ accepting and every till dropping
    ("lottery", {"prizes": [{"prize_id": "P0", "name": "谢谢", "weight": 9, "points": 0}]}, "prizes[0]"),
    ("gift", {"starts_at": "next tuesday"}, "starts_at"),
    ("campaign", {"starts_at": "2027-01-01T00:00:00", "ends_at": "2026-01-01T00:00:00"}, "ends_at"),
    ("coupon_type", {"points_cost": 0}, "points_cost"),
    ("gift", {"colour": "red"}, "colour"),
]


def refused_naming(r, field: str) -> str:
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "invalid_body" and field in body["message"], body
    return body["message"]


@pytest.mark.parametrize("type_, change, field", ISSUE_CASES + BAD, ids=[f"{t}-{f}" for t, _, f in ISSUE_CASES + BAD])
def test_a_record_no_till_could_use_is_a_422_naming_the_field_and_stores_nothing(hq, store_id, type_, change,
                                                                                   field):
    dev = FakeDevice(hq, store_id)
    _, cursor = dev.pull_all()
    key = f"K-{store_id}"
    refused_naming(hq.admin("PUT", f"/catalog/{type_}/{key}", json={**GOOD[type_], **change}), field)
    assert key not in [i["key"] for i in hq.admin("GET", f"/catalog/{type_}").json()]
    items, _ = dev.pull_all(cursor)
    assert not [i for i in items if i["key"] == key]


@pytest.mark.parametrize("type_", sorted(GOOD))
def test_a_good_record_is_kept_and_sent_to_every_store(hq, store_id, type_):
    dev = FakeDevice(hq, store_id)
    _, cursor = dev.pull_all()
    key = f"K-{store_id}"
    r = hq.admin("PUT", f"/catalog/{type_}/{key}", json=GOOD[type_])
    assert r.status_code == 200, r.text
    assert r.json()["data"] == GOOD[type_]
    items, _ = dev.pull_all(cursor)
    assert [i["data"] for i in items if i["key"] == key] == [{"key": key, **GOOD[type_]}]
    refused_naming(hq.admin("PUT", f"/catalog/{type_}/{key}", json={**GOOD[type_], "key": "other"}), "key")


def test_a_label_batch_for_a_sku_not_in_the_catalogue_is_refused(hq, store_id):
    hq.label_batch()  # a signing key (and the helper's product)
    sku = f"NOPE-{store_id}"
    before = hq.admin("GET", "/label-batches").json()
    r = hq.admin("POST", "/label-batches", json={"sku": sku, "name": "无", "count": 2, "prizes": "8"})
    assert r.status_code == 422 and r.json()["code"] == "invalid_batch", r.text
    assert r.json()["message"].startswith("sku:") and sku in r.json()["message"]
    assert hq.admin("GET", "/label-batches").json() == before
    hq.ensure_product(sku)
    assert hq.admin("POST", "/label-batches", json={"sku": sku, "name": "有", "count": 2,
                                                    "prizes": "8"}).status_code == 201
