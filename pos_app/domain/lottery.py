"""Lottery draws paid with points.

The draw is a pure function of a recorded seed and the prize table, so an auditor
can replay any draw from the event and get the same prize.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from pos_app.domain.problems import Problem, problem


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


def draw(lottery: Lottery, seed: int) -> Prize:
    rng = random.Random(seed)
    return rng.choices(lottery.prizes, weights=[p.weight for p in lottery.prizes], k=1)[0]
