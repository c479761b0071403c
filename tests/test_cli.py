"""The command-line face, run as a real process against a real store folder."""

import json
import subprocess
import sys


def run(tmp_path, *args, check=True):
    proc = subprocess.run([sys.executable, "-m", "pos_app", "--data", str(tmp_path), *args],
                          capture_output=True, text=True, timeout=120)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_first_start_seeds_demo_and_ledger_checks_out(tmp_path):
    out = run(tmp_path, "status").stdout
    assert "members 5" in out and "ledger  ok" in out
    # what support asks of a till first: does HQ know it, and what has not reached HQ yet (the demo's events)
    events = int(out.split("events  ")[1].split()[0])
    assert "hq      not enrolled (working offline)" in out and f"unsent  {events}" in out and "synced  never" in out
    assert "nothing changed" in run(tmp_path, "demo-seed").stdout


def test_scripted_checkout_then_report_and_member(tmp_path):
    out = run(tmp_path, "checkout", "TEA-OOLONG:2", "6901234567939", "--member", "13800138000",
              "--paid", "50000").stdout
    # 2 x 128.00 + 18.00 = 274.00; tea earns double in the demo campaign: 256*2 + 18 = 530
    assert "due ¥274.00" in out and "change ¥226.00" in out and "points +530" in out
    report = json.loads(run(tmp_path, "report", "--json").stdout)
    assert report["sales_count"] == 6 and report["points_issued"] > 530
    member = run(tmp_path, "member", "13800138000").stdout
    assert "张伟" in member and "+530" in member
    assert json.loads(run(tmp_path, "check").stdout)["ok"] is True


def test_refused_input_exits_2_and_changes_nothing(tmp_path):
    run(tmp_path, "status")
    before = json.loads(run(tmp_path, "check").stdout)["events"]
    bad = run(tmp_path, "checkout", "NO-SUCH-SKU", "--member", "13800138000", check=False)
    assert bad.returncode == 2 and "no product with code NO-SUCH-SKU" in bad.stderr
    bad = run(tmp_path, "checkout", "TEA-OOLONG", "--member", "13800138000", "--points", "99999", check=False)
    assert bad.returncode == 2 and "points" in bad.stderr
    bad = run(tmp_path, "checkout", "TEA-OOLONG", "--member", "13800138000", "--points", "1000", check=False)
    assert bad.returncode == 2 and "PIN" in bad.stderr  # paying with points needs the member's PIN
    bad = run(tmp_path, "member", "1380013800X", check=False)
    assert bad.returncode == 2
    assert json.loads(run(tmp_path, "check").stdout)["events"] == before


def test_paying_with_points_from_the_command_line_takes_the_members_pin(tmp_path):
    out = run(tmp_path, "checkout", "TEA-OOLONG", "--member", "13800138000", "--points", "1000",
              "--member-pin", "123456").stdout
    assert "due ¥118.00" in out


def test_a_report_for_a_day_that_does_not_exist_is_a_usage_error(tmp_path):
    proc = run(tmp_path, "report", "--day", "2026-13-01", check=False)
    assert proc.returncode == 2
    assert "'2026-13-01' is not a day (YYYY-MM-DD)" in proc.stderr and "Traceback" not in proc.stderr
