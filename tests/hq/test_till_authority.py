"""A till's authority (hq_server/ledger/authority.py, docs/till-authority.md), as a compromised till meets it:
every event pushed here by hand is what a till's stolen device key can send. HQ refuses what is beyond
a till, answers `rejected` with a reason, keeps an open conflict task (rule 7) with the event, and
changes nothing else."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pos_app.domain import ledger as L
from pos_app.domain.ids import new_id
from pos_app.domain.ledger import Entry, Kind, LotGrant, Posting
from pos_app.domain.presence import seal_pin
from pos_app.domain.staff import hash_pin
from pos_app.scanner.formats import dynamic_member_payload, public_bytes
from tests.hq.ledger_check import HQLedger
from tests.hq.wire_events import FakeDevice, now

PIN, NEW_PIN = "2468", "1357"
_PIN_HASHES: dict[str, str] = {}


def phone() -> str:
    return "139" + "".join(random.choice("0123456789") for _ in range(8))


def pin_hash(pin: str) -> str:
    if pin not in _PIN_HASHES:
        _PIN_HASHES[pin] = hash_pin(pin)
    return _PIN_HASHES[pin]


def answer(dev: FakeDevice, ev: dict) -> dict:
    (a,) = dev.push([ev]).json()["answers"]
    return a


def refused(dev: FakeDevice, ev: dict) -> str:
    a = answer(dev, ev)
    assert a["status"] == "rejected", a
    return a["reason"]


def task_of(hq, event_id: str) -> dict:
    """The open rule-7 task HQ keeps of a refused event, with the event in it (exactly one)."""
    (task,) = [c for c in hq.admin("GET", "/conflicts", params={"rule": 7, "limit": 1000}).json()
               if c["event_id"] == event_id]
    assert task["status"] == "open" and task["rule"] == 7
    return task


def registered(dev: FakeDevice, pin: str | None = PIN) -> str:
    m = new_id()
    reg = dev.register(m, phone())
    if pin is not None:
        reg["payload"]["pin_hash"] = pin_hash(pin)
        reg["payload_hash"] = L.payload_hash(reg["payload"])
    assert answer(dev, reg)["status"] == "ok"
    return m


def patch_event(dev: FakeDevice, member_id: str, fields: dict, proof: dict | None = None,
                event_id: str | None = None) -> dict:
    payload = {"member_id": member_id, "fields": fields, **({"proof": proof} if proof else {})}
    return dev.event(Entry(Kind.MEMBER_PATCH, payload, member_id=member_id), event_id=event_id or new_id())


def pin_patch(dev: FakeDevice, member_id: str, fields: dict, pin: str, *, proof_key: str,
              event_id: str | None = None) -> dict:
    """A patch proven with the member's PIN sealed to HQ's proof key, bound to the event as the till binds it."""
    event_id = event_id or new_id()
    sealed = seal_pin(bytes.fromhex(proof_key), pin, event_id=event_id, member_id=member_id, fields=fields)
    return patch_event(dev, member_id, fields, {"pin": sealed}, event_id)


def proof_key(dev: FakeDevice) -> str:
    r = dev.handshake()
    assert r.status_code == 200
    return r.json()["proof_key"]


def member_row(ledger: HQLedger, member_id: str):
    (row,) = ledger.rows("SELECT phone, pin_hash, name FROM members WHERE member_id = :m", m=member_id)
    return row


# --- no event moves points from one member to another ---------------------------------------------

def test_an_adjust_moving_one_members_points_to_another_is_refused(hq, store_id, ledger):
    """The audit's attack: store b's till moves a member of store a to a member of its own choosing."""
    a, b = FakeDevice(hq, store_id), FakeDevice(hq, store_id + "-b")
    victim, thief = new_id(), new_id()
    earn = a.earn(victim, 100)
    assert [x["status"] for x in a.push([a.register(victim, phone()), earn]).json()["answers"]] == ["ok", "ok"]
    lot = FakeDevice.lot_of(earn)
    move = b.event(Entry(Kind.ADJUST, {"reason": "typo", "lots": [[lot, 100]]},
                         (Posting(L.member_account(victim), -100), Posting(L.member_account(thief), 100)),
                         (LotGrant(new_id(), L.member_account(thief), 100, now(), now() + timedelta(days=300)),),
                         member_id=thief))
    reason = refused(b, move)
    assert f"member:{victim}:consumer" in reason and "one member" in reason
    assert ledger.balance(L.member_account(victim)) == 100 and ledger.balance(L.member_account(thief)) == 0
    assert ledger.scalar("SELECT remaining FROM lots WHERE lot_id = :l", l=lot) == 100
    assert ledger.scalar("SELECT COUNT(*) FROM events WHERE event_id = :e", e=move["event_id"]) == 0
    task = task_of(hq, move["event_id"])
    assert task["kind"] == "till_authority" and task["store_id"] == b.store_id and task["member_id"] == thief
    assert task["detail"]["reason"] == reason and task["detail"]["event"]["payload"] == move["payload"]
    # pushed again (a full re-push): the same answer, one task, nothing applied
    assert refused(b, move) == reason
    task_of(hq, move["event_id"])
    assert ledger.problems() == []


def test_an_event_taking_from_another_members_lot_is_refused(hq, store_id, ledger):
    """One member on the postings, another member's lot in the takes: the victim's lot would pay."""
    a, b = FakeDevice(hq, store_id), FakeDevice(hq, store_id + "-b")
    victim, thief = new_id(), new_id()
    earn = a.earn(victim, 80)
    a.push([earn])
    b.push([b.earn(thief, 5)])
    spend = b.spend(thief, 50, [(FakeDevice.lot_of(earn), 80)])
    assert "which is member:" in refused(b, spend)
    assert ledger.scalar("SELECT remaining FROM lots WHERE lot_id = :l", l=FakeDevice.lot_of(earn)) == 80
    assert ledger.balance(L.member_account(thief)) == 5
    task_of(hq, spend["event_id"])


def test_a_take_waiting_for_a_lot_that_turns_out_another_members_is_never_applied(hq, store_id, ledger):
    """The same theft pushed in reverse order: the spend waits for a lot HQ has not seen (rule 5); the
    lot then arrives as another member's. The spend stays refused, and the till hears it."""
    a, b = FakeDevice(hq, store_id), FakeDevice(hq, store_id + "-b")
    victim, thief = new_id(), new_id()
    earn = b.earn(victim, 60)
    spend = b.spend(thief, 60, [(FakeDevice.lot_of(earn), 60)])
    assert answer(b, spend)["status"] == "ok"  # waits: HQ cannot know the lot yet
    assert ledger.scalar("SELECT status FROM events WHERE event_id = :e", e=spend["event_id"]) == "waiting"
    assert answer(b, earn)["status"] == "ok"
    assert ledger.scalar("SELECT status FROM events WHERE event_id = :e", e=spend["event_id"]) == "refused"
    assert ledger.balance(L.member_account(victim)) == 60 and ledger.balance(L.member_account(thief)) == 0
    assert ledger.scalar("SELECT COUNT(*) FROM postings WHERE event_id = :e", e=spend["event_id"]) == 0
    assert ledger.scalar("SELECT COUNT(*) FROM waiting_lots WHERE event_id = :e", e=spend["event_id"]) == 0
    task = task_of(hq, spend["event_id"])
    assert "which is member:" in task["detail"]["reason"]
    waiting = [c for c in hq.admin("GET", "/conflicts", params={"rule": 5, "limit": 1000}).json()
               if c["event_id"] == spend["event_id"] and c["kind"] == "waiting_for_original"]
    assert [c["status"] for c in waiting] == ["resolved"]
    items, _ = b.pull_all()
    said = [i["data"] for i in items if i["type"] == "event_status" and i["key"] == spend["event_id"]]
    assert said[-1]["status"] == "rejected" and "which is member:" in said[-1]["reason"]
    _ = a
    assert ledger.problems() == []


