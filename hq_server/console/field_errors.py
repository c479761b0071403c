"""A refusal beside a form's field, in the reader's language.

A use case's sentence is shown as it is where the console's catalogue has its Chinese (a fixed sentence,
or one written with `said`, domain checks' sentences included: hq_server.programme.domain_said). A
sentence of a shape no use case lists would read English-only on a Chinese page: it is put inside a
sentence of the reader's language that says to check the field, its own words kept as the detail.

Two things a use case's sentence may hold are said again here, so a page never shows English on a Chinese
page nor a field's code where its label is written:
- a field's code (its `field` value, "guide_pct"), as the label the form shows beside it, when the page
  gives its labels (`names`: {field: label msgid, or a said label});
- a sentence of the tills' domain put inside it as a value ("only 94 points can be spent now, 99999
  needed", the `why` of a refused adjustment), said with its figures when it fits one of DOMAIN's shapes.
"""

from __future__ import annotations

from collections.abc import Mapping

from hq_server.console.pages import PAGES
from hq_server.programme.domain_said import resay
from hq_server.programme.refusals import BadField, said
from hq_server.web import i18n
from hq_server.web.i18n import N_

CHECK = N_("Check this field and save again: %(why)s")

# pos_app.domain's sentences that use cases put inside their own (pos_app.domain.lots.take)
DOMAIN = (said("only %(have)s points can be spent now, %(need)s needed"),)


def field_errors(bad: BadField, names: Mapping[str, str] | None = None) -> dict[str, str]:
    """{field: sentence}, a form's `errors`; `names` are the form's labels by field code."""
    message = said_again(bad.message, names or {})
    msgid = getattr(message, "msgid", message)
    if i18n.translations(i18n.DEFAULT, PAGES.locale_dirs).gettext(msgid) != msgid:
        return {bad.field: message}
    return {bad.field: said(CHECK, why=message)}


def said_again(message: str, names: Mapping[str, str]) -> str:
    """The sentence with a field's code as its label and a domain sentence inside it said (see above)."""
    params = getattr(message, "params", None)
    if params is None:
        return resay(message, DOMAIN)
    again: dict[str, object] = {}
    for key, value in params.items():
        if key == "field" and isinstance(value, str) and value in names:
            label = names[value]
            value = label if hasattr(label, "msgid") else said(label)
        elif isinstance(value, str):
            value = said_again(value, names)
        again[key] = value
    return said(message.msgid, **again)  # type: ignore[attr-defined]
