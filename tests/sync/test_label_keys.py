"""HQ holds the label key and signs label batches; stores get only public keys, by pull.

A batch made at HQ earns at a store once the store has pulled the key; a label signed
by a key HQ never made is refused as forged; after HQ retires the key and the store
pulls, the batch's other labels are refused. A member's phone key set at HQ makes the
member's dynamic codes verify at the store. Bad admin input is a 4xx and stores nothing.
Real HQ process, on SQLite and PostgreSQL (the hq fixture).
"""

from __future__ import annotations

import json

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pos_app.domain.codes import key_id_for
from pos_app.domain.ids import new_id
from pos_app.domain.problems import Refused
from pos_app.scanner import formats as F
from pos_app.scanner.labels import load_batch
from pos_app.services.demo import CASHIER_ID
from pos_app.services.members import member_statement
from pos_app.services.scan import ScannedLabel, ScannedMember, earn_label, resolve_scan
from pos_app.store import repos
from pos_app.sync import state
from pos_app.sync.cycle import client_for, sync_once
from tests.sync.conftest import member_ids


def refused(expected: str, fn, *args, **kw) -> None:
    with pytest.raises(Refused) as err:
        fn(*args, **kw)
    assert expected in err.value.codes, err.value.codes


def new_key(hq) -> dict:
    r = hq.admin("POST", "/label-keys")
    assert r.status_code == 201, r.text
    return r.json()


def retire_all(hq) -> None:
    for k in hq.admin("GET", "/label-keys").json():
        if k["active"]:
            assert hq.admin("POST", f"/label-keys/{k['key_id']}/retire").status_code == 200


def synced(ctx) -> None:
    report = sync_once(ctx.db)
    assert not report.pulled.problems, report.pulled.problems


def test_a_batch_signed_at_hq_earns_at_the_store_until_its_key_is_retired(hq, make_store, tmp_path):
    ctx = make_store("a")
    synced(ctx)
    key = new_key(hq)
    assert key["active"] and key["signing"] and len(key["public_key"]) == 64
    assert "private_key" not in key
    listed = {k["key_id"]: k for k in hq.admin("GET", "/label-keys").json()}
    assert listed[key["key_id"]]["signing"] and all("private_key" not in k for k in listed.values())

    hq.ensure_product("TEA-OOLONG")
    r = hq.admin("POST", "/label-batches", json={"sku": "TEA-OOLONG", "name": "铁观音乌龙茶 250g", "count": 6,
                                                  "prizes": "8:1,68:2"})
    assert r.status_code == 201, r.text
    batch = r.json()
    assert batch["key_id"] == key["key_id"] and batch["public_key"] == key["public_key"]
    assert batch["allocation"] == {"8": 2, "68": 4} and batch["total_points"] == 2 * 8 + 4 * 68
    assert [lb["serial"] for lb in batch["labels"]] == [f"{batch['batch']}-{n:06d}" for n in range(1, 7)]
    # downloaded again: the same file (signatures are deterministic), and it loads as a batch file
    again = hq.admin("GET", f"/label-batches/{batch['batch']}")
    assert again.json() == batch
    assert f"batch-{batch['batch']}.json" in again.headers["content-disposition"]
    assert batch["batch"] in [b["batch"] for b in hq.admin("GET", "/label-batches").json()]
    path = tmp_path / f"batch-{batch['batch']}.json"
    path.write_text(json.dumps(batch, ensure_ascii=False), encoding="utf-8")
    loaded = load_batch(path)
    assert [(lb.serial, lb.points, lb.payload) for lb in loaded.labels] == \
        [(lb["serial"], lb["points"], lb["payload"]) for lb in batch["labels"]]

    first, second = batch["labels"][0], batch["labels"][1]
    refused("scan.forged", resolve_scan, ctx, first["payload"])  # not pulled yet: the store knows no such key
    synced(ctx)
    with ctx.db.read() as conn:
        assert key["key_id"] in repos.get_meta_json(conn, repos.LABEL_KEYS, {})

    found = resolve_scan(ctx, first["payload"])
    assert isinstance(found, ScannedLabel)
    assert (found.label.serial, found.label.points, found.label.key_id) == (first["serial"], first["points"],
                                                                            key["key_id"])
    member = member_ids(ctx)[0]
    before = member_statement(ctx, member).balance
    earned = earn_label(ctx, staff_id=CASHIER_ID, member_id=member, code=found.payload)
    assert earned.balance_after == before + first["points"]
    assert member_statement(ctx, member).balance == before + first["points"]

    mint = Ed25519PrivateKey.generate()  # anyone without HQ's key
    forged = F.label_payload("TEA-OOLONG", second["serial"], 68, mint)
    refused("scan.forged", resolve_scan, ctx, forged)
    refused("scan.forged", earn_label, ctx, staff_id=CASHIER_ID, member_id=member, code=forged)

    r = hq.admin("POST", f"/label-keys/{key['key_id']}/retire")
    assert r.status_code == 200 and r.json()["active"] is False and r.json()["signing"] is False
    assert hq.admin("POST", f"/label-keys/{key['key_id']}/retire").status_code == 409
    assert resolve_scan(ctx, second["payload"]).label.serial == second["serial"]  # until the store pulls
    synced(ctx)
    refused("scan.forged", resolve_scan, ctx, second["payload"])
    refused("scan.forged", earn_label, ctx, staff_id=CASHIER_ID, member_id=member, code=second["payload"])
    assert member_statement(ctx, member).balance == before + first["points"]  # the earned label stands
    synced(ctx)  # pulling again changes nothing
    with ctx.db.read() as conn:
        assert key["key_id"] not in repos.get_meta_json(conn, repos.LABEL_KEYS, {})

    # a store enrolled later learns the key and its retirement in order: the label is refused there too
    late = make_store("late", demo=False)
    synced(late)
    refused("scan.forged", resolve_scan, late, batch["labels"][2]["payload"])


