"""The pull documents' models (pos_app.sync.wire.DOCUMENTS): a document as HQ writes it reads back as
the very same canonical JSON, so its hash does not change; a document of the wrong shape is refused by
the model on both sides (HQ's FeedWriter, the till's appliers), naming the field."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from hq_server.db import Seq
from hq_server.feed import FeedWriter
from pos_app.domain.codes import key_id_for
from pos_app.domain.ledger import canonical_json, payload_hash
from pos_app.store.db import open_database
from pos_app.sync import catalogue, chain_codes, pull, stock
from pos_app.sync.wire import DOCUMENTS, MemberLookup, PullItem, PullResponse

KEY = bytes(range(32))
KEY_HEX, KEY_ID = KEY.hex(), key_id_for(KEY)

# One document of each type, in the shape HQ's writer of that type builds it (the file named), with the
# text the payload hash covers: unicode, nested objects, extra fields a newer HQ may add.
SAMPLES: dict[str, dict] = {
    "product": {"key": "TEA-1", "name": "乌龙茶", "category": "tea", "price_fen": 900, "barcode": "6901234567892"},
    "gift": {"key": "G-1", "name": "Cup", "points_cost": 500, "stock": 3, "starts_at": "2026-12-01T00:00:00+08:00"},
    "coupon_type": {"key": "C-1", "name": "5 off", "kind": "amount", "value": 500, "points_cost": 100},
    "campaign": {"key": "K-1", "deleted": True},
    "lottery": {"key": "L-1", "name": "Spin", "points_per_draw": 50,
                "prizes": [{"code": "P", "name": "Pen", "weight": 1, "points": 0}]},
    "tier": {"key": "gold", "name": "金卡", "min_spend_fen": 100000, "multiplier_pct": 150},
    "rules": {"version": 7, "doc": {"earn": {"per_yuan": 1}, "tiers": []}, "effective_at": "2026-12-07T10:00:00"},
    "offline_limits": {"scope": "store", "max_offline_hours": 24, "member_redeem_points": 1000,
                       "store_redeem_budget": 20000},
    "staff": {"staff_id": "S-1", "store_id": "S1", "name": "王芳", "role": "cashier", "active": 1,
              "pin_hash": "$argon2id$v=19$m=65536,t=3,p=4$abc$def"},
    "member": {"member_id": "m-1", "phone": "13800138000", "name": "李雷", "tier": "basic", "card_no": "C0001",
               "referral_code": "ABC", "referred_by": None, "home_store": "S1", "pin_hash": None, "risk_flag": None,
               "merged_into": None, "created_at": "2026-12-01T08:00:00", "birthday": "1990-01-01", "hq_seq": 42},
    "label_claim": {"serial": "L0001", "sku": "TEA-1", "points": 20, "member_id": "m-1", "event_id": "e-1",
                    "store_id": "S2"},
    "label_key": {"key_id": KEY_ID, "public_key": KEY_HEX, "active": False, "created_at": "2026-11-01T00:00:00",
                  "retired_at": "2026-12-01T00:00:00"},
    "member_key": {"member_id": "m-1", "key_id": KEY_ID, "public_key": KEY_HEX},
    "device_key": {"key_id": KEY_ID, "store_id": "S2", "public_key": KEY_HEX},
    "code_used": {"code": "C:ABC", "event_id": "e-2", "store_id": "S2", "hq_seq": 77, "freed": True},
    "stock": {"gift_id": "G-1", "location": "S1", "qty": -2, "as_of": 90},
    "event_status": {"event_id": "e-3", "status": "flagged", "reason": "clock skew", "flags": ["skew"]},
    "lots_differ": {"member_id": "m-1", "event_id": "e-4", "hq_seq": 91},
    # as hq_server.ledger.ingest.event_doc_json writes it (test_hq_event_documents_read_back_as_written)
    "event": {"device_id": "T2", "device_seq": 17, "device_time": "2026-12-07T10:00:00.123456", "event_id": "e-5",
              "hq_seq": 93, "kind": "redeem_post", "member_id": "m-1",
              "payload": {"postings": [["member:m-1:consumer", -30], ["store:S2:redeemed", 30]],
                          "lots": [["lot-1", 30]], "purpose": "gift", "gift": {"name": "杯子", "qty": 1},
                          "grants": [["lot-2", "member:m-1:consumer", 5, "2026-12-07T10:00:00+08:00",
                                      "2027-12-31T23:59:59"]]},
              "payload_hash": "ab" * 32, "rule_version": 3, "staff_id": None, "status": "applied", "store_id": "S2"},
}


def test_every_typed_document_has_a_sample():
    assert set(SAMPLES) == set(DOCUMENTS)


@pytest.mark.parametrize("type_", sorted(SAMPLES))
def test_a_document_reads_back_as_the_same_canonical_json_and_hash(type_):
    before = SAMPLES[type_]
    after = DOCUMENTS[type_].model_validate(before).dump()
    assert canonical_json(after) == canonical_json(before)
    assert payload_hash(after) == payload_hash(before)


BAD = [
    ("staff", {"name": "A", "role": "owner", "pin_hash": "h"}, "role"),
    ("staff", {"name": "", "role": "cashier", "pin_hash": "h"}, "name"),
    ("member", {"phone": 13800138000, "name": "A", "card_no": "C"}, "phone"),
    ("member", {"name": "A", "card_no": "C"}, "phone"),
    ("label_claim", {"sku": "X", "points": 5.0, "member_id": "m", "event_id": "e"}, "points"),
    ("label_claim", {"points": True, "member_id": "m", "event_id": "e"}, "points"),
    ("label_key", {"public_key": KEY_HEX, "active": "yes"}, "active"),
    ("member_key", {"key_id": KEY_ID, "public_key": "zz" * 32}, "public_key"),
    ("device_key", {"store_id": "S2", "public_key": KEY_HEX[:-2]}, "public_key"),
    ("code_used", {"event_id": "e"}, "store_id"),
    ("stock", {"gift_id": "G", "qty": "3", "as_of": 1}, "qty"),
    ("rules", {"version": 1, "doc": [], "effective_at": "next tuesday"}, "doc"),
    ("rules", {"version": 1, "doc": {}, "effective_at": "next tuesday"}, "effective_at"),
    ("offline_limits", {"scope": "planet"}, "scope"),
    ("lots_differ", {"member_id": "m", "hq_seq": "9"}, "hq_seq"),
    ("gift", {"key": "G", "deleted": "yes"}, "deleted"),
    ("event", {"payload": {}, "device_time": "2026-12-07T10:00:00"}, "event_id"),
    ("event", {"event_id": 5, "payload": {}, "device_time": "2026-12-07T10:00:00"}, "event_id"),
    ("event", {"event_id": "e", "device_time": "2026-12-07T10:00:00"}, "payload"),
    ("event", {"event_id": "e", "payload": [], "device_time": "2026-12-07T10:00:00"}, "payload"),
    ("event", {"event_id": "e", "payload": {}}, "device_time"),
    ("event", {"event_id": "e", "payload": {}, "device_time": ""}, "device_time"),
    ("event", {"event_id": "e", "payload": {"postings": [["a", 5.0], ["b", -5]]},
               "device_time": "2026-12-07T10:00:00"}, "postings"),
    ("event", {"event_id": "e", "payload": {"lots": [["l", "5"]]}, "device_time": "2026-12-07T10:00:00"}, "lots"),
    ("event", {"event_id": "e", "payload": {}, "device_time": "2026-12-07T10:00:00", "hq_seq": "9"}, "hq_seq"),
    ("event", {"event_id": "e", "payload": {}, "device_time": "2026-12-07T10:00:00", "rule_version": True},
     "rule_version"),
]


@pytest.mark.parametrize("type_, data, field", BAD, ids=[f"{t}-{f}" for t, _, f in BAD])
def test_a_document_of_the_wrong_shape_is_refused_naming_the_field(type_, data, field):
    with pytest.raises(ValidationError) as caught:
        DOCUMENTS[type_].model_validate(data)
    assert field in {str(loc) for e in caught.value.errors() for loc in e["loc"]}


@pytest.mark.parametrize("type_, data, field", BAD[:3], ids=[f"{t}-{f}" for t, _, f in BAD[:3]])
def test_hq_writes_no_document_a_till_would_refuse(type_, data, field):
    writer = FeedWriter(Seq(0))
    with pytest.raises(ValidationError):
        writer.add("S1", type_, "k", data)
    with pytest.raises(ValidationError):
        writer.to_stores({"S1", "S2"}, type_, "k", data)
    assert writer.rows == []


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "store.db")
    yield database
    database.close()


def test_the_till_applies_each_sample_and_records_a_bad_one_as_a_problem(db):
    keys = {"staff": "S-1", "member": "m-1", "label_claim": "L0001", "label_key": KEY_ID, "device_key": KEY_ID,
            "stock": "G-1", "offline_limits": "S1"}
    items = [PullItem(hq_seq=n, type=t, key=k, data=SAMPLES[t]) for n, (t, k) in enumerate(keys.items(), start=1)]
    items.append(PullItem(hq_seq=99, type="staff", key="S-2", data={"name": "B", "role": "owner", "pin_hash": "h"}))
    result = pull.apply_page(db, PullResponse(items=items, cursor=99, more=False))
    assert [(t, k) for t, k, _ in result.problems] == [("staff", "S-2")]
    assert "role" in result.problems[0][2]
    assert result.applied == len(items) - 1
    with db.read() as conn:
        assert conn.execute(catalogue.T.staff.select().where(catalogue.T.staff.c.staff_id == "S-1")).one().name == "王芳"
        assert conn.execute(catalogue.T.label_claims.select()).one().points == 20
        assert stock.hq_count(conn, "G-1") == -2
        assert pull.unapplied_count(conn) == 1


def test_a_public_key_must_be_its_key_id(db):
    with db.write() as conn, pytest.raises(catalogue.ItemProblem):
        chain_codes.apply_device_key(conn, "not-the-id", SAMPLES["device_key"])


_text = st.text(max_size=12)  # any characters: quotes, backslashes, Chinese, control characters
_json = st.recursive(st.none() | st.booleans() | st.integers() | _text,
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
                     max_leaves=10)


@settings(max_examples=200, deadline=None)
@given(type_=st.sampled_from(sorted(SAMPLES)), extra=st.dictionaries(_text, _json, max_size=4),
       name=_text)
def test_any_document_with_any_added_fields_keeps_its_hash(type_, extra, name):
    """A newer HQ's added fields, and any text in a field, come through the model as they were sent."""
    model = DOCUMENTS[type_]
    before = {**{k: v for k, v in extra.items() if k not in model.model_fields}, **SAMPLES[type_]}
    if type_ in ("product", "gift", "coupon_type", "lottery", "tier", "member"):
        before["name"] = name or "x"
    if type_ == "event":  # a payload's own fields besides its ledger part, and any text in them
        before["payload"] = {**{k: v for k, v in extra.items() if k not in ("postings", "grants", "lots")},
                             **before["payload"], "note": name}
    after = model.model_validate(before).dump()
    assert canonical_json(after) == canonical_json(before)
    assert payload_hash(after) == payload_hash(before)


