"""What each of the programme's three point types may be used for, as HQ sets it.

Consumer points are spent at the counter and in the mall; guide points (a shopping guide's, earned on
the sales the guide served) and agent points (a referrer's) are earnings: they are withdrawn as cash,
through a request HQ approves, paid out by finance (no payment gateway). HQ may let consumer points be
withdrawn too. A withdrawal is at least `min_withdraw_points`, paid at `fen_per_100_points`.
"""

from __future__ import annotations

from dataclasses import dataclass

from pos_app.domain.fields import Fields
from pos_app.domain.ledger import PointType
from pos_app.domain.problems import Problem, Problems, problem


@dataclass(frozen=True, slots=True)
class PointPolicy:
    withdraw: bool  # may be withdrawn as cash
    min_withdraw_points: int = 1000
    fen_per_100_points: int = 100  # 100 points pay 1 yuan by default


DEFAULTS = {PointType.CONSUMER: PointPolicy(False), PointType.GUIDE: PointPolicy(True),
            PointType.AGENT: PointPolicy(True)}


def parse_policies(doc: object) -> dict[PointType, PointPolicy] | Problems:
    """{"consumer": {...}, "guide": {...}, "agent": {...}}: each type's policy (a type left out keeps
    its default); problems name the field (`guide.min_withdraw_points`)."""
    if not isinstance(doc, dict):
        return (problem("policy.invalid", "policies: must be an object by point type", field="policies"),)
    problems: list[Problem] = []
    out = dict(DEFAULTS)
    for name in doc:
        if name not in set(PointType):
            problems.append(problem("policy.invalid", f"{name}: not a point type (consumer, guide, agent)",
                                    field=str(name)))
    for ptype in PointType:
        if ptype.value not in doc:
            continue
        f = Fields("policy", doc[ptype.value], strict=True, prefix=f"{ptype.value}.", item=False)
        base = DEFAULTS[ptype]
        withdraw = f.flag("withdraw", base.withdraw)
        least = f.whole("min_withdraw_points", default=base.min_withdraw_points, least=1)
        rate = f.whole("fen_per_100_points", default=base.fen_per_100_points, least=1, most=100_000)
        problems += f.done()
        if least is not None and rate is not None:  # None: a problem named the field
            out[ptype] = PointPolicy(withdraw, least, rate)
    return tuple(problems) or out


def check_withdrawal(policy: PointPolicy, ptype: PointType, points: int, spendable: int) -> Problems:
    if not policy.withdraw:
        return (problem("withdraw.not_allowed", f"{ptype} points cannot be withdrawn", field="point_type"),)
    if not isinstance(points, int) or isinstance(points, bool) or points < policy.min_withdraw_points:
        return (problem("withdraw.too_small", f"points: at least {policy.min_withdraw_points} a withdrawal",
                        field="points"),)
    if points > spendable:
        return (problem("points.insufficient", f"points: only {spendable} can be withdrawn now", field="points"),)
    return ()


def payout_fen(policy: PointPolicy, points: int) -> int:
    """The cash a withdrawal of `points` pays, in fen (rounded down)."""
    return points * policy.fen_per_100_points // 100