def test_a_new_key_signs_new_batches_and_older_active_keys_still_verify(hq, make_store):
    ctx = make_store("a", demo=False)
    old, new = new_key(hq), new_key(hq)
    keys = {k["key_id"]: k for k in hq.admin("GET", "/label-keys").json()}
    assert keys[new["key_id"]]["signing"] and not keys[old["key_id"]]["signing"] and keys[old["key_id"]]["active"]
    hq.ensure_product("MUG", "Mug")
    batch = hq.admin("POST", "/label-batches", json={"sku": "MUG", "name": "Mug", "count": 1, "prizes": "20"}).json()
    assert batch["key_id"] == new["key_id"]
    synced(ctx)
    with ctx.db.read() as conn:
        trusted = repos.get_meta_json(conn, repos.LABEL_KEYS, {})
    assert {old["key_id"], new["key_id"]} <= trusted.keys()
    assert resolve_scan(ctx, batch["labels"][0]["payload"]).label.points == 20
    retire_all(hq)
    assert hq.admin("POST", "/label-batches", json={"sku": "MUG", "name": "Mug", "count": 1,
                                                    "prizes": "20"}).status_code == 409
    synced(ctx)
    refused("scan.forged", resolve_scan, ctx, batch["labels"][0]["payload"])


def test_a_member_key_set_at_hq_lets_the_members_dynamic_code_verify_at_the_store(hq, make_store):
    ctx = make_store("a")
    synced(ctx)  # HQ learns the store's members
    member = member_ids(ctx)[0]
    phone = Ed25519PrivateKey.generate()
    code = F.dynamic_member_payload(member, phone, ctx.now())
    refused("scan.forged", resolve_scan, ctx, code)  # refused before the claim: nothing recorded

    r = hq.admin("PUT", f"/members/{member}/key", json={"public_key": F.public_bytes(phone).hex()})
    assert r.status_code == 200, r.text
    assert r.json() == {"member_id": member, "key_id": key_id_for(F.public_bytes(phone)),
                        "public_key": F.public_bytes(phone).hex()}
    synced(ctx)
    found = resolve_scan(ctx, F.dynamic_member_payload(member, phone, ctx.now()))
    assert isinstance(found, ScannedMember) and found.member.member_id == member and found.member_code_ok

    # a new phone replaces the old one: the lost phone's codes stop verifying
    lost, phone2 = phone, Ed25519PrivateKey.generate()
    assert hq.admin("PUT", f"/members/{member}/key",
                    json={"public_key": F.public_bytes(phone2).hex()}).status_code == 200
    synced(ctx)
    refused("scan.forged", resolve_scan, ctx, F.dynamic_member_payload(member, lost, ctx.now()))


