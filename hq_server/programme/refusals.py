"""A refusal that names the form field it is about, so a page can show the message beside it.

It is an HQProblem (422 unless said), so the JSON API and the error pages treat it like any other.

A refusal with values in it ("qty: s001 holds 3 of CUP: it cannot give up 5") is written with `said`:
the English sentence as a str (the JSON API, logs and tests read it as before), which also carries its
msgid and values, so a face shows it in the reader's language (the `tr` filter of hq_server.web.pages
translates the msgid, then puts the values in).
"""

from __future__ import annotations

from typing import Any

from pos_app.domain.problems import Problem

from hq_server.errors import HQProblem


class Said(str):
    """An English sentence made from a msgid with %(name)s placeholders and its values."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, params: dict[str, Any]) -> Said:
        text = super().__new__(cls, msgid % params if params else msgid)
        text.msgid, text.params = msgid, params
        return text


def said(msgid: str, /, **params: Any) -> str:
    """A refusal's sentence with values, translatable where it is shown (`said` is a gettext keyword for
    the catalogue test: tests/web/test_catalogues.py)."""
    return Said(msgid, params)


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
