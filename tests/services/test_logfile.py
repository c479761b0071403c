"""The till's rotating log file in its data folder (services.logfile), and every CLI run writing to it."""

from __future__ import annotations

import logging
import subprocess
import sys

from pos_app.services.logfile import start_log


def test_the_log_rotates_and_keeps_a_bounded_history(tmp_path):
    path = start_log(tmp_path, max_bytes=2000, backups=3)
    try:
        assert path == tmp_path / "logs" / "pos-app.log"
        log = logging.getLogger("pos_app.test")
        for i in range(400):
            log.info("line %04d of a till that ran for days", i)
        logging.getLogger().handlers[-1].flush()
        files = sorted(p.name for p in path.parent.iterdir())
        assert files == ["pos-app.log", "pos-app.log.1", "pos-app.log.2", "pos-app.log.3"]
        assert all(p.stat().st_size <= 2200 for p in path.parent.iterdir())
        assert "line 0399" in path.read_text(encoding="utf-8")
        # starting again (another folder) replaces our handler instead of adding a second one
        start_log(tmp_path / "other")
        ours = [h for h in logging.getLogger().handlers if getattr(h, "_pos_app_log", False)]
        assert len(ours) == 1 and ours[0].baseFilename.startswith(str(tmp_path / "other"))
    finally:
        for h in [h for h in logging.getLogger().handlers if getattr(h, "_pos_app_log", False)]:
            logging.getLogger().removeHandler(h)
            h.close()


def test_every_command_logs_to_the_stores_folder_refusals_too(tmp_path):
    def run(*args):
        return subprocess.run([sys.executable, "-m", "pos_app", "--data", str(tmp_path), *args],
                              capture_output=True, text=True, timeout=120)

    assert run("status").returncode == 0
    assert run("checkout", "NO-SUCH-SKU").returncode == 2
    text = (tmp_path / "logs" / "pos-app.log").read_text(encoding="utf-8")
    assert "pos-app status started" in text and "pos-app checkout started" in text
    assert "refused: no product with code NO-SUCH-SKU" in text