def test_a_till_posts_to_the_points_of_its_own_stores_staff_only(hq, store_id, ledger):
    a, b = FakeDevice(hq, store_id), FakeDevice(hq, store_id + "-b")
    for store, staff_id in ((a.store_id, "guide-" + store_id), (b.store_id, "guide-b-" + store_id)):
        r = hq.admin("PUT", f"/stores/{store}/staff/{staff_id}", json={"name": "导购", "role": "cashier",
                                                                       "pin": "4321"})
        assert r.status_code in (200, 201), r.text

    def guide_earn(dev: FakeDevice, staff_id: str) -> dict:
        from pos_app.domain import entries as E
        from tests.hq.wire_events import RULES
        return dev.event(E.credit(Kind.GUIDE_EARN, account=L.guide_account(staff_id), points=7,
                                  source=L.store_issued(dev.store_id), debt_acct=None, owed=0, lot_id=new_id(),
                                  now=now(), rules=RULES, payload={"guide_id": staff_id}, member_id=None))

    assert answer(a, guide_earn(a, "guide-" + store_id))["status"] == "ok"
    other = guide_earn(a, "guide-b-" + store_id)
    assert "not staff of store" in refused(a, other)
    unknown = guide_earn(a, "nobody-" + store_id)
    assert "not staff of store" in refused(a, unknown)
    assert ledger.balance(L.guide_account("guide-b-" + store_id)) == 0
    task_of(hq, other["event_id"])