def test_hq_event_documents_read_back_as_written():
    """The event item HQ writes (ingest.event_doc_json, canonical JSON built around the stored payload) is an
    EventDocument whose dump is the same text."""
    import json
    from datetime import datetime

    from hq_server.ledger.decisions import EventStatus
    from hq_server.ledger.event_row import EventRow
    from hq_server.ledger.ingest import event_doc_json

    sample = SAMPLES["event"]
    row = EventRow(event_id=sample["event_id"], hq_seq=sample["hq_seq"], store_id=sample["store_id"],
                   device_id=sample["device_id"], device_seq=sample["device_seq"], kind=sample["kind"],
                   device_time=datetime.fromisoformat(sample["device_time"]), received_at=datetime(2026, 12, 7),
                   staff_id=None, rule_version=sample["rule_version"], member_id=sample["member_id"],
                   payload=canonical_json(sample["payload"]), payload_hash=sample["payload_hash"],
                   status=EventStatus(sample["status"]))
    text = event_doc_json(row)
    assert text == canonical_json(sample)
    assert canonical_json(DOCUMENTS["event"].model_validate(json.loads(text)).dump()) == text


_time = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2200, 1, 1)).map(datetime.isoformat)
_lot = st.tuples(_text, _text, st.integers(min_value=0, max_value=2**63 - 1), _time, _time).flatmap(
    lambda head: st.sampled_from([[], [st.none()], [st.integers(min_value=0)], [st.integers(min_value=0), _json]])
    .flatmap(lambda tail: st.tuples(*tail).map(lambda more: [*head, *more])))


