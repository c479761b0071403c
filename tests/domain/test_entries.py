"""What each kind of change posts: double entry, lots, debt repaid first."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from pos_app.domain import entries as E
from pos_app.domain import ledger as L
from pos_app.domain.give_back import LotRoom, Room
from pos_app.domain.ledger import Entry, Kind, LotGrant, LotTake, Posting, check_postings
from pos_app.domain.lots import Lot
from pos_app.domain.problems import Problem
from pos_app.domain.rules import Rules

NOW = datetime(2026, 6, 1, 12, 0)
DAY = timedelta(days=1)
M = "m1"
ACCT = L.member_account(M)
DEBT = L.debt_account(M)
ISSUED = L.store_issued("s1")
RULES = Rules(version=1, lock_days=2, expiry_days=100)


def balanced(entry: Entry) -> bool:
    return check_postings(entry.postings) == () and sum(p.amount for p in entry.postings) == 0


def lot(lot_id, remaining, expires_in=50, available_in=-1):
    return Lot(lot_id, ACCT, remaining, NOW + available_in * DAY, NOW + expires_in * DAY)


def room(*lots: tuple[str, int, int], owed: int = 0) -> Room:
    """(lot id, room, expires in days) of the member's lots that are not full."""
    return Room(tuple(LotRoom(i, n, NOW + d * DAY) for i, n, d in lots), owed, "NEW", NOW, NOW + 30 * DAY)


def test_earn_issues_points_from_the_store_into_a_new_locked_lot():
    e = E.earn(Kind.EARN, member_id=M, points=120, store_id="s1", owed=0, lot_id="L1", now=NOW, rules=RULES,
               payload={"sale_id": "x"})
    assert balanced(e)
    assert set(e.postings) == {Posting(ISSUED, -120), Posting(ACCT, 120)}
    assert e.grants == (LotGrant("L1", ACCT, 120, NOW + 2 * DAY, NOW + 100 * DAY),)
    assert e.kind is Kind.EARN and e.member_id == M
    assert e.payload == {"sale_id": "x", "points": 120, "debt_repaid": 0}


def test_later_earnings_repay_debt_first():
    e = E.earn(Kind.EARN, member_id=M, points=100, store_id="s1", owed=30, lot_id="L1", now=NOW, rules=RULES,
               payload={})
    assert balanced(e)
    assert set(e.postings) == {Posting(ISSUED, -100), Posting(DEBT, 30), Posting(ACCT, 70)}
    assert e.grants[0].amount == 70  # only what is kept becomes a lot
    assert e.payload["debt_repaid"] == 30


def test_debt_larger_than_the_earning_takes_it_all_and_grants_no_lot():
    e = E.earn(Kind.EARN, member_id=M, points=40, store_id="s1", owed=100, lot_id="L1", now=NOW, rules=RULES,
               payload={})
    assert balanced(e)
    assert set(e.postings) == {Posting(ISSUED, -40), Posting(DEBT, 40)}
    assert e.grants == ()
    assert e.payload["debt_repaid"] == 40


def test_a_negative_owed_figure_never_credits_more_than_was_issued():
    e = E.earn(Kind.EARN, member_id=M, points=40, store_id="s1", owed=-25, lot_id="L1", now=NOW, rules=RULES,
               payload={})
    assert set(e.postings) == {Posting(ISSUED, -40), Posting(ACCT, 40)}
    assert e.grants[0].amount == 40 and e.payload["debt_repaid"] == 0


def test_referral_bonus_goes_to_the_referrers_agent_account():
    e = E.earn(Kind.REFERRAL_BONUS, member_id="ref", points=200, store_id="s1", owed=0, lot_id="L9", now=NOW,
               rules=RULES, payload={"referee": M}, ptype=L.PointType.AGENT)
    agent = L.member_account("ref", L.PointType.AGENT)
    assert balanced(e) and set(e.postings) == {Posting(ISSUED, -200), Posting(agent, 200)}
    assert e.grants[0].account == agent and e.member_id == "ref" and e.payload["referee"] == M


