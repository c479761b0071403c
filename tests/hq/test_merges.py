"""DESIGN.md section 6's merge rules as HQ applies them, seen through the admin conflict list,
the ledger and the pull feed."""

from __future__ import annotations

from datetime import timedelta


from pos_app.domain.ids import new_id
from pos_app.domain.ledger import payload_hash
from tests.hq.wire_events import FakeDevice, now, take_before_its_grant


def conflicts_of(hq, event_id: str) -> list[dict]:
    return [c for c in hq.admin("GET", "/conflicts", params={"limit": 1000}).json() if c["event_id"] == event_id]


def all_conflicts(hq) -> list[dict]:
    out, after = [], 0
    while True:
        page = hq.admin("GET", "/conflicts", params={"after": after, "limit": 1000}).json()
        if not page:
            return out
        out += page
        after = page[-1]["hq_seq"]


def test_a_label_serial_earns_once_chain_wide(hq, store_id, ledger):
    a, b = FakeDevice(hq, store_id), FakeDevice(hq, store_id + "-b")
    m1, m2 = new_id(), new_id()
    serial = hq.label_batch()["labels"][0]["serial"]
    e1, e2 = a.label_earn(m1, serial, 28), b.label_earn(m2, serial, 28)
    assert a.push([e1]).json()["answers"][0]["status"] == "ok"
    assert b.push([e2]).json()["answers"][0]["status"] == "ok"  # kept, never dropped
    assert ledger.balance(f"member:{m1}:consumer") == 28
    assert ledger.balance(f"member:{m2}:consumer") == 0
    assert conflicts_of(hq, e1["event_id"]) == []  # one of HQ's labels, as issued
    assert ledger.scalar("SELECT status FROM events WHERE event_id = :e", e=e2["event_id"]) == "duplicate_serial"
    (c,) = conflicts_of(hq, e2["event_id"])
    assert c["rule"] == 2 and c["detail"]["winner"] == e1["event_id"] and len(c["made_events"]) == 1
    assert ledger.problems() == []
    # store b learns the outcome and pulls the reversal; every store learns the claim
    items, _ = b.pull_all()
    mine = [i for i in items if i["key"] in (e2["event_id"], c["made_events"][0])]
    assert {i["type"] for i in mine} == {"event_status", "event"}
    reversal = next(i for i in mine if i["type"] == "event")["data"]
    assert reversal["store_id"] == "hq" and reversal["payload"]["corrects"] == e2["event_id"]
    assert sum(n for _, n in reversal["payload"]["postings"]) == 0
    claims = [i for i in items if i["type"] == "label_claim" and i["key"] == serial]
    assert len(claims) == 1 and claims[0]["data"]["event_id"] == e1["event_id"]
    # re-pushing the loser changes nothing (the reversal's id is deterministic)
    assert b.push([e2]).json()["answers"][0]["status"] == "exists"
    assert ledger.scalar("SELECT COUNT(*) FROM events WHERE event_id = :e", e=c["made_events"][0]) == 1


def test_a_refund_arriving_before_its_sale_waits_for_it(hq, store_id, ledger):
    dev = FakeDevice(hq, store_id)
    m = new_id()
    earn, spend = take_before_its_grant(dev, m)  # reordered: the take arrives first
    assert ledger.scalar("SELECT status FROM events WHERE event_id = :e", e=spend["event_id"]) == "waiting"
    assert ledger.balance(f"member:{m}:consumer") == 0
    dev.push([earn])
    assert ledger.scalar("SELECT status FROM events WHERE event_id = :e", e=spend["event_id"]) == "applied"
    assert ledger.balance(f"member:{m}:consumer") == 30
    assert ledger.balance(f"debt:{m}") == 0
    assert ledger.problems() == []
    kinds = [c["kind"] for c in conflicts_of(hq, spend["event_id"])]
    assert "waiting_for_original" in kinds and "original_arrived" in kinds


def test_member_edits_in_two_places_last_writer_by_hq_seq_per_field(hq, store_id, ledger):
    a, b = FakeDevice(hq, store_id), FakeDevice(hq, store_id + "-b")
    m = new_id()
    a.push([a.register(m, "13700000003", "Old Name")])
    pa = a.patch(m, name="Name From A")
    pb = b.patch(m, name="Name From B", note="likes oolong")
    b.push([pb])
    a.push([pa])  # reaches HQ later: its name wins, b's note stays
    row = ledger.rows("SELECT name, extra FROM members WHERE member_id = :m", m=m)[0]
    assert row.name == "Name From A" and "oolong" in row.extra
    assert ledger.scalar("SELECT COUNT(*) FROM events WHERE kind = 'member_patch' AND member_id = :m", m=m) == 2
    items, _ = b.pull_all()
    last = [i for i in items if i["type"] == "member" and i["key"] == m][-1]
    assert last["data"]["name"] == "Name From A" and last["data"]["note"] == "likes oolong"


