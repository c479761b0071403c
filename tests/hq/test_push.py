"""Push: per-event answers, idempotence, the ledger applied in the same transaction."""

from __future__ import annotations

import threading
import uuid

import pytest

from pos_app.domain.ids import new_id
from pos_app.domain.ledger import payload_hash
from tests.hq.wire_events import FakeDevice


def member() -> str:
    return new_id()


def test_push_applies_events_and_answers_each(hq, store_id, ledger):
    dev = FakeDevice(hq, store_id)
    m = member()
    events = [dev.register(m, "13800000001"), dev.earn(m, 120), dev.earn(m, 30)]
    r = dev.push(events, compress=True)
    assert r.status_code == 200
    body = r.json()
    assert [a["status"] for a in body["answers"]] == ["ok"] * 3
    seqs = [a["hq_seq"] for a in body["answers"]]
    assert seqs == sorted(seqs) and len(set(seqs)) == 3
    assert ledger.balance(f"member:{m}:consumer") == 150
    assert ledger.balance(f"store:{store_id}:issued") == -150
    assert (body["hq_acked_count"], body["hq_acked_hash"]) == dev.acked_state()
    assert ledger.problems() == []


def test_a_repeated_push_changes_nothing(hq, store_id, ledger):
    dev = FakeDevice(hq, store_id)
    m = member()
    events = [dev.earn(m, 40), dev.earn(m, 2)]
    first = dev.push(events).json()
    again = dev.push(events).json()
    assert [a["status"] for a in again["answers"]] == ["exists", "exists"]
    assert [a["hq_seq"] for a in again["answers"]] == [a["hq_seq"] for a in first["answers"]]
    assert ledger.balance(f"member:{m}:consumer") == 42
    assert ledger.scalar("SELECT COUNT(*) FROM events WHERE member_id = :m", m=m) == 2
    # the same event twice in one batch is applied once
    dup = dev.earn(m, 1)
    r = dev.push([dup, dup]).json()
    assert [a["status"] for a in r["answers"]] == ["ok", "ok"] and ledger.balance(f"member:{m}:consumer") == 43


def test_same_id_with_another_payload_is_a_mismatch(hq, store_id, ledger):
    dev = FakeDevice(hq, store_id)
    m = member()
    ev = dev.earn(m, 10)
    dev.push([ev])
    forged = dict(ev, payload={**ev["payload"], "note": "changed"})
    forged["payload_hash"] = payload_hash(forged["payload"])
    a = dev.push([forged]).json()["answers"][0]
    assert a["status"] == "exists_mismatch" and "different payload_hash" in a["reason"]
    assert ledger.balance(f"member:{m}:consumer") == 10


@pytest.mark.parametrize("spoil, reason", [
    (lambda ev: ev["payload"]["postings"].__setitem__(0, [ev["payload"]["postings"][0][0], -5]), "sum to"),
    (lambda ev: ev.__setitem__("kind", "teleport"), "unknown event kind"),
    (lambda ev: ev["payload"]["postings"].__setitem__(0, ["store:other:issued", ev["payload"]["postings"][0][1]]),
     "another store"),
    (lambda ev: ev["payload"]["postings"].append(["moon", 0]), "zero posting"),
    # a holder's balance is the sum of its lots: points credited with no lot, a lot larger than the credit
    (lambda ev: ev["payload"].pop("grants"), "sum of its lots"),
    (lambda ev: ev["payload"]["grants"][0].__setitem__(2, 25), "sum of its lots"),
    (lambda ev: ev["payload"].update(postings=[[p[0], p[1] * 2**66] for p in ev["payload"]["postings"]],
                                     grants=[[*g[:2], g[2] * 2**66, *g[3:]] for g in ev["payload"]["grants"]]),
     "points amount beyond"),
])
def test_a_bad_event_is_rejected_alone(hq, store_id, ledger, spoil, reason):
    dev = FakeDevice(hq, store_id)
    m = member()
    good1, bad, good2 = dev.earn(m, 10), dev.earn(m, 20), dev.earn(m, 30)
    spoil(bad)
    bad["payload_hash"] = payload_hash(bad["payload"])
    r = dev.push([good1, bad, good2])
    assert r.status_code == 200
    answers = r.json()["answers"]
    assert [a["status"] for a in answers] == ["ok", "rejected", "ok"]
    assert reason in answers[1]["reason"]
    assert ledger.balance(f"member:{m}:consumer") == 40
    assert ledger.scalar("SELECT COUNT(*) FROM events WHERE event_id = :e", e=bad["event_id"]) == 0


