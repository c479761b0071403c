"""Label batches in the domain (what HQ signs with): a stored plan signs to the same batch again."""

from __future__ import annotations

import json
import random
from datetime import datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pos_app.domain import label_batches as LB
from pos_app.domain.codes import KeyRing, ProductLabel
from pos_app.domain.problems import Refused
from pos_app.scanner import formats as F
from pos_app.scanner import labels as L

NOW = datetime(2026, 5, 1, 10, 0, 0, 123456)


def test_a_plan_kept_as_json_signs_to_the_same_batch():
    key = Ed25519PrivateKey.generate()
    plan = LB.plan_batch(sku="TEA-OOLONG", name=" 乌龙茶 ", count=10, prizes="8:3,28:2", now=NOW,
                         shuffle=random.Random(1).shuffle)
    assert plan.name == "乌龙茶" and plan.created_at == NOW.replace(microsecond=0)
    assert sorted(plan.points) == [8] * 6 + [28] * 4
    again = LB.BatchPlan.from_doc(json.loads(json.dumps(plan.to_doc())))
    assert again == plan
    batch = LB.sign_batch(plan, key)
    assert LB.sign_batch(again, key).to_json() == batch.to_json()  # Ed25519 is deterministic
    ring = KeyRing()
    ring.trust_label_key(LB.public_bytes(key))
    for n, label in enumerate(batch.labels, 1):
        got = F.parse(label.payload, now=NOW, trust=F.Trust.of(ring))
        assert isinstance(got, ProductLabel)
        assert (got.serial, got.points, got.sku) == (f"{plan.batch}-{n:06d}", plan.points[n - 1], "TEA-OOLONG")


def test_the_scanner_keeps_the_same_names():
    assert L.create_batch is LB.create_batch and L.LabelBatch is LB.LabelBatch and F.label_payload is LB.label_payload
    key = Ed25519PrivateKey.generate()
    assert F.label_payload("TEA", "ABCDEFGH-000001", 8, key) == LB.label_payload("TEA", "ABCDEFGH-000001", 8, key)


def test_bad_input_is_refused_with_every_problem_before_anything_is_drawn():
    with pytest.raises(Refused) as err:
        LB.plan_batch(sku="TEA OOLONG", name="", count=0, prizes="8:x", now=NOW)
    assert set(err.value.codes) == {"label.sku", "label.name", "label.count", "label.prizes"}
    with pytest.raises(Refused) as err:
        LB.plan_batch(sku=None, name=None, count="3", prizes=None, now=NOW)  # what a JSON body might hold
    assert set(err.value.codes) == {"label.sku", "label.name", "label.count", "label.prizes"}


def test_a_claim_is_checked_against_the_batch_hq_issued():
    from datetime import datetime

    from pos_app.domain.label_batches import claim_problem, plan_batch
    plan = plan_batch(sku="TEA-OOLONG", name="乌龙", count=3, prizes="8:2,68:1", now=datetime(2026, 11, 1),
                      batch_code="ABCDEFGH")
    plans = {"ABCDEFGH": plan}
    first = plan.points[0]
    assert claim_problem("ABCDEFGH-000001", "TEA-OOLONG", first, plans.get) is None
    assert "carries" in claim_problem("ABCDEFGH-000001", "TEA-OOLONG", first + 1, plans.get)
    assert "is for TEA-OOLONG" in claim_problem("ABCDEFGH-000001", "TEA-PUER", first, plans.get)
    assert "labels 1 to 3" in claim_problem("ABCDEFGH-000004", "TEA-OOLONG", 8, plans.get)
    # label 0 is never issued (serials count from 1); it is not the batch's last label
    assert "labels 1 to 3" in claim_problem("ABCDEFGH-000000", "TEA-OOLONG", plan.points[-1], plans.get)
    assert "never issued" in claim_problem("ZZZZZZZZ-000001", "TEA-OOLONG", 8, plans.get)
    for bad in ("not-a-serial", "", None, 12, "abcdefgh-000001"):
        assert "not the serial" in claim_problem(bad, "TEA-OOLONG", 8, plans.get)


def test_what_a_label_earn_credits_is_read_from_its_postings():
    from pos_app.domain.label_batches import label_credit
    m, s = "m1", "s1"
    assert label_credit([("store:s1:issued", -28), ("member:m1:consumer", 28)], m, s) == 28
    assert label_credit([("store:s1:issued", -28), ("debt:m1", 10), ("member:m1:consumer", 18)], m, s) == 28
    # more credited than issued, from another account; another member; another store; nothing
    assert label_credit([("store:s1:issued", -28), ("store:s1:redeemed", -972), ("member:m1:consumer", 1000)],
                        m, s) is None
    assert label_credit([("store:s1:issued", -28), ("member:m2:consumer", 28)], m, s) is None
    assert label_credit([("store:s2:issued", -28), ("member:m1:consumer", 28)], m, s) is None
    assert label_credit([], m, s) is None and label_credit([("store:s1:issued", -5)], None, s) is None
