"""The event document a pull carries is built around the stored payload text (ingest.event_doc_json);
it must be the very text canonical_json gives for the whole document, whatever the fields hold."""

from __future__ import annotations

import json
from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from hq_server.ledger.event_row import EventRow
from hq_server.ledger.ingest import event_doc_json
from pos_app.domain.ledger import canonical_json

text = st.text(max_size=12)  # any characters: quotes, backslashes, Chinese, control characters
payloads = st.recursive(st.none() | st.booleans() | st.integers() | text,
                        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
                        max_leaves=12)


@given(payload=st.dictionaries(text, payloads, max_size=5), staff=st.none() | text, member=st.none() | text,
       rule=st.none() | st.integers(), when=st.datetimes(min_value=datetime(2000, 1, 1)), kind=text, status=text)
def test_the_event_document_is_the_canonical_json_of_the_whole(payload, staff, member, rule, when, kind, status):
    row = {"event_id": "e-1", "kind": kind, "store_id": "s-1", "device_id": "d-1", "device_seq": 7,
           "device_time": when, "staff_id": staff, "rule_version": rule, "member_id": member,
           "payload": canonical_json(payload), "payload_hash": "h" * 64, "hq_seq": 42, "status": status}
    whole = {k: v for k, v in row.items() if k != "payload"} | {"payload": payload, "device_time": when.isoformat()}
    stored = EventRow(**row, received_at=when)  # type: ignore[arg-type]
    assert event_doc_json(stored) == canonical_json(whole)
    assert json.loads(event_doc_json(stored)) == whole
