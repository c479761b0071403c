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


def check_lottery(lottery: Lottery) -> tuple[Problem, ...]:
    if lottery.points_per_draw <= 0 or not lottery.prizes or any(p.weight < 0 or p.points < 0 for p in lottery.prizes):
        return (problem("lottery.bad_table", "prize table needs positive cost and non-negative weights"),)
    if sum(p.weight for p in lottery.prizes) <= 0:
        return (problem("lottery.bad_table", "prize weights must not all be zero"),)
    return ()


def parse_lottery(lottery_id: str, data: object, *, strict: bool = False) -> Lottery | Problems:
    """A lottery record as HQ publishes it (pos_app.domain.fields: HQ strict, a till lenient). Each
    prize is {code, name, weight, points}; prize codes are unique (a draw's event names its prize by code)."""
    f = Fields("lottery", data, strict=strict)
    name, cost = f.text("name"), f.whole("points_per_draw", least=1)
    prizes = []
    for prefix, item in f.items("prizes"):
        p = f.nested(prefix, item)
        prizes.append(Prize(p.text("code", max_len=16), p.text("name"), p.whole("weight", most=1_000_000),
                            p.whole("points", default=0)))
        f.join(p)
    lottery = Lottery(lottery_id, name, cost, tuple(prizes))
    codes = [p.code for p in prizes if p.code]
    if len(set(codes)) != len(codes):
        f.bad("prizes", "prize codes must be unique")
    if prizes and all(isinstance(p.weight, int) for p in prizes) and sum(p.weight for p in prizes) <= 0:
        f.bad("prizes", "prize weights must not all be zero")
    return f.done() or lottery


def draw(lottery: Lottery, seed: int) -> Prize:
    rng = random.Random(seed)
    return rng.choices(lottery.prizes, weights=[p.weight for p in lottery.prizes], k=1)[0]
