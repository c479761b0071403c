"""The points game "grab the rice" (接米粒): rice falls, the member's bowl catches it, each catch is
worth points. HQ sets the game (plays a day, seconds a play, points a catch, the most a play can win)
and decides the award: the page only says how many it caught, which HQ believes up to what a quick
hand could catch in the time the play really lasted, and never beyond the cap. Pure rules: the mall's
use case (hq_server.programme.points_game) keeps the plays and writes the award as a ledger event.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pos_app.domain.problems import Problem, problem

# The page drops at most this many grains a second (static/mall/rice_game.js): more catches than that
# in the time a play lasted were not caught on the page.
MAX_CATCHES_PER_SECOND = 2
LIMITS = {"plays_per_day": (1, 50), "seconds": (10, 120), "points_per_catch": (1, 100),
          "max_points_per_play": (1, 10_000)}


@dataclass(frozen=True, slots=True)
class RiceGame:
    plays_per_day: int = 3
    seconds: int = 30
    points_per_catch: int = 1
    max_points_per_play: int = 30
    active: bool = True

    def to_doc(self) -> dict[str, Any]:
        return {"plays_per_day": self.plays_per_day, "seconds": self.seconds,
                "points_per_catch": self.points_per_catch, "max_points_per_play": self.max_points_per_play,
                "active": self.active}


def parse_rice_game(doc: object) -> RiceGame | tuple[Problem, ...]:
    """HQ's settings of the game (a JSON object), every field checked; problems name the field."""
    if not isinstance(doc, dict):
        return (problem("game.doc", "the game's settings are a JSON object"),)
    unknown = sorted(set(doc) - set(LIMITS) - {"active"})
    problems = [problem("game.unknown", f"{name}: not a setting of the game", field=name) for name in unknown]
    values, defaults = {}, RiceGame()
    for name, (least, most) in LIMITS.items():
        value = doc.get(name, getattr(defaults, name))
        if not isinstance(value, int) or isinstance(value, bool) or not least <= value <= most:
            problems.append(problem(f"game.{name}", f"{name} is a whole number from {least} to {most}", field=name))
        values[name] = value
    active = doc.get("active", True)
    if not isinstance(active, bool):
        problems.append(problem("game.active", "active is true or false", field="active"))
    if problems:
        return tuple(problems)
    return RiceGame(**values, active=active)


def award(game: RiceGame, catches: int, played_seconds: float) -> tuple[int, int]:
    """(catches counted, points won) for a play that lasted `played_seconds` and says it caught `catches`."""
    if catches < 0:
        raise ValueError("catches are never negative")
    possible = int(max(0.0, min(played_seconds, game.seconds)) * MAX_CATCHES_PER_SECOND)
    counted = min(catches, possible, game.max_points_per_play // game.points_per_catch)
    return counted, min(counted * game.points_per_catch, game.max_points_per_play)
