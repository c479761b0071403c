"""A refusal beside a form's field, in the reader's language.

A use case's sentence is shown as it is where the console's catalogue has its Chinese (a fixed sentence,
or one written with `said`, domain checks' sentences included: hq_server.programme.domain_said). A
sentence of a shape no use case lists would read English-only on a Chinese page: it is put inside a
sentence of the reader's language that says to check the field, its own words kept as the detail.
"""

from __future__ import annotations

from hq_server.console.pages import PAGES
from hq_server.programme.refusals import BadField, said
from hq_server.web import i18n
from hq_server.web.i18n import N_

CHECK = N_("Check this field and save again: %(why)s")


def field_errors(bad: BadField) -> dict[str, str]:
    """{field: sentence}, a form's `errors`."""
    msgid = getattr(bad.message, "msgid", bad.message)
    if i18n.translations(i18n.DEFAULT, PAGES.locale_dirs).gettext(msgid) != msgid:
        return {bad.field: bad.message}
    return {bad.field: said(CHECK, why=bad.message)}
