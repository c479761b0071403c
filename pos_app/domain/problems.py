"""Validation results as data.

Validators return a tuple of `Problem`s instead of raising, so a caller can show all
of them at once and tests can assert on codes rather than message wording. Services
turn a non-empty result into a `Refused` error before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Problem:
    code: str  # stable machine code, e.g. "points.insufficient"; the UI translates by it
    message: str  # plain English for logs, CLI and tests
    params: dict[str, Any] = field(default_factory=dict, compare=False)

    def __str__(self) -> str:
        return self.message


Problems = tuple[Problem, ...]


class Refused(Exception):
    """A use case refused its input; nothing was changed."""

    def __init__(self, problems: Problems | list[Problem] | Problem):
        if isinstance(problems, Problem):
            problems = (problems,)
        self.problems: Problems = tuple(problems)
        super().__init__("; ".join(p.message for p in self.problems))

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(p.code for p in self.problems)


def problem(code: str, message: str, /, **params: Any) -> Problem:
    return Problem(code, message, params)


def refuse_if(problems: Problems | list[Problem]) -> None:
    if problems:
        raise Refused(problems)
