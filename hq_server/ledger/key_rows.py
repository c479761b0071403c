"""The key rows the ledger core reads while it checks a push: a member's phone key (a settings row
`member_key:<member id>`, for a dynamic code's signature) and a label batch's plan (`label_batch:<code>`,
for a label's points). Written by the programme (phone_keys) and the admin API (label_keys); read here,
in the ledger core, so the core never reaches up into them."""

from __future__ import annotations

from typing import Any

import json

from sqlalchemy import Connection, select

from hq_server import models as M
from pos_app.domain import label_batches as LB

MEMBER = "member_key:"
BATCH = "label_batch:"


def _get(conn: Connection, key: str) -> dict[str, Any] | None:
    value = conn.execute(select(M.settings.c.value).where(M.settings.c.key == key)).scalar()
    return None if value is None else json.loads(value)


def member_key(conn: Connection, member_id: str) -> dict[str, Any] | None:
    """The member's phone key as HQ holds it ({"member_id", "key_id", "public_key", "set_at"}), or None."""
    return _get(conn, MEMBER + member_id)


def batch_plan(conn: Connection, batch_code: str) -> LB.BatchPlan | None:
    """The plan of a label batch HQ issued (each label's points), or None."""
    doc = _get(conn, BATCH + batch_code)
    return None if doc is None else LB.BatchPlan.from_doc(doc)
