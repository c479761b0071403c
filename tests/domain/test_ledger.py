"""The ledger's accounts, double-entry check, merge and payload hashing."""

from __future__ import annotations

from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain import ledger as L
from pos_app.domain.ledger import Kind, Posting, canonical_json, check_postings, merge_postings, payload_hash


def codes(problems):
    return [p.code for p in problems]


def test_account_names_are_stable_strings_per_point_type():
    assert L.member_account("m1") == "member:m1:consumer"
    assert L.member_account("m1", L.PointType.GUIDE) == "member:m1:guide"
    assert L.member_account("m1", L.PointType.AGENT) == "member:m1:agent"
    assert L.guide_account("s1") == "staff:s1:guide"
    assert L.debt_account("m1") == "debt:m1"
    assert L.store_issued("st") == "store:st:issued"
    assert L.store_redeemed("st") == "store:st:redeemed"
    assert L.suspense("st") == "suspense:st"
    assert L.BREAKAGE == "breakage" and L.CHARITY == "charity"


def test_only_member_and_staff_accounts_are_holder_accounts():
    assert L.is_holder_account(L.member_account("m"))
    assert L.is_holder_account(L.guide_account("s"))
    for acct in (L.debt_account("m"), L.store_issued("s"), L.store_redeemed("s"), L.suspense("s"),
                 L.BREAKAGE, L.CHARITY):
        assert not L.is_holder_account(acct)


def test_every_kind_of_design_section_3_exists():
    assert {k.value for k in Kind} == {
        "earn", "label_earn", "referral_bonus", "guide_earn", "tier_change", "redeem_hold", "redeem_post",
        "redeem_void", "lottery_draw", "donation", "reverse", "adjust", "expire", "member_register",
        "member_patch", "member_merge"}


def test_balanced_postings_pass():
    assert check_postings([Posting("store:s:issued", -100), Posting("member:m:consumer", 100)]) == ()
    assert check_postings(()) == ()  # an event without points (member_register) posts nothing


def test_unbalanced_postings_are_refused_with_the_total():
    res = check_postings([Posting("a", -100), Posting("b", 99)])
    assert codes(res) == ["ledger.unbalanced"]
    assert res[0].params["total"] == -1
    assert codes(check_postings([Posting("a", 5)])) == ["ledger.unbalanced"]


def test_zero_and_non_integer_postings_are_refused():
    assert codes(check_postings([Posting("a", 0)])) == ["ledger.zero_posting"]
    res = check_postings([Posting("a", 1.5), Posting("b", -1.5)])
    assert codes(res) == ["ledger.non_integer", "ledger.non_integer"]
    assert codes(check_postings([Posting("a", True), Posting("b", -1)])) == ["ledger.non_integer"]


@given(st.lists(st.tuples(st.sampled_from("abcd"), st.integers(-1000, 1000)), max_size=12))
def test_merge_postings_keeps_each_accounts_sum_and_drops_zeros(raw):
    postings = [Posting(a, v) for a, v in raw]
    merged = merge_postings(postings)
    assert len({p.account for p in merged}) == len(merged)
    assert all(p.amount != 0 for p in merged)
    for acct in "abcd":
        assert sum(p.amount for p in merged if p.account == acct) == sum(v for a, v in raw if a == acct)
    # first-seen order
    seen = list(dict.fromkeys(p.account for p in postings))
    assert [p.account for p in merged] == [a for a in seen if a in {p.account for p in merged}]


@given(st.lists(st.integers(-10**6, 10**6).filter(bool), min_size=1, max_size=8))
def test_any_list_balanced_by_one_counter_posting_passes(amounts):
    postings = [Posting(f"acct{i}", v) for i, v in enumerate(amounts)]
    total = sum(amounts)
    if total:
        assert codes(check_postings(postings)) == ["ledger.unbalanced"]
        postings.append(Posting("counter", -total))
    assert check_postings(postings) == ()


def test_payload_hash_ignores_key_order_and_sees_every_change():
    a = {"points": 10, "lines": [[1, "sku", 10]], "at": datetime(2026, 1, 1), "名": "李"}
    b = {"名": "李", "at": datetime(2026, 1, 1), "lines": [[1, "sku", 10]], "points": 10}
    assert canonical_json(a) == canonical_json(b)
    assert payload_hash(a) == payload_hash(b)
    assert len(payload_hash(a)) == 64 and int(payload_hash(a), 16) >= 0
    assert payload_hash({**a, "points": 11}) != payload_hash(a)
    assert payload_hash({**a, "lines": [[1, "sku", 10], [2, "x", 0]]}) != payload_hash(a)
    assert "李" in canonical_json(a)  # not \\u-escaped: the same bytes on every platform
    assert " " not in canonical_json({"a": 1, "b": [1, 2]})
