"""List the web faces' msgids that have no Chinese yet (templates' _() and {% trans %}, Python's _()
and N_()), as .po entries to fill in and append to the face's catalogue.

    .venv/bin/python scripts/web_i18n.py console     # prints the missing entries; exit 1 if any
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.extract import extract_from_dir

from hq_server.web.i18n import missing

ROOT = Path(__file__).resolve().parents[1] / "hq_server"
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
    found: set[str] = set()
    for _f, _l, message, _c, _x in extract_from_dir(folder, METHODS, OPTIONS):
        found.update([message] if isinstance(message, str) else [m for m in message if m])
    return found


def main(face: str) -> int:
    words = msgids(ROOT / face) | msgids(ROOT / "web") | also(face)
    todo = missing("zh", (ROOT / face / "locale", ROOT / "web" / "locale"), words)
    for m in todo:
        print(f'msgid "{m}"\nmsgstr ""\n')
    return 1 if todo else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "console"))
