"""Rewards up a network of recruiters, at most three levels deep.

A shopping guide earns guide points on the sales the guide served (level 1, the rules' guide_pct); a
member who refers another earns agent points on the referee's first purchase (level 1, the rules'
referral_bonus). The one who recruited that guide, or referred that referrer, earns a share of it
(level 2), and their recruiter a smaller one (level 3). An agent can also recruit a retail store: the
agent earns agent points on the store's sales (level 1, a percent of the points those sales earned
their members), and the two who referred the agent levels 2 and 3. A refund takes back each level's
share of what it reverses. Never deeper: Chinese law treats rewards on
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
    store_pct: tuple[int, ...] = ()  # levels 1, 2, 3: percent of the points a recruited store's sales earned


FIELDS = ("guide_pct", "agent_pct", "store_pct")


def _most(name: str) -> int:
    """How many shares a field holds: the store's recruiter is level 1, the others' shares start at 2."""
    return MAX_LEVELS if name == "store_pct" else MAX_LEVELS - 1


def parse_level_rewards(doc: object) -> LevelRewards | Problems:
    """{"guide_pct": [10, 5], "agent_pct": [20], "store_pct": [2, 1, 1]}: lists of percents, at most two
    for guides and agents (levels 2 and 3), three for a recruited store's sales (levels 1 to 3)."""
    if not isinstance(doc, dict):
        return (problem("network.invalid", "rewards: must be an object", field="rewards"),)
    out, problems = {}, []
    for name in doc:
        if name not in FIELDS:
            problems.append(problem("network.invalid", f"{name}: not a field ({', '.join(FIELDS)})", field=name))
    for name in FIELDS:
        v = doc.get(name, [])
        if not isinstance(v, list) or not all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= 100
                                              for n in v):
            problems.append(problem("network.invalid", f"{name}: a list of percents 0..100", field=name))
        elif len(v) > _most(name):
            problems.append(problem("network.too_deep", f"{name}: rewards reach at most {MAX_LEVELS} levels, "
                                    f"not {len(v) + MAX_LEVELS - _most(name)}", field=name))
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


def store_rewards(points: int, shares: tuple[int, ...], chain: list[str]) -> list[tuple[str, int, int]]:
    """[(agent, level, points)] for a recruited store's sale that earned its member `points`: the agent
    who recruited the store (level 1) and the two who referred them (levels 2, 3), nearest first."""
    out = []
    for level, (holder, pct) in enumerate(zip(chain[:MAX_LEVELS], shares), start=1):
        reward = points * pct // 100
        if reward > 0:
            out.append((holder, level, reward))
    return out


def share_back(reward: int, source: int, reversed_before: int, reversing: int) -> int:
    """What a refund reversing `reversing` of a source's `source` points (after `reversed_before`) takes
    back of a `reward` paid on it: in proportion, rounded so the shares taken back over every refund add
    up to the whole reward once the whole source is reversed, never more."""
    if source <= 0:
        return 0
    done = min(source, reversed_before)
    after = min(source, done + max(0, reversing))
    return reward * after // source - reward * done // source
