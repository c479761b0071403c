"""Rewards up a network of recruiters, at most three levels deep.

A shopping guide earns guide points on the sales the guide served (level 1, the rules' guide_pct); a
member who refers another earns agent points on the referee's first purchase (level 1, the rules'
referral_bonus). The one who recruited that guide, or referred that referrer, earns a share of it
(level 2), and their recruiter a smaller one (level 3). Never deeper: Chinese law treats rewards on
more levels as pyramid selling (传销), so HQ's table holds two shares at most, and the chain is walked
two steps up at most whatever its length.
"""

from __future__ import annotations

from dataclasses import dataclass

from pos_app.domain.problems import Problems, problem

MAX_LEVELS = 3  # the earner's own level and two above


@dataclass(frozen=True, slots=True)
class LevelRewards:
    guide_pct: tuple[int, ...] = ()  # levels 2, 3: percent of the level-1 guide points
    agent_pct: tuple[int, ...] = ()  # levels 2, 3: percent of the level-1 referral bonus


def parse_level_rewards(doc: object) -> LevelRewards | Problems:
    """{"guide_pct": [10, 5], "agent_pct": [20]}: each a list of at most two percents (levels 2 and 3)."""
    if not isinstance(doc, dict):
        return (problem("network.invalid", "rewards: must be an object", field="rewards"),)
    out, problems = {}, []
    for name in doc:
        if name not in ("guide_pct", "agent_pct"):
            problems.append(problem("network.invalid", f"{name}: not a field (guide_pct, agent_pct)", field=name))
    for name in ("guide_pct", "agent_pct"):
        v = doc.get(name, [])
        if not isinstance(v, list) or not all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= 100
                                              for n in v):
            problems.append(problem("network.invalid", f"{name}: a list of percents 0..100", field=name))
        elif len(v) > MAX_LEVELS - 1:
            problems.append(problem("network.too_deep", f"{name}: rewards reach at most {MAX_LEVELS} levels "
                                    f"(the earner and {MAX_LEVELS - 1} above), not {len(v) + 1}", field=name))
        else:
            out[name] = tuple(v)
    return tuple(problems) or LevelRewards(**out)


def upline_rewards(points: int, shares: tuple[int, ...], upline: list[str]) -> list[tuple[str, int, int]]:
    """[(recruiter, level, points)] for a level-1 reward of `points`: each level's share of it, for the
    recruiters up the chain (nearest first), at most two levels up; nothing for a share that rounds to 0."""
    out = []
    for level, (holder, pct) in enumerate(zip(upline[:MAX_LEVELS - 1], shares), start=2):
        reward = points * pct // 100
        if reward > 0:
            out.append((holder, level, reward))
    return out
