"""The programme's rules in force at HQ now (the newest published version already effective)."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Connection, select

from hq_server import models as M
from pos_app.domain.rules import Rules, parse_rules


def rules_now(conn: Connection, now: datetime) -> Rules:
    r = M.rules.c
    row = conn.execute(select(r.version, r.doc).where(r.effective_at <= now).order_by(r.version.desc())
                       .limit(1)).first()
    if row is None:
        return Rules(version=0)
    parsed = parse_rules({**json.loads(row.doc), "version": row.version})
    return parsed if isinstance(parsed, Rules) else Rules(version=row.version)