def test_two_members_with_one_phone_become_a_merge_task(hq, store_id, ledger):
    a, b = FakeDevice(hq, store_id), FakeDevice(hq, store_id + "-b")
    m1, m2 = new_id(), new_id()
    phone = "135" + store_id[-8:].encode().hex()[:8]
    phone = "135" + "".join(str(int(ch, 16) % 10) for ch in phone[3:11])
    e1 = a.earn(m1, 70)
    a.push([a.register(m1, phone), e1])
    b.push([b.register(m2, phone), b.earn(m2, 30)])
    task = next(c for c in all_conflicts(hq) if c["kind"] == "same_phone" and m2 in c["detail"]["members"])
    assert task["status"] == "open" and task["rule"] == 6
    by_hand = hq.admin("POST", f"/conflicts/{task['conflict_id']}/resolve", json={"note": "same person"})
    assert by_hand.status_code == 409 and by_hand.json()["code"] == "not_by_hand"  # a merge closes it
    r = hq.admin("POST", f"/conflicts/{task['conflict_id']}/merge", json={"keep": m1})
    assert r.status_code == 200, r.text
    assert ledger.balance(f"member:{m1}:consumer") == 100
    assert ledger.balance(f"member:{m2}:consumer") == 0
    assert ledger.scalar("SELECT merged_into FROM members WHERE member_id = :m", m=m2) == m1
    assert ledger.problems() == []
    again = hq.admin("POST", f"/conflicts/{task['conflict_id']}/merge", json={"keep": m1})
    assert again.status_code == 409 and again.json()["code"] == "already_resolved"
    # both stores hear of the merge event
    for dev in (a, b):
        items, _ = dev.pull_all()
        assert any(i["type"] == "event" and i["data"]["kind"] == "member_merge" and i["data"]["payload"]["from"] == m2
                   for i in items)


def test_a_rule_changed_while_offline(hq, store_id, ledger):
    """Points stand within the offline grace; after it HQ adjusts to the current rule."""
    # version n: 1 point per yuan; version n+1 (effective 10 days ago): 2 points per yuan
    v1 = hq.admin("POST", "/rules", json={"doc": {"base_points": 1, "base_per_fen": 100},
                                          "effective_at": (now() - timedelta(days=30)).isoformat()}).json()
    hq.admin("POST", "/rules", json={"doc": {"base_points": 2, "base_per_fen": 100},
                                     "effective_at": (now() - timedelta(days=10)).isoformat()})
    dev = FakeDevice(hq, store_id)
    m = new_id()
    within = dev.earn(m, 100, payload={"sale_id": new_id(), "paid_fen": 10000}, rule_version=v1["version"],
                      at=now() - timedelta(days=10) + timedelta(hours=1))
    stale = dev.earn(m, 100, payload={"sale_id": new_id(), "paid_fen": 10000}, rule_version=v1["version"],
                     at=now() - timedelta(hours=1))
    dev.push([within, stale])
    assert [c["kind"] for c in conflicts_of(hq, within["event_id"])] == ["rule_within_grace"]
    (c,) = conflicts_of(hq, stale["event_id"])
    assert c["kind"] == "stale_rule" and c["detail"]["points_diff"] == 100 and len(c["made_events"]) == 1
    assert ledger.balance(f"member:{m}:consumer") == 300
    assert ledger.problems() == []
    hq.admin("POST", "/rules", json={"doc": {"base_points": 1, "base_per_fen": 100}})  # leave the chain as found