@settings(max_examples=200, deadline=None)
@given(lots=st.lists(_lot, max_size=4))
def test_a_member_lookups_lots_keep_their_canonical_json(lots):
    """A lookup's lots (five typed fields, the grant, what a newer HQ adds) read back as sent: the snapshot
    event the till stores them in (remote_events.apply_snapshot) hashes the same."""
    before = {"member": {"member_id": "m-1"}, "balances": {"member:m-1:consumer": 5}, "lots": lots,
              "as_of_hq_seq": 7}
    found = MemberLookup.model_validate(before)
    assert canonical_json(found.lots) == canonical_json(lots)
    assert canonical_json(found.model_dump(mode="json")) == canonical_json(before)


@pytest.mark.parametrize("lot, field", [
    (["l", "member:m:consumer", "5", "2026-12-07T10:00:00", "2027-12-07T10:00:00"], ("lots", 0, 2)),
    (["l", "member:m:consumer", True, "2026-12-07T10:00:00", "2027-12-07T10:00:00"], ("lots", 0, 2)),
    ([5, "member:m:consumer", 5, "2026-12-07T10:00:00", "2027-12-07T10:00:00"], ("lots", 0, 0)),
    (["l", "member:m:consumer", 5, "soon", "2027-12-07T10:00:00"], ("lots", 0, 3)),
    (["l", "member:m:consumer", 5, "2026-12-07T10:00:00"], ("lots", 0, 4)),
    (["l", "member:m:consumer", 5, "2026-12-07T10:00:00", "2027-12-07T10:00:00", "9"], ("lots", 0)),
])
def test_a_member_lookups_lot_of_the_wrong_shape_is_refused_naming_the_field(lot, field):
    with pytest.raises(ValidationError) as caught:
        MemberLookup.model_validate({"member": {"member_id": "m"}, "balances": {}, "lots": [lot]})
    assert field in {e["loc"] for e in caught.value.errors()}
