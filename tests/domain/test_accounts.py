"""Account names: built by pos_app.domain.ledger's builders, taken apart by parse_account only."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain import ledger as L
from pos_app.domain.ledger import Account, AccountKind, PointType, member_of, parse_account

ids = st.text(st.characters(whitelist_categories=("Ll", "Nd"), whitelist_characters="-"), min_size=1, max_size=36)


@given(ids, st.sampled_from(list(PointType)))
def test_every_built_name_parses_back_to_its_parts(holder, ptype):
    assert parse_account(L.member_account(holder, ptype)) == Account(AccountKind.MEMBER, holder, ptype)
    assert parse_account(L.debt_account(holder)) == Account(AccountKind.DEBT, holder)
    assert parse_account(L.guide_account(holder)) == Account(AccountKind.STAFF, holder, "guide")
    assert parse_account(L.store_issued(holder)) == Account(AccountKind.STORE, holder, "issued")
    assert parse_account(L.store_redeemed(holder)) == Account(AccountKind.STORE, holder, "redeemed")
    assert parse_account(L.suspense(holder)) == Account(AccountKind.SUSPENSE, holder)
    assert member_of(L.member_account(holder, ptype)) == member_of(L.debt_account(holder)) == holder
    assert member_of(L.guide_account(holder)) is None


@pytest.mark.parametrize("name", ["", "member", "member:m1", "member:m1:gold", "member::consumer", "debt:",
                                  "debt:m1:x", "store:s1:spent", "hq:snapshot", "hq:remote", "breakage:x"])
def test_names_the_ledger_never_makes_are_no_account(name):
    assert parse_account(name) is None
    assert member_of(name) is None


def test_the_chains_sinks_and_holders():
    assert parse_account(L.BREAKAGE) == Account(AccountKind.BREAKAGE)
    assert parse_account(L.CHARITY) == Account(AccountKind.CHARITY)
    assert parse_account("member:m1:agent").is_holder and parse_account("staff:s1:guide").is_holder
    assert not parse_account("debt:m1").is_holder