@pytest.mark.parametrize("shape", ["member_merge", "breakage_out", "two_staff", "member_without_member"])
def test_kinds_and_accounts_beyond_a_till_are_refused(hq, store_id, ledger, shape):
    dev = FakeDevice(hq, store_id)
    m, other = new_id(), new_id()
    lot = new_id()
    far = now() + timedelta(days=300)
    entry = {
        "member_merge": Entry(Kind.MEMBER_MERGE, {"from": other, "into": m}, member_id=m),
        # the chain's breakage pays a member (an expiry run backwards)
        "breakage_out": Entry(Kind.ADJUST, {"reason": "x"}, (Posting(L.BREAKAGE, -40), Posting(L.member_account(m), 40)),
                              (LotGrant(lot, L.member_account(m), 40, now(), far),), member_id=m),
        "two_staff": Entry(Kind.GUIDE_EARN, {}, (Posting("staff:s1:guide", 5), Posting("staff:s2:guide", 5),
                                                 Posting(L.store_issued(dev.store_id), -10)),
                           (LotGrant(lot, "staff:s1:guide", 5, now(), far),
                            LotGrant(new_id(), "staff:s2:guide", 5, now(), far)), member_id=None),
        "member_without_member": Entry(Kind.EARN, {}, (Posting(L.member_account(m), 9),
                                                       Posting(L.store_issued(dev.store_id), -9)),
                                       (LotGrant(lot, L.member_account(m), 9, now(), far),), member_id=None),
    }[shape]
    ev = dev.event(entry)
    refused(dev, ev)
    task_of(hq, ev["event_id"])
    assert ledger.balance(L.member_account(m)) == 0 and ledger.balance(L.BREAKAGE) >= 0


# --- member ids as tills make them ---------------------------------------------------------------

@pytest.mark.parametrize("member_id", ["%", "m-1", "A" * 36, "0190b3c2-6a4e-7bcd-8123-4567890ABCDE"])
def test_a_member_id_not_made_as_tills_make_them_is_refused(hq, store_id, ledger, member_id):
    dev = FakeDevice(hq, store_id)
    doc = {"member_id": member_id, "phone": phone(), "name": "Mallory", "tier": "basic", "card_no": "800000000009",
           "referral_code": "RAAAAAAAA", "referred_by": None, "home_store": dev.store_id,
           "created_at": now().isoformat(), "pin_hash": None}
    reg = dev.event(Entry(Kind.MEMBER_REGISTER, doc, member_id=member_id))
    patch = patch_event(dev, member_id, {"name": "Mallory"})
    earn = dev.earn(member_id, 10)
    for ev in (reg, patch, earn):
        assert "not one a till makes" in refused(dev, ev)
        task_of(hq, ev["event_id"])
    assert ledger.scalar("SELECT COUNT(*) FROM members WHERE member_id = :m", m=member_id) == 0
    assert ledger.scalar("SELECT COUNT(*) FROM events WHERE member_id = :m", m=member_id) == 0