def test_guide_points_credit_the_staff_account_with_no_debt_and_optionally_no_lock():
    g = L.guide_account("st1")
    e = E.credit(Kind.GUIDE_EARN, account=g, points=15, source=ISSUED, debt_acct=None, owed=999, lot_id="G1",
                 now=NOW, rules=RULES, payload={"guide_id": "st1"}, member_id=None)
    assert balanced(e) and set(e.postings) == {Posting(ISSUED, -15), Posting(g, 15)}
    assert e.payload["debt_repaid"] == 0  # no debt account: `owed` is ignored
    assert e.grants[0].available_at == NOW + 2 * DAY
    unlocked = E.credit(Kind.ADJUST, account=ACCT, points=5, source=ISSUED, debt_acct=DEBT, owed=0, lot_id="A1",
                        now=NOW, rules=RULES, payload={}, member_id=M, lock=False)
    assert unlocked.grants[0].available_at == NOW


def test_spend_takes_soonest_expiring_lots_and_posts_to_the_destination():
    lots = [lot("late", 100, expires_in=90), lot("soon", 40, expires_in=3)]
    e = E.spend(Kind.DONATION, member_id=M, lots=lots, points=60, to_account=L.CHARITY, now=NOW, payload={})
    assert balanced(e)
    assert e.postings == (Posting(ACCT, -60), Posting(L.CHARITY, 60))
    assert e.takes == (LotTake("soon", 40), LotTake("late", 20))
    assert e.payload["lots"] == [["soon", 40], ["late", 20]]
    assert E.takes_from_doc(e.payload["lots"]) == e.takes


def test_spend_refuses_more_than_is_spendable_and_nothing_at_all():
    lots = [lot("a", 10), lot("locked", 100, available_in=1)]
    res = E.spend(Kind.REDEEM_HOLD, member_id=M, lots=lots, points=11, to_account=L.suspense("s1"), now=NOW,
                  payload={})
    assert isinstance(res, Problem) and res.code == "points.insufficient"
    res = E.spend(Kind.REDEEM_HOLD, member_id=M, lots=lots, points=0, to_account=L.suspense("s1"), now=NOW,
                  payload={})
    assert isinstance(res, Problem) and res.code == "points.not_positive"


def test_hold_then_void_returns_points_into_the_same_lots():
    lots = [lot("a", 30, expires_in=5), lot("b", 100)]
    hold = E.spend(Kind.REDEEM_HOLD, member_id=M, lots=lots, points=50, to_account=L.suspense("s1"), now=NOW,
                   payload={})
    void = E.release_hold(Kind.REDEEM_VOID, member_id=M, hold_takes=hold.takes, points=50, store_id="s1",
                          payload={"redemption": "r"}, room=room(("a", 30, 5), ("b", 20, 50)))
    assert balanced(void)
    assert void.postings == (Posting(L.suspense("s1"), -50), Posting(ACCT, 50))
    assert void.takes == (LotTake("a", -30), LotTake("b", -20))
    net = {}
    for t in hold.takes + void.takes:
        net[t.lot_id] = net.get(t.lot_id, 0) + t.amount
    assert set(net.values()) == {0}


def test_post_hold_moves_points_from_suspense_to_store_redeemed():
    e = E.post_hold(member_id=M, points=50, store_id="s1", payload={})
    assert balanced(e) and e.kind is Kind.REDEEM_POST
    assert e.postings == (Posting(L.suspense("s1"), -50), Posting(L.store_redeemed("s1"), 50))


def test_reverse_takes_back_from_the_sales_lot_first():
    lots = [lot("other", 100, expires_in=2), lot("sale", 30)]
    e = E.reverse_earned(account=ACCT, debt_acct=DEBT, points=40, lots=lots, first_lot="sale", sink=ISSUED,
                         now=NOW, payload={}, member_id=M)
    assert balanced(e) and e.kind is Kind.REVERSE
    assert set(e.postings) == {Posting(ISSUED, 40), Posting(ACCT, -40)}
    assert e.takes == (LotTake("sale", 30), LotTake("other", 10))
    assert e.payload["debt_added"] == 0


