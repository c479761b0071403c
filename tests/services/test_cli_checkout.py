"""`pos-app checkout` refuses a quantity that is not a whole number from 1 to 999 and changes nothing
(it used to record a sale of one for `SKU:-1` and `SKU:abc`). Run as a real process."""

import json
import subprocess
import sys

import pytest


def run(folder, *args):
    return subprocess.run([sys.executable, "-m", "pos_app", "--data", str(folder), *args],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("item", ["LEMON-TEA:-1", "LEMON-TEA:abc", "LEMON-TEA:0", "LEMON-TEA:1000",
                                  "LEMON-TEA:", "LEMON-TEA:1.5", ":2", "LEMON-TEA:２"])
def test_a_bad_quantity_is_refused_and_changes_nothing(tmp_path, item):
    assert run(tmp_path, "status").returncode == 0
    before = json.loads(run(tmp_path, "check").stdout)["events"]
    bad = run(tmp_path, "checkout", item)
    assert bad.returncode == 2 and "SKU:QTY" in bad.stderr and "Traceback" not in bad.stderr
    assert json.loads(run(tmp_path, "check").stdout)["events"] == before


def test_good_quantities_still_sell(tmp_path):
    out = run(tmp_path, "checkout", "LEMON-TEA:3", "LEMON-TEA")
    assert out.returncode == 0, out.stderr
    assert "due ¥48.00" in out.stdout  # 4 x ¥12.00
