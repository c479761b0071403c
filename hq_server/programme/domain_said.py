"""A domain parser's English refusals (pos_app.domain: "consumer.min_withdraw_points: must be a whole
number from 1 to 100000"), said again with `said` so the console shows them in the reader's language.

A use case lists the sentence shapes its parser writes, each a `said` msgid with %(name)s places
(`said(...)` without values: the catalogue test finds them). A message that fits a shape becomes that
sentence with the values read back out of it, so its English is the very same text (the JSON API,
logs and tests read it as before); one that fits none is kept as it is.

    resay(message, SHAPES) -> str      one sentence
    resaid(problems, SHAPES) -> str   the problems joined by "; " (as the use cases always wrote them)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from pos_app.domain.problems import Problem

from hq_server.programme.refusals import said

_PLACE = re.compile(r"%\((\w+)\)s")

# The shapes of pos_app.domain.fields.Fields' sentences (a field's name first), for every record's parser.
FIELDS = (
    said("%(field)s: must be a whole number from %(least)s to 9223372036854775807"),
    said("%(field)s: must be a whole number from %(least)s to %(most)s"),
    said("%(field)s: must be text of 1 to %(n)s characters"),
    said("%(field)s: must be true or false"),
    said("%(field)s: is required"),
    said("%(field)s: is not a field of this record"),
    said("%(field)s: must be an object"),
)


@cache
def _pattern(msgid: str) -> re.Pattern[str]:
    parts = _PLACE.split(msgid)  # text, name, text, name, ..., text
    return re.compile("".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts)),
                      re.DOTALL)


def resay(message: str, shapes: Sequence[str]) -> str:
    """The message as the first shape it fits, said with the values read out of it (else as it is)."""
    for shape in shapes:
        msgid = getattr(shape, "msgid", shape)
        found = _pattern(msgid).fullmatch(message)
        if found:
            again = said(msgid, **found.groupdict())
            if again == message:
                return again
    return message


def resaid(problems: Sequence[Problem], shapes: Sequence[str]) -> str:
    """The problems' sentences joined by "; ", said when every one fits a shape (else the plain text)."""
    parts = [resay(p.message, shapes) for p in problems]
    if not parts or not all(hasattr(p, "msgid") for p in parts):
        return "; ".join(p.message for p in problems)
    out = parts[-1]
    for part in reversed(parts[:-1]):
        # one after another (a said value inside a said sentence is put in in the reader's language too)
        out = said("%(one)s; %(more)s", one=part, more=out)
    return out