BAD_BATCHES = [
    {"sku": "TEA OOLONG", "name": "Tea", "count": 3, "prizes": "8"},  # space in the sku
    {"sku": "TEA", "name": "   ", "count": 3, "prizes": "8"},
    {"sku": "TEA", "name": "x" * 41, "count": 3, "prizes": "8"},
    {"sku": "TEA", "name": "Tea", "count": 0, "prizes": "8"},
    {"sku": "TEA", "name": "Tea", "count": 100_001, "prizes": "8"},
    {"sku": "TEA", "name": "Tea", "count": "3", "prizes": "8"},
    {"sku": "TEA", "name": "Tea", "count": True, "prizes": "8"},
    {"sku": "TEA", "name": "Tea", "count": 3, "prizes": "8:x"},
    {"sku": "TEA", "name": "Tea", "count": 3, "prizes": "0"},
    {"sku": "TEA", "name": "Tea", "count": 3, "prizes": 8},
    {"sku": "TEA", "name": "Tea", "count": 3},
    {"sku": "TEA", "name": "Tea", "count": 3, "prizes": "8", "key_id": "deadbeef"},  # unknown field
    {"sku": "T" * 33, "name": "Tea", "count": 3, "prizes": "8"},
]


def test_bad_admin_input_is_refused_and_stores_nothing(hq, make_store):
    ctx = make_store("a", demo=False)
    new_key(hq)  # a signing key, so a refusal is about the input
    synced(ctx)
    with ctx.db.read() as conn:
        cursor = state.cursor(conn)
    keys_before = hq.admin("GET", "/label-keys").json()
    batches_before = hq.admin("GET", "/label-batches").json()

    for body in BAD_BATCHES:
        r = hq.admin("POST", "/label-batches", json=body)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["code"] in ("invalid_body", "invalid_batch") and r.json()["message"]
    assert httpx.post(hq.url + "/api/v1/admin/label-batches", content=b"{not json",
                      headers={**hq.admin_headers(), "Content-Type": "application/json"}).status_code == 422
    assert hq.admin("GET", "/label-batches/lower123").status_code == 422
    assert hq.admin("GET", "/label-batches/AAAAAAAA").status_code == 404
    assert hq.admin("POST", "/label-keys/not-a-key/retire").status_code == 422
    assert hq.admin("POST", "/label-keys/00000000/retire").status_code == 404

    member = new_id()  # no such member (an id of the right form: a malformed one is a 422, below)
    good_key = F.public_bytes(Ed25519PrivateKey.generate()).hex()
    assert hq.admin("PUT", f"/members/{member}/key", json={"public_key": good_key}).status_code == 404
    for body in ({"public_key": "zz" * 32}, {"public_key": good_key[:-2]}, {"public_key": 5}, {},
                 {"public_key": good_key, "extra": 1}):
        assert hq.admin("PUT", f"/members/{member}/key", json=body).status_code == 422, body
    assert hq.admin("PUT", f"/members/{'x' * 37}/key", json={"public_key": good_key}).status_code == 422
    assert hq.admin("PUT", "/members/no-such-member/key", json={"public_key": good_key}).status_code == 422

    for method, path, body in (("POST", "/label-keys", None), ("GET", "/label-keys", None),
                               ("POST", "/label-batches", {"sku": "TEA", "name": "Tea", "count": 1, "prizes": "8"}),
                               ("GET", "/label-batches", None), ("POST", "/label-keys/00000000/retire", None),
                               ("PUT", f"/members/{member}/key", {"public_key": good_key})):
        r = httpx.request(method, hq.url + "/api/v1/admin" + path, json=body,
                          headers={"Authorization": "Bearer wrong"})
        assert r.status_code == 401, (method, path, r.text)
        assert httpx.request(method, hq.url + "/api/v1/admin" + path, json=body).status_code == 401

    assert hq.admin("GET", "/label-keys").json() == keys_before
    assert hq.admin("GET", "/label-batches").json() == batches_before
    page = client_for(ctx.db).pull(cursor)
    assert page.items == [] and page.cursor == cursor  # no pull item either


def test_the_label_endpoints_are_in_the_openapi_document(hq, request):
    if request.node.callspec.params.get("hq") == "postgresql":
        pytest.skip("does not depend on HQ's database")
    paths = httpx.get(hq.url + "/openapi.json").json()["paths"]
    assert {"post", "get"} <= paths["/api/v1/admin/label-keys"].keys()
    assert "post" in paths["/api/v1/admin/label-keys/{key_id}/retire"]
    assert {"post", "get"} <= paths["/api/v1/admin/label-batches"].keys()
    assert "get" in paths["/api/v1/admin/label-batches/{batch}"]
    assert "put" in paths["/api/v1/admin/members/{member_id}/key"]
