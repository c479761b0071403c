"""A refusal that names the form field it is about, so a page can show the message beside it.

It is an HQProblem (422 unless said), so the JSON API and the error pages treat it like any other.
"""

from __future__ import annotations

from pos_app.domain.problems import Problem

from hq_server.errors import HQProblem


class BadField(HQProblem):
    def __init__(self, field: str, message: str, code: str = "invalid_field", status: int = 422):
        super().__init__(status, code, message)
        self.field = field


def from_problems(problems: tuple[Problem, ...] | list[Problem], fields: dict[str, str] | None = None) -> BadField:
    """The first of a domain validator's problems as a BadField. The field is the problem's `field`
    parameter, else the one `fields` maps its code's last part to, else the code's last part."""
    p = problems[0]
    tail = p.code.rsplit(".", 1)[-1]
    field = p.params.get("field") or (fields or {}).get(tail) or tail
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return BadField(str(field), p.message + more, code=p.code)