@pytest.mark.parametrize("field,value,why", [
    ("card_no", "800000000009", "card number"),
    ("referral_code", "RAAAAAAAA", "referral code"),
    ("home_store", "s-elsewhere", "own store"),
    ("pin_hash", "$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
     "PIN hash"),
    ("phone", "12345", "phone"),
])
def test_a_register_whose_fields_are_not_a_tills_is_refused(hq, store_id, ledger, field, value, why):
    dev = FakeDevice(hq, store_id)
    m = new_id()
    reg = dev.register(m, phone())
    reg["payload"][field] = value
    reg["payload_hash"] = L.payload_hash(reg["payload"])
    assert why in refused(dev, reg)
    assert ledger.scalar("SELECT COUNT(*) FROM members WHERE member_id = :m", m=m) == 0


def test_a_member_is_registered_once(hq, store_id, ledger):
    a, b = FakeDevice(hq, store_id), FakeDevice(hq, store_id + "-b")
    m = registered(a)
    before = member_row(ledger, m)
    again = b.register(m, phone(), "Someone Else")
    assert "registered already" in refused(b, again)
    assert member_row(ledger, m) == before
    assert ledger.scalar("SELECT COUNT(*) FROM follows WHERE member_id = :m AND store_id = :s", m=m,
                         s=b.store_id) == 0


# --- a phone or PIN changes with the member there ------------------------------------------------

@pytest.mark.parametrize("fields", [{"pin_hash": "new"}, {"phone": "new"}, {"name": "Renamed", "phone": "new"}])
def test_a_credential_patch_without_proof_is_refused(hq, store_id, ledger, fields):
    a, b = FakeDevice(hq, store_id), FakeDevice(hq, store_id + "-b")
    m = registered(a)
    before = member_row(ledger, m)
    fields = {k: (pin_hash(NEW_PIN) if k == "pin_hash" else phone()) if v == "new" else v for k, v in fields.items()}
    ev = patch_event(b, m, fields)
    assert "needs proof that the member was there" in refused(b, ev)
    assert member_row(ledger, m) == before
    assert task_of(hq, ev["event_id"])["detail"]["event"]["payload"]["fields"] == fields


def test_name_birthday_and_note_need_no_proof_and_tier_is_not_a_tills(hq, store_id, ledger):
    a, b = FakeDevice(hq, store_id), FakeDevice(hq, store_id + "-b")
    m = registered(a)
    assert answer(b, patch_event(b, m, {"name": "新名字", "birthday": "1990-05-01", "note": "likes oolong"}))[
        "status"] == "ok"
    assert member_row(ledger, m).name == "新名字"
    assert "tier" in refused(b, patch_event(b, m, {"tier": "gold"}))
    assert "cannot patch" in refused(b, patch_event(b, m, {"risk_flag": None}))
    assert ledger.scalar("SELECT tier FROM members WHERE member_id = :m", m=m) == "basic"


def test_a_pin_proof_lets_a_till_change_the_pin_and_phone(hq, store_id, ledger):
    a, b = FakeDevice(hq, store_id), FakeDevice(hq, store_id + "-b")
    m = registered(a)
    key = proof_key(b)
    assert key == proof_key(a)  # one proof key for the chain
    new_phone = phone()
    fields = {"phone": new_phone, "pin_hash": pin_hash(NEW_PIN)}
    assert answer(b, pin_patch(b, m, fields, PIN, proof_key=key))["status"] == "ok"
    row = member_row(ledger, m)
    assert (row.phone, row.pin_hash) == (new_phone, pin_hash(NEW_PIN))
    # the old PIN proves nothing any more; the new one does
    again = {"phone": phone()}
    assert "PIN in the proof is wrong" in refused(b, pin_patch(b, m, again, PIN, proof_key=key))
    assert answer(b, pin_patch(b, m, again, NEW_PIN, proof_key=key))["status"] == "ok"
    assert member_row(ledger, m).phone == again["phone"]