def test_a_wrong_payload_hash_is_rejected(hq, store_id):
    dev = FakeDevice(hq, store_id)
    ev = dev.earn(member(), 10, payload_hash="0" * 64)
    a = dev.push([ev]).json()["answers"][0]
    assert a["status"] == "rejected" and "payload_hash" in a["reason"]


def test_a_device_seq_is_used_once(hq, store_id):
    dev = FakeDevice(hq, store_id)
    m = member()
    ev = dev.earn(m, 10)
    dev.push([ev])
    other = dev.earn(m, 11, device_seq=ev["device_seq"])
    a = dev.push([other]).json()["answers"][0]
    assert a["status"] == "rejected" and "already event" in a["reason"]


def test_reordered_pushes_agree_on_the_rolling_hash(hq, store_id):
    dev = FakeDevice(hq, store_id)
    m = member()
    events = [dev.earn(m, i + 1) for i in range(6)]
    dev.push(events[3:])
    r = dev.push(events[:3]).json()
    assert (r["hq_acked_count"], r["hq_acked_hash"]) == dev.acked_state()
    assert dev.handshake().json()["full_resync_required"] is False


def test_two_processes_pushing_one_devices_events_at_once_apply_each_once(hq, store_id, ledger):
    dev = FakeDevice(hq, store_id)
    m = member()
    events = [dev.earn(m, 1) for _ in range(200)]
    results = []

    def push():
        other = FakeDevice.__new__(FakeDevice)
        other.__dict__.update(dev.__dict__, acked={})
        import httpx
        other.client = httpx.Client(base_url=hq.url, headers=hq.auth(dev.creds), timeout=60)
        results.append(other.push(events).json())

    threads = [threading.Thread(target=push) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 3
    for i in range(200):
        statuses = sorted(r["answers"][i]["status"] for r in results)
        assert statuses == ["exists", "exists", "ok"]  # applied by exactly one of them
        assert len({r["answers"][i]["hq_seq"] for r in results}) == 1
    assert ledger.balance(f"member:{m}:consumer") == 200
    assert ledger.scalar("SELECT COUNT(*) FROM events WHERE member_id = :m", m=m) == 200


def test_spending_more_than_hq_holds_becomes_debt_and_a_risk_flag(hq, store_id, ledger):
    a, b = FakeDevice(hq, store_id, "till-a"), FakeDevice(hq, store_id + "-b", "till-b")
    m = member()
    reg, earn = a.register(m, "13900000002"), a.earn(m, 100)
    a.push([reg, earn])
    lot = FakeDevice.lot_of(earn)
    # both stores hand over a gift for 80 points from the same lot while offline
    s1, s2 = a.spend(m, 80, [(lot, 100)]), b.spend(m, 80, [(lot, 100)])
    assert a.push([s1]).json()["answers"][0]["status"] == "ok"
    assert b.push([s2]).json()["answers"][0]["status"] == "ok"
    assert ledger.balance(f"member:{m}:consumer") == 0
    assert ledger.balance(f"debt:{m}") == -60
    assert ledger.problems() == []
    flag = ledger.scalar("SELECT risk_flag FROM members WHERE member_id = :m", m=m)
    assert flag and "double_spend" in flag
    conflicts = hq.admin("GET", "/conflicts", params={"rule": 1}).json()
    c = next(c for c in conflicts if c["event_id"] == s2["event_id"])
    assert c["detail"]["debt_added"] == 60 and len(c["made_events"]) == 1
    # the correction's id is derived from the event it corrects
    made = c["made_events"][0]
    assert uuid.UUID(made).version == 5
    # the later earning repays the debt first (the store computes it; HQ keeps the sums)
    repay = a.earn(m, 100, owed=60)
    a.push([repay])
    assert ledger.balance(f"debt:{m}") == 0 and ledger.balance(f"member:{m}:consumer") == 40
    assert ledger.problems() == []


def test_an_earning_from_a_store_that_did_not_know_the_debt_repays_it_first_at_hq(hq, store_id, ledger):
    """Rule 1: later earnings repay the debt first, also when the store recorded the earning in full
    (it had not pulled the debt): HQ takes the debt out of the earning's lot, a correction for the store."""
    a, b = FakeDevice(hq, store_id, "till-a"), FakeDevice(hq, store_id + "-b", "till-b")
    m = member()
    reg, earn = a.register(m, "13900000012"), a.earn(m, 100)
    a.push([reg, earn])
    lot = FakeDevice.lot_of(earn)
    a.push([a.spend(m, 80, [(lot, 100)])])
    b.push([b.spend(m, 80, [(lot, 100)])])
    assert ledger.balance(f"debt:{m}") == -60
    unaware = b.earn(m, 100)  # owed=0: store b never pulled the debt
    assert b.push([unaware]).json()["answers"][0]["status"] == "ok"
    assert ledger.balance(f"debt:{m}") == 0 and ledger.balance(f"member:{m}:consumer") == 40
    assert ledger.problems() == []  # the lot holds the 40 left
    task = next(c for c in hq.admin("GET", "/conflicts", params={"rule": 1}).json()
                if c["event_id"] == unaware["event_id"])
    assert task["kind"] == "debt_repaid" and task["detail"]["debt_repaid"] == 60 and len(task["made_events"]) == 1
    again = b.earn(m, 30)  # nothing owed any more: nothing taken
    b.push([again])
    assert ledger.balance(f"member:{m}:consumer") == 70 and ledger.balance(f"debt:{m}") == 0


def test_a_member_registered_after_their_double_spend_reached_hq_is_flagged(hq, store_id, ledger):
    a, b = FakeDevice(hq, store_id, "till-a"), FakeDevice(hq, store_id + "-b", "till-b")
    m = member()
    reg, earn = a.register(m, "13900000013"), a.earn(m, 100)  # the register is pushed last
    a.push([earn])
    lot = FakeDevice.lot_of(earn)
    a.push([a.spend(m, 80, [(lot, 100)])])
    b.push([b.spend(m, 80, [(lot, 100)])])
    assert ledger.balance(f"debt:{m}") == -60
    a.push([reg])
    flag = ledger.scalar("SELECT risk_flag FROM members WHERE member_id = :m", m=m)
    assert flag and "double_spend: 60 points owed" in flag


def test_a_batch_sent_ahead_of_the_one_before_it_waits_for_it(hq, store_id, ledger):
    """A store keeps two batches in flight; whichever HQ worker gets the later one first, it goes in
    after the earlier one (hq_seq follows device_seq), so its spend finds the lot the earlier one grants."""
    import httpx
    dev = FakeDevice(hq, store_id)
    m = member()
    first = [dev.register(m, "13900000077"), dev.earn(m, 50)]
    later = [dev.spend(m, 20, [(FakeDevice.lot_of(first[1]), 50)]), dev.earn(m, 5)]
    answers = {}

    def push_later():
        with httpx.Client(base_url=hq.url, headers=hq.auth(dev.creds), timeout=60) as c:
            answers["later"] = c.post("/api/v1/sync/push", json={"events": later}).json()

    t = threading.Thread(target=push_later)
    t.start()
    import time
    time.sleep(0.2)  # the later batch is at HQ, waiting
    answers["first"] = dev.push(first).json()
    t.join()
    seqs = [a["hq_seq"] for a in answers["first"]["answers"] + answers["later"]["answers"]]
    assert [a["status"] for a in answers["later"]["answers"]] == ["ok", "ok"]
    assert seqs == sorted(seqs), "applied in device_seq order"
    assert ledger.scalar("SELECT COUNT(*) FROM events WHERE member_id = :m AND status = 'waiting'", m=m) == 0
    assert ledger.balance(f"member:{m}:consumer") == 35
    assert answers["later"]["hq_acked_count"] == 4
    assert ledger.problems() == []


def test_a_gap_nothing_fills_delays_a_batch_but_does_not_stop_it(hq, store_id, ledger):
    dev = FakeDevice(hq, store_id)
    m = member()
    dev.push([dev.register(m, "13900000078")])
    dev.earn(m, 7)  # device_seq 2: recorded as refused at the store, never reaches HQ
    r = dev.push([dev.earn(m, 9)])
    assert [a["status"] for a in r.json()["answers"]] == ["ok"]
    assert ledger.balance(f"member:{m}:consumer") == 9


def test_a_rejected_event_counts_as_answered_for_the_next_batchs_turn(hq, store_id, ledger):
    """The store records a rejected event and goes on; its next batch follows it, so HQ must not wait
    for the rejected device_seq as for a batch still in flight (acked_max_seq counts it)."""
    dev = FakeDevice(hq, store_id)
    m = member()
    bad = dev.earn(m, 5)
    bad["payload_hash"] = "0" * 64  # refused: the hash does not match the payload
    r = dev.push([dev.register(m, "13900000079"), bad]).json()
    assert [a["status"] for a in r["answers"]] == ["ok", "rejected"]
    assert ledger.scalar("SELECT acked_max_seq FROM devices WHERE device_id = :d", d=dev.device_id) == 2
    assert ledger.scalar("SELECT acked_count FROM devices WHERE device_id = :d", d=dev.device_id) == 1
    later = dev.push([dev.earn(m, 9)]).json()
    assert [a["status"] for a in later["answers"]] == ["ok"] and later["hq_acked_count"] == 2
    assert ledger.balance(f"member:{m}:consumer") == 9
