"""The meaning of codes: time steps, replay rule, key ids, serials, prize tables."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from pos_app.domain import codes as C

T0 = datetime(2026, 11, 25, 8, 0, 0)  # a step boundary: 08:00:00 is divisible by 30 s


def test_time_steps_are_thirty_seconds_and_aware_times_are_converted():
    from datetime import timezone
    assert C.time_step(T0 + timedelta(seconds=29)) == C.time_step(T0)
    assert C.time_step(T0 + timedelta(seconds=30)) == C.time_step(T0) + 1
    beijing = timezone(timedelta(hours=8))
    assert C.time_step(T0.replace(tzinfo=timezone.utc).astimezone(beijing)) == C.time_step(T0)
    assert C.step_start(C.time_step(T0)) == T0


def test_a_code_is_fresh_one_step_either_side_and_expired_beyond():
    step = C.time_step(T0)
    assert C.step_fresh(step, T0) is None
    assert C.step_fresh(step, T0 + timedelta(seconds=59)) is None
    assert C.step_fresh(step, T0 + timedelta(seconds=60)).reason is C.Reason.EXPIRED
    assert C.step_fresh(step + 1, T0) is None
    ahead = C.step_fresh(step + 2, T0)
    assert ahead.reason is C.Reason.EXPIRED and "clock" in ahead.message


def test_replay_rule_is_one_use_per_member_per_step():
    code = C.DynamicMemberCode("m-1", "abcd0123", 100)
    assert not C.is_replayed(set(), code)
    assert C.is_replayed({code.replay_key}, code)
    assert not C.is_replayed({code.replay_key}, C.DynamicMemberCode("m-1", "abcd0123", 101))
    assert not C.is_replayed({code.replay_key}, C.DynamicMemberCode("m-2", "abcd0123", 100))


def test_memory_guard_claims_once_and_forgets_after_expiry():
    guard = C.MemoryReplayGuard()
    code = C.DynamicMemberCode("m-1", "abcd0123", C.time_step(T0))
    assert C.claim(guard, code) is None
    assert C.claim(guard, code).reason is C.Reason.REPLAYED
    guard.prune(T0 + timedelta(seconds=59))
    assert C.claim(guard, code).reason is C.Reason.REPLAYED  # still inside the tolerance window
    guard.prune(code.expires_at)
    assert code.replay_key not in guard.seen


def test_key_ids_derive_from_the_key_and_reject_bad_lengths():
    kid = C.key_id_for(bytes(32))
    assert len(kid) == 8 and kid == C.key_id_for(bytes(32)) and kid != C.key_id_for(b"\x01" * 32)
    with pytest.raises(ValueError):
        C.key_id_for(b"short")


def test_key_ring_trusts_only_what_it_was_given():
    ring = C.KeyRing()
    kid = ring.trust_label_key(b"\x02" * 32)
    assert ring.label_key(kid) == b"\x02" * 32 and ring.label_key("00000000") is None
    mk = ring.trust_member_key("m-1", b"\x03" * 32)
    assert ring.member_key("m-1", mk) and ring.member_key("m-2", mk) is None
    dk = ring.trust_device_key("store-A", b"\x04" * 32)
    assert ring.device_key(dk).store_id == "store-A"


@pytest.mark.parametrize("code,ok", [("6901234567892", True), ("6901234567893", False), ("690123456789", False),
                                     ("690123456789X", False), ("٦901234567892", False)])
def test_ean13_check_digit(code, ok):
    assert C.ean13_ok(code) is ok


def test_serials_round_trip_and_refuse_bad_shapes():
    assert C.serial_for("ABCDEFGH", 7) == "ABCDEFGH-000007"
    assert C.split_serial("ABCDEFGH-000007") == ("ABCDEFGH", 7)
    assert C.split_serial("abcdefgh-000007") is None
    for batch, n in (("ABCDEFG1", 1), ("ABCDEFGH", 0), ("ABCDEFGH", 1_000_000)):
        with pytest.raises(ValueError):
            C.serial_for(batch, n)


def test_prize_tables_parse_and_refuse_garbage():
    table, problems = C.parse_prize_table("28:30, 8:50,68:5")
    assert problems == () and [(p.points, p.weight) for p in table] == [(8, 50), (28, 30), (68, 5)]
    fixed, problems = C.parse_prize_table("20")
    assert problems == () and fixed == (C.Prize(20, 1),)
    for bad in ("", "8:0", "0:5", "8:5,8:6", "x:1", "8:-1", "8:1.5", "100001"):
        table, problems = C.parse_prize_table(bad)
        assert table == () and problems[0].code == "label.prizes", bad


def test_allocation_matches_the_table_exactly_and_never_overpays_ties():
    table, _ = C.parse_prize_table("8:50,28:30,38:10,48:6,68:4")
    counts = C.allocate_prizes(table, 100)
    assert counts == {8: 50, 28: 30, 38: 10, 48: 6, 68: 4}
    counts = C.allocate_prizes(table, 7)
    assert sum(counts.values()) == 7
    tie, _ = C.parse_prize_table("10:1,90:1")
    assert C.allocate_prizes(tie, 3) == {10: 2, 90: 1}
    assert C.allocate_prizes(table, 0) == {}


def test_draw_keeps_the_allocation_and_uses_the_given_shuffle():
    table, _ = C.parse_prize_table("8:3,68:1")
    drawn = C.draw_points(table, 8, random.Random(1).shuffle)
    assert sorted(drawn) == [8] * 6 + [68] * 2
    assert C.draw_points(table, 8, lambda xs: None) == [8] * 6 + [68] * 2


def test_rejections_carry_a_stable_code_and_a_message():
    r = C.Rejected(C.Reason.FORGED)
    assert r.code == "scan.forged" and "trust" in r.message and r.problem().code == "scan.forged"
