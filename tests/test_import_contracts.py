"""The module rooms of DESIGN.md section 2 are enforced: a wrong import fails."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")


def lint(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"})


def test_contracts_hold_on_this_tree(tmp_path):
    copy = tmp_path / "tree"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", "tests", "bench",
                                                              "docs", "resources", "build"))
    result = lint(copy)
    assert result.returncode == 0, result.stdout[-2000:]


def test_domain_importing_sqlalchemy_breaks_a_contract(tmp_path):
    copy = tmp_path / "tree"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", "tests", "bench",
                                                              "docs", "resources", "build"))
    (copy / "pos_app" / "domain" / "sneaky.py").write_text("import sqlalchemy\n")
    result = lint(copy)
    assert result.returncode != 0
    assert "domain is pure" in result.stdout and "BROKEN" in result.stdout