def test_reversing_points_already_spent_makes_member_debt():
    lots = [lot("sale", 10)]
    e = E.reverse_earned(account=ACCT, debt_acct=DEBT, points=50, lots=lots, first_lot="sale", sink=ISSUED,
                         now=NOW, payload={}, member_id=M)
    assert balanced(e)
    assert set(e.postings) == {Posting(ISSUED, 50), Posting(ACCT, -10), Posting(DEBT, -40)}
    assert e.payload["debt_added"] == 40
    nothing_left = E.reverse_earned(account=ACCT, debt_acct=DEBT, points=50, lots=[], first_lot=None, sink=ISSUED,
                                    now=NOW, payload={}, member_id=M)
    assert set(nothing_left.postings) == {Posting(ISSUED, 50), Posting(DEBT, -50)}
    assert nothing_left.takes == ()


def test_give_back_returns_spent_points_into_their_lots():
    e = E.give_back(member_id=M, points=25, lot_takes=(LotTake("a", 20), LotTake("b", 5)),
                    source=L.store_redeemed("s1"), payload={}, room=room(("a", 20, 50), ("b", 40, 60)))
    assert balanced(e)
    assert e.postings == (Posting(L.store_redeemed("s1"), -25), Posting(ACCT, 25))
    assert e.takes == (LotTake("a", -20), LotTake("b", -5))
    assert e.payload["points_returned"] == 25 and "debt_repaid" not in e.payload and e.grants == ()


def test_a_give_back_its_lot_has_no_room_for_fills_other_lots_then_repays_debt_then_makes_a_lot():
    """After a double spend: lot a was refilled by another store's cancel (room 4 of the 800
    taken); lots c (soonest expiry) and b have some room; the member owes 300."""
    taken = (LotTake("a", 800),)
    rooms = room(("a", 4, 50), ("b", 100, 60), ("c", 50, 10), owed=300)
    e = E.give_back(member_id=M, points=800, lot_takes=taken, source=L.store_redeemed("s1"), payload={},
                    room=rooms)
    assert balanced(e)
    assert e.takes == (LotTake("a", -4), LotTake("c", -50), LotTake("b", -100))
    assert e.payload["debt_repaid"] == 300
    assert e.grants == (LotGrant("NEW", ACCT, 800 - 154 - 300, NOW, NOW + 30 * DAY),)
    assert set(e.postings) == {Posting(L.store_redeemed("s1"), -800), Posting(ACCT, 500), Posting(DEBT, 300)}
    # the account gains exactly what its lots gain
    assert dict((p.account, p.amount) for p in e.postings)[ACCT] == -sum(t.amount for t in e.takes) + e.grants[0].amount
    no_debt = E.release_hold(Kind.REDEEM_VOID, member_id=M, hold_takes=taken, points=800, store_id="s1",
                             payload={}, room=room(("a", 4, 50)))
    assert no_debt.takes == (LotTake("a", -4),) and no_debt.grants[0].amount == 796
    assert set(no_debt.postings) == {Posting(L.suspense("s1"), -800), Posting(ACCT, 800)}


def test_expire_moves_what_is_left_of_expired_lots_to_breakage():
    lots = [lot("old", 7, expires_in=-1), lot("empty", 0, expires_in=-1), lot("young", 50)]
    e = E.expire(account=ACCT, lots=lots, now=NOW, member_id=M)
    assert balanced(e) and e.kind is Kind.EXPIRE
    assert e.postings == (Posting(ACCT, -7), Posting(L.BREAKAGE, 7))
    assert e.takes == (LotTake("old", 7),)
    assert E.expire(account=ACCT, lots=[lot("young", 50)], now=NOW, member_id=M) is None


def test_split_back_walks_earlier_takes_in_order():
    takes = (LotTake("a", 30), LotTake("b", 20), LotTake("c", 10))
    assert E.split_back(takes, 35) == (LotTake("a", 30), LotTake("b", 5))
    assert E.split_back(takes, 60) == takes
    assert E.split_back(takes, 0) == ()


# A random walk over the entries, applied to an in-memory ledger, checking the invariants
# DESIGN.md section 3 promises: postings sum to zero, a holder's balance is the sum of its
# lots, no lot goes below zero, debt is never positive.

