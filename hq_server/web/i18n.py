"""The faces' languages: Simplified Chinese (the default) and English.

Templates and pages write English msgids (`_("Members")`); each face keeps a gettext catalogue
(`<face>/locale/zh/LC_MESSAGES/<face>.po`) and the shared strings live in hq_server/web's own
(web.po). Catalogues are read with Babel and compiled in memory at start-up: no .mo files to keep
in step with the .po files by hand. English is the msgids themselves.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LANGS = ("zh", "en")
DEFAULT = "zh"
COOKIE = "lang"
LOCALE_DIR = Path(__file__).with_name("locale")
# How each language names itself in the switch (always in its own script).
NAMES = {"zh": "中文", "en": "English"}


def N_(msgid: str) -> str:
    """Marks a msgid for the catalogue where it is written (a column label, a role name); it is
    translated where it is shown."""
    return msgid


def pick(requested: str | None) -> str:
    """The language to answer in: the one asked for if we speak it, else Chinese."""
    return requested if requested in LANGS else DEFAULT


def read_catalogue(po: Path) -> Translations:
    with po.open("rb") as f:
        catalog = read_po(f)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf)


@lru_cache(maxsize=16)
def translations(lang: str, locale_dirs: tuple[Path, ...]) -> NullTranslations:
    """Every catalogue of `lang` found in `locale_dirs` (the face's first, then the shared one)."""
    if lang == "en":
        return NullTranslations()
    merged = Translations()
    for folder in reversed(locale_dirs):  # the shared catalogue first: the face's own words win
        for po in sorted((folder / lang / "LC_MESSAGES").glob("*.po")):
            merged.merge(read_catalogue(po))
    return merged


def missing(lang: str, locale_dirs: Iterable[Path], msgids: Iterable[str]) -> list[str]:
    """The msgids that `lang` has no translation for (a test keeps this empty)."""
    t = translations(lang, tuple(locale_dirs))
    return sorted({m for m in msgids if t.gettext(m) == m})
