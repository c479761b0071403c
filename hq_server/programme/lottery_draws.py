"""The lottery in the mall: a member draws, paying the lottery's points, within its daily limit.

The lotteries are the programme's records the tills draw from too (the catalogue's `lottery` type, set
in the console), read and checked with the tills' rules (pos_app.domain.lottery). A draw is what a
till's is (pos_app.services.points.lottery_draw): a `lottery_draw` event spending the points, with the
seed and the prize (an auditor replays the draw from them), and for a points prize an `earn` event
paying it; both written by HQ (hq_events) in one transaction. The member sees the prize, never the seed.

The daily limit (the record's daily_draws; a lottery without one gets the mall's setting online,
HQ_MALL_LOTTERY_DRAWS_PER_DAY, 3) counts the member's draws of that lottery on the chain's local day
wherever they were made (the mall's and the tills' that reached HQ), under HQ's writer lock: taps at
once never draw past it (domain.lottery.check_draw). The record's daily_prize_points is a store's
budget of prize points a day; HQ's online channel is a store of its own here: the prizes today's
draws in the mall have paid count against it, and a prize beyond what is left is out of the draw
(domain.lottery.within_budget), as at a till.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from hq_server.ledger import hq_events
from hq_server import models as M
from hq_server.db import Database
from hq_server.errors import HQProblem
from hq_server.programme.member_standing import require_active_member
from hq_server.programme.online_points import balance, day_start, earn_entry, local_day, spend_entry
from hq_server.programme.rules_now import rules_now
from pos_app.domain import ledger as L
from pos_app.domain.ledger import Kind
from pos_app.domain.lottery import Lottery, check_draw, check_lottery, draw, parse_lottery, within_budget

@dataclass(frozen=True)
class LotteryOffer:
    lottery: Lottery
    draws_per_day: int
    draws_today: int

    @property
    def draws_left(self) -> int:
        return max(0, self.draws_per_day - self.draws_today)


@dataclass(frozen=True)
class Drawn:
    event_id: str
    lottery_id: str
    lottery_name: str
    prize_code: str
    prize_name: str
    prize_points: int
    points_paid: int
    balance: int


def _lottery(key: str, doc: dict[str, Any]) -> Lottery | None:
    """The record as a till reads it (None: retired, inactive or not drawable)."""
    if doc.get("active") is False:
        return None
    lottery = parse_lottery(key, doc)
    if not isinstance(lottery, Lottery) or check_lottery(lottery):
        return None
    return lottery


def _records(conn: Connection, key: str | None = None) -> list[Lottery]:
    c = M.catalog.c
    q = select(c.key, c.data).where(c.type == "lottery").order_by(c.key)
    rows = conn.execute(q.where(c.key == key) if key is not None else q).all()
    return [got for r in rows if (got := _lottery(r.key, json.loads(r.data)))]


def _draws_today(conn: Connection, member_id: str, now: datetime) -> dict[str, int]:
    e = M.events.c
    payloads = conn.execute(select(e.payload).where(
        e.member_id == member_id, e.kind == str(Kind.LOTTERY_DRAW), e.status == "applied",
        e.device_time >= day_start(local_day(now)))).scalars()
    counts: dict[str, int] = {}
    for text in payloads:
        key = str(json.loads(text).get("lottery_id"))
        counts[key] = counts.get(key, 0) + 1
    return counts


def _prizes_paid_online(conn: Connection, lottery_id: str, now: datetime) -> int:
    """Prize points HQ's online channel paid today in draws of this lottery (its daily budget's use)."""
    e = M.events.c
    payloads = conn.execute(select(e.payload).where(
        e.store_id == M.HQ_ORIGIN, e.kind == str(Kind.LOTTERY_DRAW), e.status == "applied",
        e.device_time >= day_start(local_day(now)))).scalars()
    paid = 0
    for text in payloads:
        doc = json.loads(text)
        if doc.get("lottery_id") == lottery_id:
            paid += int(doc.get("prize_points") or 0)
    return paid


def _limited(lottery: Lottery, default_per_day: int) -> Lottery:
    if lottery.daily_draws is not None:
        return lottery
    return replace(lottery, daily_draws=default_per_day)


def lotteries_open(db: Database, member_id: str, now: datetime, default_per_day: int) -> list[LotteryOffer]:
    with db.read() as conn:
        records = [_limited(lot, default_per_day) for lot in _records(conn)]
        today = _draws_today(conn, member_id, now) if records else {}
    # every record's daily_draws is set (_limited): the default is only for the type checker
    return [LotteryOffer(lot, default_per_day if lot.daily_draws is None else lot.daily_draws,
                         today.get(lot.lottery_id, 0)) for lot in records]


def draw_lottery(db: Database, member_id: str, lottery_id: str, now: datetime, default_per_day: int) -> Drawn:
    if not isinstance(lottery_id, str) or not 0 < len(lottery_id) <= 64:
        raise HQProblem(404, "lottery_unknown", "no such lottery")
    with db.write() as (conn, seq):
        require_active_member(conn, member_id)
        found = _records(conn, lottery_id)
        if not found:
            raise HQProblem(404, "lottery_unknown", "no such lottery open")
        lottery = _limited(found[0], default_per_day)
        refused = check_draw(lottery, draws_today=_draws_today(conn, member_id, now).get(lottery.lottery_id, 0))
        if refused:
            raise HQProblem(409, "no_draws_left", refused[0].message)
        offered = lottery
        if lottery.daily_prize_points is not None:
            left = max(0, lottery.daily_prize_points - _prizes_paid_online(conn, lottery.lottery_id, now))
            budgeted = within_budget(lottery, left)
            if not isinstance(budgeted, Lottery):
                raise HQProblem(409, "prizes_given_out", budgeted.message)
            offered = budgeted
        seed = secrets.randbits(63)  # kept in the event, so an auditor can replay the draw
        prize = draw(offered, seed)
        rules = rules_now(conn, now)
        payload = {"lottery_id": lottery.lottery_id, "seed": seed, "prize": prize.code, "prize_points": prize.points,
                   "channel": "mall"}
        if offered is not lottery:  # the prizes the budget left in the draw: what the seed replays against (as a till)
            payload["offered"] = [p.code for p in offered.prizes]
        entries = [spend_entry(conn, Kind.LOTTERY_DRAW, member_id, lottery.points_per_draw,
                               to_account=L.store_redeemed(M.HQ_ORIGIN), now=now, payload=payload)]
        if prize.points:
            entries.append(earn_entry(conn, Kind.EARN, member_id, prize.points, now=now, rules=rules, payload={
                "purpose": "lottery_prize", "lottery_id": lottery.lottery_id, "seed": seed}))
        written = hq_events.write(conn, seq, db.url, entries, staff_id=None, rule_version=rules.version, now=now)
        return Drawn(written[0].event_id, lottery.lottery_id, lottery.name, prize.code, prize.name, prize.points,
                     lottery.points_per_draw, balance(conn, member_id))


def drawn(db: Database, member_id: str, event_id: str) -> Drawn | None:
    """A draw of the member's, by its event (the result page after the draw), or None."""
    e = M.events.c
    with db.read() as conn:
        row = conn.execute(select(e.payload, e.member_id, e.kind).where(e.event_id == event_id[:36])).first()
        if row is None or row.member_id != member_id or row.kind != str(Kind.LOTTERY_DRAW):
            return None
        doc = json.loads(row.payload)
        found = _records(conn, str(doc.get("lottery_id")))
        names = {p.code: p.name for p in found[0].prizes} if found else {}
        name = found[0].name if found else str(doc.get("lottery_id"))
        return Drawn(event_id, str(doc.get("lottery_id")), name, str(doc.get("prize")),
                     names.get(str(doc.get("prize")), str(doc.get("prize"))), int(doc.get("prize_points") or 0),
                     int(doc.get("points") or 0), balance(conn, member_id))