class Book:
    def __init__(self):
        self.bal: dict[str, int] = {}
        self.lots: dict[str, Lot] = {}
        self.original: dict[str, int] = {}
        self.n = 0

    def apply(self, e: Entry) -> None:
        assert check_postings(e.postings) == ()
        for p in e.postings:
            self.bal[p.account] = self.bal.get(p.account, 0) + p.amount
        for g in e.grants:
            self.lots[g.lot_id] = Lot(g.lot_id, g.account, g.amount, g.available_at, g.expires_at)
            self.original[g.lot_id] = g.amount
        for t in e.takes:
            x = self.lots[t.lot_id]
            self.lots[t.lot_id] = Lot(x.lot_id, x.account, x.remaining - t.amount, x.available_at, x.expires_at)

    def member_lots(self) -> list[Lot]:
        return [x for x in self.lots.values() if x.account == ACCT]

    def room(self, now: datetime) -> Room:
        self.n += 1
        return Room(tuple(LotRoom(x.lot_id, self.original[x.lot_id] - x.remaining, x.expires_at)
                          for x in self.member_lots() if x.remaining < self.original[x.lot_id]),
                    -self.bal.get(DEBT, 0), f"L{self.n:04d}", now, now + 100 * DAY)

    def check(self) -> None:
        assert sum(self.bal.values()) == 0
        assert self.bal.get(ACCT, 0) == sum(x.remaining for x in self.member_lots())
        assert all(0 <= x.remaining <= self.original[x.lot_id] for x in self.lots.values())
        assert self.bal.get(DEBT, 0) <= 0


ops = st.lists(st.tuples(st.sampled_from(["earn", "spend", "reverse", "hold_void", "wait", "expire"]),
                         st.integers(1, 400)), max_size=30)


@settings(max_examples=150, deadline=None)
@given(ops)
def test_random_sequences_keep_the_ledger_whole(steps):
    book = Book()
    now = NOW
    earned: dict[str, int] = {}  # sale lot -> points still reversible
    for op, n in steps:
        if op == "earn":
            book.n += 1
            lot_id = f"L{book.n:04d}"
            e = E.earn(Kind.EARN, member_id=M, points=n, store_id="s1", owed=-book.bal.get(DEBT, 0), lot_id=lot_id,
                       now=now, rules=RULES, payload={})
            earned[lot_id] = n
        elif op == "spend":
            e = E.spend(Kind.DONATION, member_id=M, lots=book.member_lots(), points=n, to_account=L.CHARITY,
                        now=now, payload={})
            if isinstance(e, Problem):
                assert n > sum(x.remaining for x in book.member_lots() if x.spendable(now))
                continue
        elif op == "reverse":
            if not earned:
                continue
            lot_id, left = next(iter(earned.items()))
            pts = min(n, left)
            earned[lot_id] -= pts
            if not earned[lot_id]:
                del earned[lot_id]
            debt_before = book.bal.get(DEBT, 0)
            e = E.reverse_earned(account=ACCT, debt_acct=DEBT, points=pts, lots=book.member_lots(),
                                 first_lot=lot_id, sink=L.store_issued("s1"), now=now, payload={}, member_id=M)
            book.apply(e)
            assert book.bal.get(DEBT, 0) == debt_before - e.payload["debt_added"]
            book.check()
            continue
        elif op == "hold_void":
            hold = E.spend(Kind.REDEEM_HOLD, member_id=M, lots=book.member_lots(), points=n,
                           to_account=L.suspense("s1"), now=now, payload={})
            if isinstance(hold, Problem):
                continue
            book.apply(hold)
            book.check()
            e = E.release_hold(Kind.REDEEM_VOID, member_id=M, hold_takes=hold.takes, points=n, store_id="s1",
                               payload={}, room=book.room(now))
        elif op == "wait":
            now += timedelta(days=n % 60)
            continue
        else:
            e = E.expire(account=ACCT, lots=book.member_lots(), now=now, member_id=M)
            if e is None:
                assert not any(x.remaining and x.expires_at <= now for x in book.member_lots())
                continue
        book.apply(e)
        book.check()
    assert book.bal.get(L.suspense("s1"), 0) == 0  # every hold was voided
