"""Every word the faces show has its Chinese: each msgid in the templates (_(...), {% trans %}) and in
the Python (_(...), N_(...)) is in the face's or the shared catalogue. A new English string
without its translation fails here, not in front of a cashier's manager."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from hq_server.web.i18n import missing

ROOT = Path(__file__).resolve().parents[2] / "hq_server"
FACES = [f for f in ("console", "mall") if (ROOT / f / "locale").is_dir()]
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}


# Labels a face shows that are written beside a use case (marked N_ there).
ALSO = {"console": ["programme/catalogue_admin.py"]}


def also(face: str) -> set[str]:
    found: set[str] = set()
    for rel in ALSO.get(face, []):
        path = ROOT / rel
        for _f, _l, message, _c, _x in extract_from_dir(path.parent, [(path.name, "python")]):
            found.update([message] if isinstance(message, str) else [m for m in message if m])
    return found


def msgids(folder: Path) -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(folder, METHODS, OPTIONS):
        found.update([message] if isinstance(message, str) else [m for m in message if m])
    return found


@pytest.mark.parametrize("face", FACES)
def test_every_msgid_has_chinese(face):
    words = msgids(ROOT / face) | msgids(ROOT / "web") | also(face)
    assert len(words) > 20
    assert missing("zh", (ROOT / face / "locale", ROOT / "web" / "locale"), words) == []
    # Jinja's newstyle gettext always %-formats: a lone % (not %(name)s or %%) breaks the page
    assert [w for w in words if "%" in re.sub(r"%\(\w+\)s|%%", "", w)] == []


def said_msgids(folder: Path) -> set[str]:
    """The refusals written with values (hq_server.programme.refusals.said)."""
    return {m for _f, _l, m, _c, _x in extract_from_dir(folder, [("**.py", "python")], keywords={"said": None})}


def test_every_refusal_with_values_has_chinese():
    words = said_msgids(ROOT / "programme") | said_msgids(ROOT / "web") | said_msgids(ROOT / "console")
    assert len(words) > 20
    assert missing("zh", (ROOT / "console" / "locale", ROOT / "web" / "locale"), words) == []
    web_words = said_msgids(ROOT / "web")
    assert missing("zh", (ROOT / "web" / "locale",), web_words) == []  # the mall shows these too


def test_english_is_the_msgids_themselves():
    assert missing("en", (ROOT / "web" / "locale",), ["Search"]) == ["Search"]
