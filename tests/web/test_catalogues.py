"""Every word the faces show has its Chinese: each msgid in the templates (_(...), {% trans %}) and in
the Python (_(...), N_(...)) is in the face's or the shared catalogue. A new English string
without its translation fails here, not in front of a cashier's manager."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from hq_server.web.i18n import missing

ROOT = Path(__file__).resolve().parents[2] / "hq_server"
FACES = [f for f in ("console", "mall") if (ROOT / f / "locale").is_dir()]
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}


def msgids(folder: Path) -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(folder, METHODS, OPTIONS):
        found.update([message] if isinstance(message, str) else [m for m in message if m])
    return found


@pytest.mark.parametrize("face", FACES)
def test_every_msgid_has_chinese(face):
    words = msgids(ROOT / face) | msgids(ROOT / "web")
    assert len(words) > 20
    assert missing("zh", (ROOT / face / "locale", ROOT / "web" / "locale"), words) == []


def test_english_is_the_msgids_themselves():
    assert missing("en", (ROOT / "web" / "locale",), ["Search"]) == ["Search"]
