"""The earn rules as operators publish them: a new version of the tills' rules document, checked by the
tills' own parser (pos_app.domain.rules.parse_rules), effective now or from a later time; every
version is kept and the audit log holds its diff."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from hq_server import models as M
from hq_server.db import Database
from hq_server.feed import FeedWriter
from hq_server.programme import audit
from hq_server.programme.audit import Actor
from hq_server.programme.listing import ListQuery, ListShape, Page, fetch
from hq_server.programme.domain_said import resaid
from hq_server.programme.refusals import BadField, said
from pos_app.domain.ledger import canonical_json
from pos_app.domain.rules import Rules, parse_rules, rules_to_doc

# The rules parser's sentences (pos_app.domain.rules), said so the console shows them in Chinese.
RULES_SHAPES = (
    said("rules field %(field)s: must be a positive integer"),
    said("rules field %(field)s: must be a non-negative integer"),
    said("rules field %(field)s: must be positive"),
    said("rules field %(field)s: must be positive (points would expire the moment they are earned)"),
    said("rules field %(field)s: must be less than expiry_days (locked points would expire before they could be "
         "spent)"),
    said("rules field %(field)s: must be at most 100"),
    said("rules field %(field)s: must be a positive integer or null"),
    said("rules field %(field)s: must map names to non-negative integers"),
    said("rules field %(field)s: must be a list of strings"),
    said("rules field %(field)s: must be an object with integer redeem_points_over and true/false switches"),
    said("rules field %(field)s: must be a non-empty list"),
    said("rules field %(field)s: bad tier %(tier)s"),
    said("rules field %(field)s: codes must be unique and one tier must start at 0 spend"),
    said("rules document must be an object"),
)

r = M.rules.c
SHAPE = ListShape(sorts={"version": r.version, "effective_at": r.effective_at}, default_sort=(r.version.desc(),),
                  tiebreak=(r.version,))


def versions(db: Database, query: ListQuery) -> Page:
    with db.read() as conn:
        return fetch(conn, select(r.version, r.effective_at, r.doc), query, SHAPE,
                     lambda row: {"version": row.version, "effective_at": row.effective_at,
                                  "doc": json.loads(row.doc)})


def latest_doc(db: Database) -> dict[str, Any]:
    """The newest version's document, or the tills' defaults when none was published."""
    with db.read() as conn:
        row = conn.execute(select(r.doc).order_by(r.version.desc()).limit(1)).first()
    doc = json.loads(row.doc) if row else rules_to_doc(Rules(version=0))
    doc.pop("version", None)
    return doc


def publish(db: Database, actor: Actor, doc_text: str, effective_text: str, now: datetime) -> int:
    try:
        doc = json.loads(doc_text)
    except ValueError as err:
        raise BadField("doc", said("the rules are not JSON: %(why)s", why=str(err))) from None
    if not isinstance(doc, dict):
        raise BadField("doc", "the rules are a JSON object")
    at = now
    if effective_text.strip():
        try:
            local = datetime.fromisoformat(effective_text.strip().replace(" ", "T"))
        except ValueError:
            raise BadField("effective_at", "write a time as YYYY-MM-DD HH:MM") from None
        if local.tzinfo is None:
            local = local.replace(tzinfo=ZoneInfo("Asia/Shanghai"))
        at = local.astimezone(UTC).replace(tzinfo=None)
    with db.write() as (conn, seq):
        previous = conn.execute(select(r.doc).order_by(r.version.desc()).limit(1)).first()
        version = (conn.execute(select(func.max(r.version))).scalar() or 0) + 1
        doc = {**doc, "version": version}
        parsed = parse_rules(doc)
        if not isinstance(parsed, Rules):
            p = parsed[0]
            raise BadField("doc", resaid(parsed, RULES_SHAPES), code=p.code)
        conn.execute(M.rules.insert().values(version=version, doc=canonical_json(doc), effective_at=at))
        feed = FeedWriter(seq)
        feed.add(M.CHAIN, "rules", str(version), {"version": version, "doc": doc, "effective_at": at.isoformat()})
        feed.flush(conn)
        audit.record(conn, actor, "rules.publish", f"rules:{version}",
                     before=json.loads(previous.doc) if previous else None, after=doc,
                     note=f"effective {at.isoformat()} UTC", at=now)
    return version