def test_a_pin_proof_fits_one_event_and_one_set_of_values(hq, store_id, ledger):
    a, b = FakeDevice(hq, store_id), FakeDevice(hq, store_id + "-b")
    m = registered(a)
    key = proof_key(b)
    fields = {"phone": phone()}
    good = pin_patch(b, m, fields, PIN, proof_key=key)
    # the sealed PIN copied onto another event (a replay), onto other values, or altered
    replay = patch_event(b, m, fields, good["payload"]["proof"])
    other_values = patch_event(b, m, {"phone": phone()}, good["payload"]["proof"], event_id=good["event_id"])
    sealed = good["payload"]["proof"]["pin"]
    altered = patch_event(b, m, fields, {"pin": sealed[:-6] + ("AAAA==" if not sealed.endswith("AAAA==") else "BBBB==")})
    not_sealed = patch_event(b, m, fields, {"pin": PIN})
    assert "another event or other values" in refused(b, replay)
    assert "another event or other values" in refused(b, other_values)
    assert "does not open" in refused(b, altered)
    assert "not sealed to a proof key" in refused(b, not_sealed)
    assert answer(b, good)["status"] == "ok"
    assert answer(b, good)["status"] == "exists"  # the event itself, pushed again, is the same event
    assert member_row(ledger, m).phone == fields["phone"]


def test_wrong_pin_proofs_are_counted_and_then_not_checked(hq, store_id, ledger):
    a, b = FakeDevice(hq, store_id), FakeDevice(hq, store_id + "-b")
    m = registered(a)
    key = proof_key(b)
    wrong = []
    for guess in ("0000", "1111", "2222", "3333", "4444"):
        ev = pin_patch(b, m, {"phone": phone()}, guess, proof_key=key)
        assert "PIN in the proof is wrong" in refused(b, ev)
        wrong.append(ev)
    assert {task_of(hq, ev["event_id"])["kind"] for ev in wrong} == {"wrong_member_pin"}
    right = pin_patch(b, m, {"phone": phone()}, PIN, proof_key=key)
    assert "no more PIN proofs" in refused(b, right)
    assert member_row(ledger, m).phone != right["payload"]["fields"]["phone"]


def test_a_member_without_a_pin_changes_credentials_with_the_dynamic_code_only(hq, store_id, ledger):
    a, b = FakeDevice(hq, store_id), FakeDevice(hq, store_id + "-b")
    m = registered(a, pin=None)
    key = proof_key(b)
    first_pin = {"pin_hash": pin_hash(PIN)}
    assert "no PIN at HQ" in refused(b, pin_patch(b, m, first_pin, PIN, proof_key=key))
    assert "no phone key" in refused(b, patch_event(b, m, first_pin, {"member_code": "PM1:D:AAAA"}))
    assert member_row(ledger, m).pin_hash is None


def test_the_members_dynamic_code_proves_a_change_once(hq, store_id, ledger):
    a, b = FakeDevice(hq, store_id), FakeDevice(hq, store_id + "-b")
    m = registered(a, pin=None)
    phone_key = Ed25519PrivateKey.generate()
    assert hq.admin("PUT", f"/members/{m}/key", json={"public_key": public_bytes(phone_key).hex()}).status_code == 200
    code = dynamic_member_payload(m, phone_key, now())
    fields = {"pin_hash": pin_hash(PIN), "phone": phone()}
    assert answer(b, patch_event(b, m, fields, {"member_code": code}))["status"] == "ok"
    row = member_row(ledger, m)
    assert (row.phone, row.pin_hash) == (fields["phone"], pin_hash(PIN))
    # the same code again, at this store or another: used up chain-wide
    for dev in (b, a):
        assert "used before" in refused(dev, patch_event(dev, m, {"phone": phone()}, {"member_code": code}))
    assert member_row(ledger, m).phone == fields["phone"]


def test_a_stale_forged_or_other_members_dynamic_code_is_refused(hq, store_id, ledger):
    a, b = FakeDevice(hq, store_id), FakeDevice(hq, store_id + "-b")
    m, other = registered(a), registered(a)
    phone_key, thief_key = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    for member in (m, other):
        hq.admin("PUT", f"/members/{member}/key", json={"public_key": public_bytes(phone_key).hex()})
    fields = {"phone": phone()}
    cases = {
        "is from": dynamic_member_payload(m, phone_key, now() - timedelta(hours=1)),
        "current phone key": dynamic_member_payload(m, thief_key, now()),
        "another member": dynamic_member_payload(other, phone_key, now()),
        "damaged": "PM1:D:" + "A" * 40,
    }
    for why, code in cases.items():
        assert why in refused(b, patch_event(b, m, fields, {"member_code": code})), why
    assert member_row(ledger, m).phone != fields["phone"]
