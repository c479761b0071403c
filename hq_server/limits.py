"""Offline limits: a store's own, else the chain's, else the protocol's defaults."""

from __future__ import annotations

import json

from sqlalchemy import Connection, func, select

from hq_server import models as M
from pos_app.sync.wire import OfflineLimits

CHAIN_KEY = "offline_limits"


def limits_for(conn: Connection, store_id: str) -> OfflineLimits:
    """One statement (a push reads it under HQ's writer lock: one round trip fewer held)."""
    own = select(M.stores.c.offline_limits).where(M.stores.c.store_id == store_id).scalar_subquery()
    chain = select(M.settings.c.value).where(M.settings.c.key == CHAIN_KEY).scalar_subquery()
    doc = conn.execute(select(func.coalesce(func.nullif(own, ""), chain))).scalar()  # "" as NULL: as before
    return OfflineLimits.model_validate(json.loads(doc)) if doc else OfflineLimits()
