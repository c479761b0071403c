"""HQ may import pos_app.sync.wire and gc_pause and nothing else of pos_app.sync: every other sync
module must be in the HQ import contract's forbidden list (pyproject.toml)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_sync_module_but_wire_is_forbidden_to_hq():
    doc = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contract = next(c for c in doc["tool"]["importlinter"]["contracts"] if c["source_modules"] == ["hq_server"])
    modules = {f"pos_app.sync.{p.stem}" for p in (ROOT / "pos_app" / "sync").glob("*.py")
               if p.stem not in ("__init__", "wire", "gc_pause")}
    missing = modules - set(contract["forbidden_modules"])
    assert not missing, f"add to the HQ import contract in pyproject.toml: {sorted(missing)}"


def test_the_sync_client_has_no_qt():
    contract = next(c for c in tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
                    ["contracts"] if c["source_modules"] == ["pos_app.sync"])
    assert "PySide6" in contract["forbidden_modules"]
