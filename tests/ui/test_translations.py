"""Every UI string has a Chinese translation, and the shipped .qm matches the .ts."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "resources" / "i18n" / "pos_zh_CN.ts"
QM = TS.with_suffix(".qm")
BIN = Path(sys.executable).parent


def test_every_ui_string_is_translated(tmp_path):
    ts = tmp_path / TS.name
    shutil.copy(TS, ts)
    sources = sorted(str(p) for p in (ROOT / "pos_app" / "ui").rglob("*.py"))
    subprocess.run([str(BIN / "pyside6-lupdate"), "-no-obsolete", *sources, "-ts", str(ts)], check=True,
                   capture_output=True)
    untranslated = [m.findtext("source") for m in ET.parse(ts).iter("message")
                    if m.find("translation").get("type") == "unfinished" or not m.findtext("translation")]
    assert untranslated == [], "translate these in resources/i18n/pos_zh_CN.ts, then run scripts/i18n.sh"


def test_compiled_catalogue_is_current(tmp_path):
    qm = tmp_path / "fresh.qm"
    subprocess.run([str(BIN / "pyside6-lrelease"), str(TS), "-qm", str(qm)], check=True, capture_output=True)
    assert qm.read_bytes() == QM.read_bytes(), "run scripts/i18n.sh"


def test_the_app_speaks_chinese_by_default(qtbot, tmp_path):
    from pos_app.ui.app import build

    window, runner = build(tmp_path / "store")
    qtbot.addWidget(window)
    try:
        assert window.language == "zh_CN"
        assert window.signin.title.text() == "登录"
        assert window.checkout.finish_button.text() == "结账 (F12)"
    finally:
        window.shutdown()
        window.wedge.uninstall()