def test_a_label_hq_never_issued_as_claimed_is_kept_flagged_and_left_to_hq(hq, store_id, ledger):
    """A till whose software was tampered with can send label earns no label behind them: HQ checks each
    claim against the batches it issued, keeps the points (already the member's) and opens a task."""
    dev = FakeDevice(hq, store_id)
    batch = hq.label_batch(count=3, prizes="8:2,68:1")
    first, second, third = batch["labels"]
    m = new_id()
    # the payload says the label's points, the postings credit 972 more (from the store's redeemed account)
    padded = dev.label_earn(m, third["serial"], third["points"])
    p = padded["payload"]
    p["grants"][0][2] += 972
    p["postings"] = [[f"store:{store_id}:issued", -third["points"]], [f"store:{store_id}:redeemed", -972],
                     [f"member:{m}:consumer", third["points"] + 972]]
    padded["payload_hash"] = payload_hash(p)
    claims = {"issued": dev.label_earn(m, first["serial"], first["points"]),
              "more points": dev.label_earn(m, second["serial"], second["points"] + 60),
              "padded postings": padded,
              "no such label": dev.label_earn(m, f"{batch['batch']}-000000", second["points"]),
              "no such batch": dev.label_earn(m, "ZZZZ2345-000001", 8),
              "not a serial": dev.label_earn(m, f"free-{store_id}", 8)}
    answers = dev.push(list(claims.values())).json()["answers"]
    assert [a["status"] for a in answers] == ["ok"] * 6
    assert ledger.balance(f"member:{m}:consumer") == (first["points"] + second["points"] + 60 + third["points"] + 972
                                                      + second["points"] + 16)
    assert conflicts_of(hq, claims["issued"]["event_id"]) == []
    reasons = {}
    for what, ev in list(claims.items())[1:]:
        (c,) = conflicts_of(hq, ev["event_id"])
        assert (c["rule"], c["kind"], c["status"]) == (2, "label_unverified", "open")
        assert "label_unverified" in ledger.scalar("SELECT flags FROM events WHERE event_id = :e", e=ev["event_id"])
        reasons[what] = c["detail"]["reason"]
    assert "carries" in reasons["more points"] and "labels 1 to 3" in reasons["no such label"]
    assert "postings do not credit" in reasons["padded postings"]
    assert "never issued" in reasons["no such batch"] and "not the serial" in reasons["not a serial"]
    # the till hears of it (an event_status item), as of every flag
    items, _ = dev.pull_all()
    flagged = {i["key"] for i in items if i["type"] == "event_status" and i["data"]["status"] == "flagged"}
    assert flagged == {ev["event_id"] for ev in list(claims.values())[1:]}
    assert ledger.problems() == []
    # HQ closes a task with what it decided; a closed one stays closed; a bad note or id changes nothing
    (task,) = conflicts_of(hq, claims["no such batch"]["event_id"])
    url = f"/conflicts/{task['conflict_id']}/resolve"
    assert hq.admin("POST", url, json={"note": ""}).status_code == 422
    assert hq.admin("POST", "/conflicts/no-such-task/resolve", json={"note": "x"}).status_code == 404
    r = hq.admin("POST", url, json={"note": "till 3 reinstalled; manager adjusts the member -8"})
    assert r.status_code == 200 and r.json()["status"] == "resolved"
    (done,) = conflicts_of(hq, claims["no such batch"]["event_id"])
    assert done["status"] == "resolved" and done["detail"]["resolution"]["by"] == "admin"
    assert done["detail"]["reason"] == task["detail"]["reason"]
    again = hq.admin("POST", url, json={"note": "again"})
    assert again.status_code == 409 and again.json()["code"] == "not_open"


def test_a_member_code_used_for_spends_at_two_tills_is_flagged_once_chain_wide(hq, store_id, ledger):
    """A till refuses a dynamic code it has seen; a photo of the phone's screen shown at another till
    (here or at another store) within the code's window is not seen there. HQ keeps both spends (the
    goods were handed over) and flags the second, an open task."""
    from pos_app.domain import entries as E
    from pos_app.domain import ledger as L
    from pos_app.domain.ledger import Kind
    from pos_app.domain.lots import Lot
    a, b = FakeDevice(hq, store_id, "till-a"), FakeDevice(hq, store_id + "-b", "till-b")
    m = new_id()
    earn = a.earn(m, 300)
    a.push([a.register(m, "13900000081"), earn])
    lot = Lot(FakeDevice.lot_of(earn), L.member_account(m), 300, now() - timedelta(days=1), now() + timedelta(days=300))
    code = f"D:{m}:{59_000_123}"

    def spend(dev, points, member_code):
        return dev.event(E.spend(Kind.REDEEM_POST, member_id=m, lots=[lot], points=points,
                                 to_account=L.store_redeemed(dev.store_id), now=now(),
                                 payload={"purpose": "points_as_cash", "member_code": member_code}))
    first, again, other = spend(a, 50, code), spend(b, 60, code), spend(b, 70, f"D:{m}:{59_000_124}")
    assert a.push([first]).json()["answers"][0]["status"] == "ok"
    assert a.push([first]).json()["answers"][0]["status"] == "exists"  # the same event again: no flag
    assert [x["status"] for x in b.push([again, other]).json()["answers"]] == ["ok", "ok"]
    assert conflicts_of(hq, first["event_id"]) == [] and conflicts_of(hq, other["event_id"]) == []
    (c,) = conflicts_of(hq, again["event_id"])
    assert (c["rule"], c["kind"], c["status"]) == (1, "member_code_reused", "open")
    assert c["detail"] == {"code": code, "first_event": first["event_id"], "first_store": store_id}
    assert ledger.balance(f"member:{m}:consumer") == 300 - 50 - 60 - 70  # kept, never dropped
    items, _ = b.pull_all()
    assert any(i["type"] == "event_status" and i["key"] == again["event_id"] and i["data"]["status"] == "flagged"
               for i in items)
    assert ledger.problems() == []
