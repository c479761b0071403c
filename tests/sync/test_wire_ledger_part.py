"""The wire schema types an event's postings, lot grants and lot takes (wire.LedgerPart) without changing
the payload's canonical JSON: what a till hashed before is what HQ hashes after validating it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from pos_app.domain import entries as E
from pos_app.domain import ledger as L
from pos_app.domain.lots import Lot
from pos_app.domain.rules import Rules
from pos_app.sync.wire import LedgerPart

ids = st.uuids().map(str)
points = st.integers(min_value=1, max_value=10**9)
# times as tills and HQ write them: naive or with an offset, with or without microseconds
times = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2200, 1, 1),
                     timezones=st.none() | st.just(timezone.utc) | st.just(timezone(timedelta(hours=8))))


def _same_after_validation(payload: dict) -> None:
    part = LedgerPart.model_validate(payload)
    assert L.canonical_json({**payload, **part.dump()}) == L.canonical_json(payload)
    assert L.payload_hash({**payload, **part.dump()}) == L.payload_hash(payload)


@given(member=ids, store=ids, lot=ids, earned=points, when=times, extra=st.dictionaries(st.text(max_size=8),
                                                                                       st.integers() | st.text()))
def test_an_earning_hashes_the_same_after_validation(member, store, lot, earned, when, extra):
    entry = E.earn(L.Kind.EARN, member_id=member, points=earned, store_id=store, owed=0, lot_id=lot,
                   now=when.replace(tzinfo=None), rules=Rules(version=1), payload={"sale": extra})
    payload = L.wire_payload(entry)
    _same_after_validation(payload)
    assert LedgerPart.model_validate(payload).grant_times()[0][0] == lot


@given(member=ids, store=ids, lots=st.lists(st.tuples(ids, points), min_size=1, max_size=4), when=times)
def test_a_spend_from_lots_hashes_the_same_after_validation(member, store, lots, when):
    now = when.replace(tzinfo=None)
    account = L.member_account(member)
    held = [Lot(lot_id, account, n, now - timedelta(days=1), now + timedelta(days=300)) for lot_id, n in lots]
    entry = E.spend(L.Kind.REDEEM_POST, member_id=member, lots=held, points=sum(n for _, n in lots),
                    to_account=L.store_redeemed(store), now=now, payload={"purpose": "gift"})
    _same_after_validation(L.wire_payload(entry))


@given(grant_time=times)
def test_a_grant_time_is_kept_as_the_text_it_came_as(grant_time):
    text = grant_time.isoformat()
    payload = {"grants": [["l-1", "member:m:consumer", 5, text, text]], "postings": [["member:m:consumer", 5],
                                                                                    ["store:s:issued", -5]]}
    _same_after_validation(payload)
    assert LedgerPart.model_validate(payload).dump()["grants"][0][3] == text


@pytest.mark.parametrize("payload", [
    {"postings": [["member:m:consumer", True], ["store:s:issued", -1]]},  # a boolean is no amount
    {"postings": [["member:m:consumer", 5.0], ["store:s:issued", -5]]},  # nor a float
    {"postings": [["member:m:consumer", "5"], ["store:s:issued", -5]]},  # nor a string
    {"postings": [["member:m:consumer"]]},
    {"postings": {"member:m:consumer": 5}},
    {"grants": [["l-1", "member:m:consumer", 5, "next tuesday", "2030-01-01T00:00:00"]]},
    {"grants": [["l-1", "member:m:consumer", 5, 1700000000, "2030-01-01T00:00:00"]]},  # a number is no time
    {"grants": [["l-1", "member:m:consumer", 5, "0001-01-01T00:00:00+01:00", "2030-01-01T00:00:00"]]},  # before year 1 in UTC
    {"lots": [["l-1", 5, 6]]},
    {"lots": [[5, 5]]},
])
def test_a_malformed_ledger_part_is_refused(payload):
    with pytest.raises(ValidationError):
        LedgerPart.model_validate(payload)
