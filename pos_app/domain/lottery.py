"""Lottery draws paid with points.

The draw is a pure function of a recorded seed and the prize table, so an auditor
can replay any draw from the event and get the same prize.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from pos_app.domain.fields import Fields
from pos_app.domain.problems import Problem, Problems, problem


@dataclass(frozen=True, slots=True)
class Prize:
    code: str
    name: str
    weight: int
    points: int = 0  # points won (0 for "thanks for playing" or a physical prize)


@dataclass(frozen=True, slots=True)
class Lottery:
    lottery_id: str
    name: str
    points_per_draw: int
    prizes: tuple[Prize, ...]
    daily_draws: int | None = None  # draws one member may make a day (None: no limit)
    # prize points a store may pay out a day, its tills splitting it as they split the offline budget
    # (None: no budget); a prize beyond what is left is out of the day's draws
    daily_prize_points: int | None = None


def check_draw(lottery: Lottery, *, draws_today: int) -> tuple[Problem, ...]:
    """Whether the member may draw again today."""
    if lottery.daily_draws is not None and draws_today >= lottery.daily_draws:
        return (problem("lottery.daily_limit", f"{lottery.name}: {lottery.daily_draws} draws a day, all made today",
                        limit=lottery.daily_draws),)
    return ()


def within_budget(lottery: Lottery, points_left: int | None) -> Lottery | Problem:
    """The lottery with only the prizes today's budget can still pay (points_left None: every prize).
    The weights of the prizes left keep their proportions; with none left there is nothing to draw."""
    if points_left is None:
        return lottery
    offered = tuple(p for p in lottery.prizes if p.points <= points_left)
    if not offered or sum(p.weight for p in offered) <= 0:
        return problem("lottery.budget_spent", f"{lottery.name}: today's prizes are all given out")
    return Lottery(lottery.lottery_id, lottery.name, lottery.points_per_draw, offered, lottery.daily_draws,
                   lottery.daily_prize_points)


def check_lottery(lottery: Lottery) -> tuple[Problem, ...]:
    if lottery.points_per_draw <= 0 or not lottery.prizes or any(p.weight < 0 or p.points < 0 for p in lottery.prizes):
        return (problem("lottery.bad_table", "prize table needs positive cost and non-negative weights"),)
    if sum(p.weight for p in lottery.prizes) <= 0:
        return (problem("lottery.bad_table", "prize weights must not all be zero"),)
    return ()


def parse_lottery(lottery_id: str, data: object, *, strict: bool = False) -> Lottery | Problems:
    """A lottery record as HQ publishes it (pos_app.domain.fields: HQ strict, a till lenient). Each
    prize is {code, name, weight, points}; prize codes are unique (a draw's event names its prize by code).
    HQ's limits: daily_draws (per member), daily_prize_points (per store)."""
    f = Fields("lottery", data, strict=strict)
    name, cost = f.need_text("name"), f.need_whole("points_per_draw", least=1)
    prizes, weights = [], []
    for prefix, item in f.items("prizes"):
        p = f.nested(prefix, item)
        code, weight = p.need_text("code", max_len=16), p.whole("weight", most=1_000_000)
        weights.append(weight)
        prizes.append(Prize(code, p.need_text("name"), weight or 0, p.need_whole("points", default=0)))
        f.join(p)
    lottery = Lottery(lottery_id, name, cost, tuple(prizes), f.whole("daily_draws", required=False, least=1),
                      f.whole("daily_prize_points", required=False))
    codes = [p.code for p in prizes if p.code]
    if len(set(codes)) != len(codes):
        f.bad("prizes", "prize codes must be unique")
    if weights and all(isinstance(w, int) for w in weights) and sum(w or 0 for w in weights) <= 0:
        f.bad("prizes", "prize weights must not all be zero")
    return f.done() or lottery


def draw(lottery: Lottery, seed: int) -> Prize:
    rng = random.Random(seed)
    return rng.choices(lottery.prizes, weights=[p.weight for p in lottery.prizes], k=1)[0]
