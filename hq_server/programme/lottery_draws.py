"""The lottery in the mall: a member draws, paying the lottery's points, within its daily limit.

The lotteries are the programme's records the tills draw from too (the catalogue's `lottery` type, set
in the console), read and checked with the tills' rules (pos_app.domain.lottery). A draw is what a
till's is (pos_app.services.points.lottery_draw): a `lottery_draw` event spending the points, with the
seed and the prize (an auditor replays the draw from them), and for a points prize an `earn` event
paying it; both written by HQ (hq_events) in one transaction. The member sees the prize, never the seed.

The daily limit counts the member's draws of that lottery on the chain's local day wherever they were
made (the mall's and the tills' that reached HQ), under HQ's writer lock: taps at once never draw past
it. The limit is the mall's setting (HQ_MALL_LOTTERY_DRAWS_PER_DAY, 3), or a record's `draws_per_day`
once the lottery's record holds one (the programme's parser does not accept it yet).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime

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
from pos_app.domain.lottery import Lottery, check_lottery, draw, parse_lottery

MAX_DRAWS_PER_DAY = 100


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


def _lottery(key: str, doc: dict) -> tuple[Lottery, int | None] | None:
    """The record as a till reads it (None: retired, inactive or not drawable) and its own daily limit."""
    if doc.get("active") is False:
        return None
    lottery = parse_lottery(key, doc)
    if not isinstance(lottery, Lottery) or check_lottery(lottery):
        return None
    per_day = doc.get("draws_per_day")
    ok = isinstance(per_day, int) and not isinstance(per_day, bool) and 1 <= per_day <= MAX_DRAWS_PER_DAY
    return lottery, per_day if ok else None


def _records(conn: Connection, key: str | None = None) -> list[tuple[Lottery, int | None]]:
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


def lotteries_open(db: Database, member_id: str, now: datetime, default_per_day: int) -> list[LotteryOffer]:
    with db.read() as conn:
        records = _records(conn)
        today = _draws_today(conn, member_id, now) if records else {}
    return [LotteryOffer(lot, per_day or default_per_day, today.get(lot.lottery_id, 0)) for lot, per_day in records]


def draw_lottery(db: Database, member_id: str, lottery_id: str, now: datetime, default_per_day: int) -> Drawn:
    if not isinstance(lottery_id, str) or not 0 < len(lottery_id) <= 64:
        raise HQProblem(404, "lottery_unknown", "no such lottery")
    with db.write() as (conn, seq):
        require_active_member(conn, member_id)
        found = _records(conn, lottery_id)
        if not found:
            raise HQProblem(404, "lottery_unknown", "no such lottery open")
        lottery, per_day = found[0]
        limit = per_day or default_per_day
        if _draws_today(conn, member_id, now).get(lottery.lottery_id, 0) >= limit:
            raise HQProblem(409, "no_draws_left", f"{limit} draws a day: draw again tomorrow")
        seed = secrets.randbits(63)  # kept in the event, so an auditor can replay the draw
        prize = draw(lottery, seed)
        rules = rules_now(conn, now)
        entries = [spend_entry(conn, Kind.LOTTERY_DRAW, member_id, lottery.points_per_draw,
                               to_account=L.store_redeemed(M.HQ_ORIGIN), now=now,
                               payload={"lottery_id": lottery.lottery_id, "seed": seed, "prize": prize.code,
                                        "prize_points": prize.points, "channel": "mall"})]
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
        names = {p.code: p.name for p in found[0][0].prizes} if found else {}
        name = found[0][0].name if found else str(doc.get("lottery_id"))
        return Drawn(event_id, str(doc.get("lottery_id")), name, str(doc.get("prize")),
                     names.get(str(doc.get("prize")), str(doc.get("prize"))), int(doc.get("prize_points") or 0),
                     int(doc.get("points") or 0), balance(conn, member_id))
