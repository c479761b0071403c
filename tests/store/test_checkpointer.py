"""The store's WAL is checkpointed by a background thread, not inside a sale's commit."""

from __future__ import annotations

import sqlite3
import time

from pos_app.store import repos
from pos_app.store.db import BACKSTOP_PAGES, CHECKPOINT_EVERY, open_database


def wait_for(pred, timeout: float = 10.0) -> bool:
    end = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > end:
            return False
        time.sleep(0.01)
    return True


def test_commits_leave_checkpoints_to_the_background_thread(tmp_path):
    db = open_database(tmp_path / "store.sqlite3")
    try:
        with db.read() as conn:
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == BACKSTOP_PAGES
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        db.checkpointer.idle = 0.2
        con = sqlite3.connect(db.path)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # start from an empty WAL
        con.close()
        size = db.path.stat().st_size
        for i in range(CHECKPOINT_EVERY):
            with db.write() as conn:
                repos.set_meta(conn, f"k{i}", "v" * 2000)
        assert wait_for(lambda: db.checkpointer.runs >= 1), "no background checkpoint after a burst of writes"
        assert db.path.stat().st_size > size, "the checkpoint should have moved the new pages in"
        # once writes pause it checkpoints what is left, then the thread ends
        assert wait_for(lambda: db.checkpointer._thread is None)
        # and a later write starts it again
        with db.write() as conn:
            repos.set_meta(conn, "again", "v")
        assert db.checkpointer._thread is not None
    finally:
        db.close()
    assert db.checkpointer._thread is None or not db.checkpointer._thread.is_alive()
