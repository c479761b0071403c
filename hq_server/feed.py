"""The pull feed: what each store must learn, numbered in commit order.

Rows are written in the same transaction as the change they describe, one per
receiving store (or one CHAIN row for everyone), so a pull is a single index range
scan on (store_id, seq): its cost grows with the new items only, never with history.

A store's rows go to every device (till) of the store, each pulling with its own
cursor, except a row's skip_device: a till's own event, fanned out to the other tills
of its store, is not sent back to the till that made it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, bindparam, or_, select

from hq_server import bulk
from hq_server import models as M
from hq_server.db import Seq
from hq_server.ledger.checks import canonical_text
from pos_app.sync.wire import check_document


class FeedWriter:
    def __init__(self, seq: Seq):
        self.seq = seq
        self.rows: list[dict[str, Any]] = []

    def add(self, store_id: str, type_: str, key: str, data: dict[str, Any] | str,
            skip_device: str | None = None) -> int:
        """One row; `data` a document (of its type's model, pos_app.sync.wire.DOCUMENTS: a till reads it with
        that model), or its canonical JSON already (ingest.event_doc_json)."""
        if not isinstance(data, str):
            check_document(type_, data)
        n = self.seq.next()
        self.rows.append({"seq": n, "store_id": store_id, "type": type_, "key": key,
                          "data": data if isinstance(data, str) else canonical_text(data), "skip_device": skip_device})
        return n

    def to_stores(self, stores: set[str] | list[str], type_: str, key: str, data: dict[str, Any]) -> None:
        check_document(type_, data)
        text = canonical_text(data)  # one document for every store told: encoded once
        for store_id in sorted(stores):
            self.add(store_id, type_, key, text)

    def flush(self, conn: Connection) -> None:
        if self.rows:
            bulk.insert(conn, M.feed, self.rows)
            self.rows = []


def _pull_statement(for_device: bool) -> Select[Any]:
    f = M.feed.c
    where = [or_(f.store_id == bindparam("store_id"), f.store_id == M.CHAIN), f.seq > bindparam("after")]
    if for_device:
        where.append(or_(f.skip_device.is_(None), f.skip_device != bindparam("device_id")))
    return select(f.seq, f.type, f.key, f.data).where(*where).order_by(f.seq).limit(bindparam("rows"))


# Built once (bind parameters): a pull is a till's most frequent call after the handshake.
_PULL = {True: _pull_statement(True), False: _pull_statement(False)}


def page_query(store_id: str, after: int, limit: int, device_id: str | None = None) -> tuple[Any, dict[str, Any]]:
    """The statement (built once) and parameters reading one page after the cursor: limit + 1 rows, the
    last telling whether there are more (page_json)."""
    params: dict[str, Any] = {"store_id": store_id, "after": after, "rows": limit + 1}
    if device_id is not None:
        params["device_id"] = device_id
    return _PULL[device_id is not None], params


@dataclass
class PageRead:
    """page_query as driver SQL (PostgreSQL, %s parameters), for a caller that sends it with other statements
    (a till's push reads its answer's page in the round trip of its commit: hq_server.ledger.ingest); `rows`
    once read, None if it was not."""
    sql: str
    params: tuple[Any, ...]
    rows: list[Any] | None = None


_PAGE_SQL = ("SELECT seq, type, key, data FROM feed WHERE (store_id = %s OR store_id = %s) AND seq > %s "
             "AND (skip_device IS NULL OR skip_device != %s) ORDER BY seq LIMIT %s")


def page_read(store_id: str, after: int, limit: int, device_id: str) -> PageRead:
    """page_query's page for a device (limit + 1 rows: see page_json), as a PageRead."""
    return PageRead(_PAGE_SQL, (store_id, M.CHAIN, after, device_id, limit + 1))


def page_json(rows: Sequence[Any], after: int, limit: int) -> bytes:
    """The PullResponse JSON of page_query's rows, built around each row's stored document (already JSON,
    written by FeedWriter) instead of parsing it and encoding it again: most of a pull's cost at HQ was
    that round trip and FastAPI's validation of the model built from it."""
    more = len(rows) > limit
    rows = rows[:limit]
    items = ",".join(f'{{"hq_seq":{r.seq},"type":{json.dumps(r.type)},"key":{json.dumps(r.key, ensure_ascii=False)},'
                     f'"data":{r.data}}}' for r in rows)
    cursor = rows[-1].seq if rows else after
    return f'{{"items":[{items}],"cursor":{cursor},"more":{"true" if more else "false"}}}'.encode()
