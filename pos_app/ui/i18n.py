"""Languages: Simplified Chinese (the default at a Chinese counter) and English.

UI strings are written in English inside tr() and translated by Qt's translator from
resources/i18n/pos_<lang>.qm (compiled from the .ts by pyside6-lrelease). Qt's own
strings (dialog buttons) come from the qtbase catalogue shipped with PySide6.
"""

from __future__ import annotations

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from pos_app.ui.paths import resource

LANGUAGES = {"zh_CN": "简体中文", "en": "English"}
DEFAULT_LANGUAGE = "zh_CN"

_installed: list[QTranslator] = []


def install(app: QApplication, lang: str) -> str:
    """Install the translators for `lang`; returns the language actually in force."""
    for t in _installed:
        app.removeTranslator(t)
    _installed.clear()
    if lang not in LANGUAGES:
        lang = DEFAULT_LANGUAGE
    if lang == "en":
        QLocale.setDefault(QLocale(QLocale.English, QLocale.UnitedStates))
        return lang
    QLocale.setDefault(QLocale(QLocale.Chinese, QLocale.China))
    ours = QTranslator(app)
    if ours.load(str(resource("i18n", f"pos_{lang}.qm"))):
        app.installTranslator(ours)
        _installed.append(ours)
    qt = QTranslator(app)
    if qt.load(f"qtbase_{lang}", QLibraryInfo.path(QLibraryInfo.TranslationsPath)):
        app.installTranslator(qt)
        _installed.append(qt)
    return lang
