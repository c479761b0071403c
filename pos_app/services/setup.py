"""Opening the store's database: migrations, device identity, first-start demo data."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from platformdirs import user_data_dir

from pos_app.domain.ids import new_id
from pos_app.services.context import StoreContext, utcnow
from pos_app.store import repos
from pos_app.store.db import Database, open_database
from pos_app.store.ledger_repo import Identity

APP_NAME = "points-mall-pos"


def default_data_dir() -> Path:
    return Path(os.environ.get("POS_DATA_DIR") or user_data_dir(APP_NAME, appauthor=False))


def open_store(data_dir: Path | str | None = None, *, clock: Callable[[], datetime] = utcnow, store_id: str | None = None) -> StoreContext:
    """Open (creating and migrating as needed) the store database in `data_dir`."""
    data_dir = Path(data_dir) if data_dir else default_data_dir()
    db = open_database(data_dir / "store.sqlite3")
    return StoreContext(db=db, who=ensure_identity(db, store_id), clock=clock)


def ensure_identity(db: Database, store_id: str | None = None) -> Identity:
    """This device's ids, made once on first start. The store id is replaced at enrolment."""
    with db.write() as conn:
        sid = repos.get_meta(conn, "store_id")
        did = repos.get_meta(conn, "device_id")
        if sid is None:
            sid = store_id or new_id()
            repos.set_meta(conn, "store_id", sid)
        if did is None:
            did = new_id()
            repos.set_meta(conn, "device_id", did)
    return Identity(sid, did)
