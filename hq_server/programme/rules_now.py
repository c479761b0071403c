"""The programme's rules in force at HQ now (the newest published version already effective).

A published version's document never changes (rules_admin and the admin API insert a new version), so
a process parses each document once: `parsed(version, doc)` keeps the last few by their text (a read
still fetches the row, so a new version, or another database's, is seen at once)."""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, ScalarSelect, select

from hq_server import models as M
from pos_app.domain.problems import Problem
from pos_app.domain.rules import Rules, parse_rules


@lru_cache(maxsize=32)
def parsed(version: int, doc: str) -> Rules | tuple[Problem, ...]:
    """A version's document parsed (the same object for the same text: Rules is frozen)."""
    return parse_rules({**json.loads(doc), "version": version})


def in_force(now: Any) -> tuple[ScalarSelect[int], ScalarSelect[str]]:
    """The version and document in force at `now` (a datetime, or a bindparam of a statement built once), as
    two scalar subqueries (to ride in another read)."""
    r = M.rules.c
    newest = select(r.version).where(r.effective_at <= now).order_by(r.version.desc()).limit(1)
    return (newest.scalar_subquery(),
            select(r.doc).where(r.effective_at <= now).order_by(r.version.desc()).limit(1).scalar_subquery())


def rules_of(version: int | None, doc: str | None) -> Rules:
    if version is None or doc is None:
        return Rules(version=0)
    got = parsed(version, doc)
    return got if isinstance(got, Rules) else Rules(version=version)


def rules_now(conn: Connection, now: datetime) -> Rules:
    r = M.rules.c
    row = conn.execute(select(r.version, r.doc).where(r.effective_at <= now).order_by(r.version.desc())
                       .limit(1)).first()
    return rules_of(row.version, row.doc) if row is not None else Rules(version=0)
