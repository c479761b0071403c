"""Merge rules 5 and 6 when events reach HQ out of order: HQ closes a waiting event's task when its
original arrives, and a member's edits that arrive before the member's registration are applied
over it (per field, last writer by hq_seq), so the record is the same in either order."""

from __future__ import annotations

import random


from pos_app.domain.ids import new_id
from pos_app.domain.ledger import Entry, Kind
from tests.hq.wire_events import FakeDevice, take_before_its_grant


def conflicts(hq, **params) -> list[dict]:
    out, after = [], 0
    while True:
        page = hq.admin("GET", "/conflicts", params={**params, "after": after, "limit": 1000}).json()
        if not page:
            return out
        out += page
        after = page[-1]["hq_seq"]


def open_tasks(hq, event_id: str) -> list[dict]:
    return [c for c in conflicts(hq, status="open") if c["event_id"] == event_id]


def tasks_of(hq, event_id: str, kind: str) -> list[dict]:
    return [c for c in conflicts(hq, rule=5) if c["event_id"] == event_id and c["kind"] == kind]


def assert_closed_by_hq(hq, event_id: str) -> None:
    assert open_tasks(hq, event_id) == []
    (task,) = tasks_of(hq, event_id, "waiting_for_original")
    assert task["status"] == "resolved"
    resolution = task["detail"]["resolution"]
    assert resolution["by"] == "hq" and resolution["at"] and "original arrived" in resolution["note"]
    assert task["detail"]["lots"]  # what it waited for stays on record
    r = hq.admin("POST", f"/conflicts/{task['conflict_id']}/resolve", json={"note": "by hand"})
    assert r.status_code == 409 and r.json()["code"] == "not_open"


# --- rule 5: the waiting task is closed when the original arrives ----------------------------

def test_a_waiting_refunds_task_is_closed_when_its_sale_arrives(hq, store_id, ledger):
    dev = FakeDevice(hq, store_id)
    m = new_id()
    earn, spend = take_before_its_grant(dev, m)  # reordered: the take arrives first
    (task,) = open_tasks(hq, spend["event_id"])
    assert (task["rule"], task["kind"]) == (5, "waiting_for_original")
    dev.push([earn])
    assert ledger.scalar("SELECT status FROM events WHERE event_id = :e", e=spend["event_id"]) == "applied"
    assert_closed_by_hq(hq, spend["event_id"])
    assert ledger.balance(f"member:{m}:consumer") == 30
    assert ledger.problems() == []


def test_a_task_opened_and_closed_in_one_push_is_stored_closed(hq, store_id, ledger):
    """The take comes before its earn in one batch (device_seq order): it waits, and the earn wakes it
    in the same transaction."""
    dev = FakeDevice(hq, store_id)
    m = new_id()
    earn = dev.earn(m, 50)
    spend = dev.spend(m, 20, [(FakeDevice.lot_of(earn), 50)])
    earn["device_seq"], spend["device_seq"] = spend["device_seq"], earn["device_seq"]
    assert [a["status"] for a in dev.push([spend, earn]).json()["answers"]] == ["ok", "ok"]
    assert ledger.scalar("SELECT status FROM events WHERE event_id = :e", e=spend["event_id"]) == "applied"
    assert_closed_by_hq(hq, spend["event_id"])
    assert ledger.balance(f"member:{m}:consumer") == 30
    assert ledger.problems() == []


# --- rule 6: edits that arrive before the member's registration ------------------------------

def phone() -> str:
    return "139" + "".join(random.choice("0123456789") for _ in range(8))


PROFILE = ("name", "tier", "note", "birthday", "pin_hash", "risk_flag", "merged_into")


def profile(hq, member_id: str) -> dict:
    r = hq.admin("GET", f"/members/{member_id}")
    assert r.status_code == 200, r.text
    return {k: r.json().get(k) for k in PROFILE}


def tier_change(dev: FakeDevice, member_id: str, to: str) -> dict:
    return dev.event(Entry(Kind.TIER_CHANGE, {"member_id": member_id, "from": "basic", "to": to,
                                              "reason": "reevaluation"}, member_id=member_id))


def test_a_patch_pushed_before_its_register_by_one_till_is_kept(hq, store_id):
    """One till's later batch alone: HQ waits for the earlier one, then applies the patch out of order."""
    dev = FakeDevice(hq, store_id)
    early, in_order = new_id(), new_id()
    reg = dev.register(early, phone(), "Registered Name")
    patch = dev.patch(early, name="Patched Name", note="likes oolong")
    assert dev.push([patch]).json()["answers"][0]["status"] == "ok"  # after HQ's wait for the register
    assert dev.push([reg]).json()["answers"][0]["status"] == "ok"
    dev.push([dev.register(in_order, phone(), "Registered Name"),
              dev.patch(in_order, name="Patched Name", note="likes oolong")])
    got = profile(hq, early)
    assert got["name"] == "Patched Name" and got["note"] == "likes oolong"
    assert got == profile(hq, in_order)


def test_patches_from_other_stores_before_the_register_apply_per_field_by_hq_seq(hq, store_id, ledger):
    """Store A registers a member offline; stores B and C edit the member and sync first. The record
    (HQ's, and the one fanned out to the stores) is the one the in-order arrival makes."""
    a, b, c = (FakeDevice(hq, store_id + s) for s in ("", "-b", "-c"))
    early, in_order = new_id(), new_id()

    def edits(m: str) -> tuple[dict, dict, dict, dict]:
        return (a.register(m, phone(), "Registered Name"), b.patch(m, name="From B", note="likes oolong"),
                c.patch(m, name="From C", birthday="1990-05-01"), tier_change(c, m, "gold"))

    reg, pb, pc, tc = edits(early)
    b.push([pb])
    c.push([pc, tc])
    a.push([reg])
    reg2, pb2, pc2, tc2 = edits(in_order)
    a.push([reg2])
    b.push([pb2])
    c.push([pc2, tc2])
    got = profile(hq, early)
    assert got == {"name": "From C", "tier": "gold", "note": "likes oolong", "birthday": "1990-05-01",
                   "pin_hash": None, "risk_flag": None, "merged_into": None}
    assert got == profile(hq, in_order)
    assert ledger.scalar("SELECT COUNT(*) FROM events WHERE member_id = :m AND kind IN ('member_patch', "
                         "'tier_change')", m=early) == 3  # every patch kept
    # each store following the member pulls the same record last
    for dev in (a, b, c):
        items, _ = dev.pull_all()
        docs = [i["data"] for i in items if i["type"] == "member" and i["key"] == early]
        assert docs, f"store {dev.store_id} was not told of the member"
        assert {k: docs[-1].get(k) for k in PROFILE} == got
    # a later edit still wins its field
    b.push([b.patch(early, name="From B Again")])
    assert profile(hq, early) == {**got, "name": "From B Again"}
