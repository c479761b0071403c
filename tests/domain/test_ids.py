"""Ids made on a device are UUIDv7: time-ordered, RFC 4122 variant, unique."""

from __future__ import annotations

import time
import uuid

from pos_app.domain.ids import is_uuid, new_id


def test_new_id_is_a_canonical_uuid_version_7_rfc_variant():
    text = new_id()
    u = uuid.UUID(text)
    assert str(u) == text  # canonical lowercase, hyphenated
    assert u.version == 7
    assert u.variant == uuid.RFC_4122
    assert (u.int >> 76) & 0xF == 7  # the version nibble itself
    assert (u.int >> 62) & 0b11 == 0b10  # the variant bits


def test_the_timestamp_is_unix_milliseconds_of_creation():
    before = time.time_ns() // 10**6
    u = uuid.UUID(new_id())
    after = time.time_ns() // 10**6
    ms = u.int >> 80
    assert before <= ms <= after + 50  # a burst may push the clock a few ms ahead to stay monotonic


def test_ids_sort_in_creation_order_as_text_even_within_one_millisecond():
    ids = [new_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)
    assert [uuid.UUID(i).int for i in ids] == sorted(uuid.UUID(i).int for i in ids)


def test_is_uuid_accepts_uuids_and_refuses_everything_else():
    assert is_uuid(new_id())
    assert is_uuid("00000000-0000-0000-0000-000000000000")
    assert is_uuid(str(uuid.uuid4()).upper())
    for bad in ("", "not-a-uuid", "1234", new_id()[:-1], new_id() + "0", None, 42, b"x" * 16, "g" * 32):
        assert not is_uuid(bad), bad
