"""Offline limits: a store's own, else the chain's, else the protocol's defaults."""

from __future__ import annotations

import json

from sqlalchemy import Connection, select

from hq_server import models as M
from pos_app.sync.wire import OfflineLimits

CHAIN_KEY = "offline_limits"


def limits_for(conn: Connection, store_id: str) -> OfflineLimits:
    own = conn.execute(select(M.stores.c.offline_limits).where(M.stores.c.store_id == store_id)).scalar()
    if own:
        return OfflineLimits.model_validate(json.loads(own))
    chain = conn.execute(select(M.settings.c.value).where(M.settings.c.key == CHAIN_KEY)).scalar()
    return OfflineLimits.model_validate(json.loads(chain)) if chain else OfflineLimits()
