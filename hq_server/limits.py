"""Offline limits: a store's own, else the chain's, else the protocol's defaults."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from sqlalchemy import Connection, func, select

from hq_server import models as M
from pos_app.sync.wire import OfflineLimits

CHAIN_KEY = "offline_limits"
# limits_for's statement as driver SQL (PostgreSQL, %s: the store, CHAIN_KEY): a till's push reads it in the
# pipeline of its reads (hq_server.ledger.ingest), not as a statement of its own.
LIMITS_SQL = ("SELECT coalesce(nullif((SELECT offline_limits FROM stores WHERE store_id = %s), ''), "
              "(SELECT value FROM settings WHERE key = %s)) AS doc")


def limits_for(conn: Connection, store_id: str) -> OfflineLimits:
    doc = limits_doc(conn, store_id)
    return OfflineLimits.model_validate(json.loads(doc)) if doc else OfflineLimits()


def limits_doc(conn: Connection, store_id: str) -> str | None:
    """The document of the store's limits (its own, else the chain's; None: the defaults), one statement."""
    own = select(M.stores.c.offline_limits).where(M.stores.c.store_id == store_id).scalar_subquery()
    chain = select(M.settings.c.value).where(M.settings.c.key == CHAIN_KEY).scalar_subquery()
    return conn.execute(select(func.coalesce(func.nullif(own, ""), chain))).scalar()  # "" as NULL: as before


@lru_cache(maxsize=256)
def _dumped(doc: str) -> Mapping[str, Any]:
    return MappingProxyType(OfflineLimits.model_validate(json.loads(doc)).model_dump())


_DEFAULT = MappingProxyType(OfflineLimits().model_dump())


def limits_of(doc: str | None) -> Mapping[str, Any]:
    """The limits of LIMITS_SQL's document, as OfflineLimits.model_dump() (read-only): parsed once per
    document text in this process (every push reads them; they change when HQ's admin sets them)."""
    return _dumped(doc) if doc else _DEFAULT
