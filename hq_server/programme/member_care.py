"""Customer service's work on members (issue 14): find a member (phone prefix, name, card, id), the
member's balances per point type, lots and when they expire, statement; adjust points with a reason
(above a threshold a second person approves); freeze and unfreeze.

An adjustment is an ordinary ledger event HQ writes (hq_server.ledger.hq_events: DESIGN.md 10), built by the
tills' own points engine (pos_app.domain.entries): up is a new lot (repaying debt first), down takes
the soonest-expiring points and is refused beyond what the member has. A freeze sets the member's
risk flag, which every till following the member pulls and shows the cashier.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, func, or_, select, update
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal

from hq_server import members_admin
from hq_server.ledger import hq_events
from hq_server import models as M
from hq_server.ledger.book import Book
from hq_server.db import Database, Seq
from hq_server.errors import HQProblem
from hq_server.ledger.ingest import Ingest
from hq_server.ledger.member_records import member_doc
from hq_server.ledger.member_records import member_item as _member_item
from hq_server.programme import audit, member_standing
from hq_server.programme.audit import Actor
from hq_server.programme.audit_tables import approvals
from hq_server.programme.listing import MAX_PER_PAGE, ListQuery, ListShape, Page, fetch
from hq_server.programme.refusals import BadField, said
from pos_app.domain import entries as E
from pos_app.domain import ledger as L
from pos_app.domain.ids import ID_PATTERN, new_id
from pos_app.domain.ledger import Kind
from pos_app.domain.problems import Problem
from pos_app.domain.rules import Rules, parse_rules

m = M.members.c
_UUID = re.compile(ID_PATTERN.strip("^$"))
FROZEN = member_standing.FROZEN


class _Bytewise(ColumnElement[Any]):
    """A text column compared by code point (PostgreSQL: COLLATE "C"; SQLite's comparison already is):
    a prefix is then one range of an index on it whatever the database's collation, read in its order."""
    inherit_cache = True
    _traverse_internals = [("col", InternalTraversal.dp_clauseelement)]

    def __init__(self, col: Any):
        self.col = col
        self.type = col.type


@compiles(_Bytewise)
def _bytewise(element: _Bytewise, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.col, **kw)


@compiles(_Bytewise, "postgresql")
def _bytewise_pg(element: _Bytewise, compiler: Any, **kw: Any) -> str:
    return f'({compiler.process(element.col, **kw)} COLLATE "C")'


PHONE, NAME = _Bytewise(m.phone), _Bytewise(m.name)  # the partial indexes of migration 0014K
CARD_DIGITS = 12  # pos_app.domain.members.card_no_for


def _prefix(col: Any, q: str) -> Any:
    """col LIKE 'q%' with q's own % _ / escaped: one parameter, the whole pattern (a custom plan reads it
    as an index range)."""
    return col.like(q.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%", escape="/")


def _search(stmt: Select[Any], q: str) -> Select[Any]:
    """Digits: a phone prefix (all 12 digits: a card number too); a UUID: the member's id; anything else:
    a name prefix."""
    if _UUID.fullmatch(q):
        return stmt.where(m.member_id == q)
    if q.isdigit():
        prefix = _prefix(PHONE, q)
        return stmt.where(or_(prefix, m.card_no == q) if len(q) == CARD_DIGITS else prefix)
    return stmt.where(_prefix(NAME, q))


def _search_sort(q: str) -> tuple[Any, ...]:
    """While searching: by phone or by name, the order of the index the search reads."""
    if _UUID.fullmatch(q):
        return ()
    return (PHONE,) if q.isdigit() else (NAME,)


SHAPE = ListShape(sorts={"name": m.name, "phone": m.phone, "created_at": m.created_at, "tier": m.tier,
                         "home_store": m.home_store},
                  default_sort=(m.created_at.desc(),), tiebreak=(m.member_id,),
                  filters={"store": lambda s, v: s.where(m.home_store == v), "tier": lambda s, v: s.where(m.tier == v),
                           "flagged": lambda s, v: s.where(m.risk_flag.is_not(None)) if v == "1" else s},
                  search=_search, count_up_to=10_000, search_sort=_search_sort)
LIST = select(m.member_id, m.name, m.phone, m.card_no, m.tier, m.home_store, m.created_at, m.risk_flag).where(
    m.merged_into.is_(None))


def find(db: Database, query: ListQuery) -> Page:
    with db.read() as conn:
        return fetch(conn, LIST, query, SHAPE)


def member(db: Database, member_id: str) -> dict[str, Any]:
    """The member with balances per point type and debt, open lots soonest-expiring first, and what is
    waiting for approval."""
    with db.read() as conn:
        found = member_doc(conn, member_id)  # not members_admin.detail: its 100 events the page does not show
        if found is None:
            raise HQProblem(404, "not_found", f"no member {member_id}")
        doc = members_admin.staff_view(found)
        b = M.balances.c
        doc["balances"] = dict(conn.execute(select(b.account, b.balance)
                                            .where(b.account.in_(members_admin.member_accounts(member_id)))).all())
        accounts = {L.member_account(member_id, t): str(t) for t in L.PointType}
        lt = M.lots.c
        doc["lots"] = [{**r._mapping, "point_type": accounts[r.account]} for r in conn.execute(
            select(lt.lot_id, lt.account, lt.amount, lt.remaining, lt.available_at, lt.expires_at)
            .where(lt.account.in_(list(accounts)), lt.remaining > 0).order_by(lt.expires_at).limit(200))]
        doc["point_balances"] = {t: doc["balances"].get(a, 0) for a, t in accounts.items()}
        doc["debt"] = -doc["balances"].get(L.debt_account(member_id), 0)
        ap = approvals.c
        doc["pending"] = [_approval(r) for r in conn.execute(
            select(approvals).where(ap.member_id == member_id, ap.status == "pending").order_by(ap.requested_at))]
    doc["frozen"] = (doc.get("risk_flag") or "").startswith(FROZEN)
    return doc


# A member with at most this many events has the points of a statement's page read from all of their
# postings by account (a few index pages and one heap page a posting); a busier one by the page's events.
STATEMENT_POSTINGS_BY_ACCOUNT_UP_TO = 200


def statement(db: Database, member_id: str, query: ListQuery) -> Page:
    """The member's events, each with what it did to the member's points (all point types).

    The points are a second read of the page's events' postings to the member's accounts, not a sum per
    row: per row it read ix_postings_event_id's pages for each event, cold for a member opened the first
    time (bench.console: a member's page was the slowest, its statement half of its reads). A member with
    few events has all of their postings read by account instead (ix_postings_account, the member's
    entries side by side); a busy one's are narrowed to the page's events."""
    e, p = M.events.c, M.postings.c
    accounts = [L.member_account(member_id, t) for t in L.PointType]
    stmt = select(e.event_id, e.hq_seq, e.kind, e.store_id, e.device_time, e.staff_id, e.status
                  ).where(e.member_id == member_id)
    shape = ListShape(sorts={"hq_seq": e.hq_seq, "device_time": e.device_time, "kind": e.kind},
                      default_sort=(e.hq_seq.desc(),), tiebreak=(e.event_id,),
                      filters={"kind": lambda s, v: s.where(e.kind == v)})
    with db.read() as conn:
        page = fetch(conn, stmt, query, shape)
        if not page.rows:
            return page
        sums = select(p.event_id, func.sum(p.amount)).where(p.account.in_(accounts)).group_by(p.event_id)
        if page.total > STATEMENT_POSTINGS_BY_ACCOUNT_UP_TO and len(page.rows) <= MAX_PER_PAGE:
            sums = sums.where(p.event_id.in_([r["event_id"] for r in page.rows]))
        points = {event_id: int(total) for event_id, total in conn.execute(sums)}
    return Page([{**r, "points": points.get(r["event_id"], 0)} for r in page.rows], page.total, page.query,
                page.at_least)


def _rules(conn: Connection, now: datetime) -> Rules:
    r = M.rules.c
    row = conn.execute(select(r.doc).where(r.effective_at <= now).order_by(r.version.desc()).limit(1)).first()
    parsed = parse_rules(json.loads(row.doc)) if row else None
    return parsed if isinstance(parsed, Rules) else Rules(version=0)


def _check(points: Any, reason: str) -> tuple[int, str]:
    reason = (reason or "").strip()
    if isinstance(points, str):
        text = points.strip().replace(",", "")
        if not re.fullmatch(r"[+-]?\d{1,12}", text):
            raise BadField("points", "points are a whole number, + to add or - to take away")
        points = int(text)
    if points == 0:
        raise BadField("points", "adjust by a non-zero whole number of points")
    if not reason:
        raise BadField("reason", "an adjustment needs a reason (the member may ask)")
    if len(reason) > 200:
        raise BadField("reason", "a reason is at most 200 characters")
    return points, reason


def adjust(db: Database, actor: Actor, member_id: str, points: Any, reason: str, *, approval_above: int,
           now: datetime) -> dict[str, Any]:
    """Adjust at once, or (above `approval_above` points either way) ask a second person to approve."""
    points, reason = _check(points, reason)
    with db.write() as (conn, seq):
        _require_member(conn, member_id)
        if abs(points) > approval_above:
            _entry(conn, actor, member_id, points, reason, None, now)  # refused now if it could never be made
            approval_id = new_id()
            request = {"points": points, "reason": reason}
            conn.execute(approvals.insert().values(approval_id=approval_id, kind="adjust", member_id=member_id,
                                                   request=json.dumps(request, ensure_ascii=False),
                                                   requested_by=actor.username, requested_at=now, status="pending"))
            audit.record(conn, actor, "member.adjust_requested", f"member:{member_id}", after=request, note=reason,
                         at=now)
            return {"pending": approval_id, "points": points}
        written = _write_adjust(conn, seq, db.url, actor, member_id, points, reason, None, now)
    return {"event_id": written, "points": points}


def _entry(conn: Connection, actor: Actor, member_id: str, points: int, reason: str, approver: str | None,
           now: datetime) -> tuple[L.Entry, Rules, int]:
    """The adjustment's ledger entry as the tills' points engine builds it, or BadField when it cannot be
    made (beyond the rules' largest adjustment, or more points taken than the member has)."""
    rules = _rules(conn, now)
    if abs(points) > rules.max_adjust_points:
        raise BadField("points", said("an adjustment is at most %(most)s points (the chain's rules)",
                                        most=rules.max_adjust_points))
    book = Book(conn)
    payload = {"reason": reason, "approver": approver, "by": actor.username}
    entry: L.Entry | Problem
    if points > 0:
        owed = -book.balance(L.debt_account(member_id))
        entry = E.earn(Kind.ADJUST, member_id=member_id, points=points, store_id=M.HQ_ORIGIN, owed=owed,
                       lot_id=new_id(), now=now, rules=rules, payload=payload)
    else:
        account = L.member_account(member_id)
        entry = E.spend(Kind.ADJUST, member_id=member_id, lots=[lot.as_lot() for lot in book.lots_of(account)],
                        points=-points, to_account=L.store_issued(M.HQ_ORIGIN), now=now, payload=payload)
        if isinstance(entry, Problem):
            raise BadField("points", said("the member has fewer points to take away (%(why)s)", why=entry.message))
    return entry, rules, book.balance(L.member_account(member_id))


def _write_adjust(conn: Connection, seq: Seq, db_url: str, actor: Actor, member_id: str, points: int, reason: str,
                  approver: str | None, now: datetime) -> str:
    entry, rules, balance = _entry(conn, actor, member_id, points, reason, approver, now)
    written = hq_events.write(conn, seq, db_url, [entry], staff_id=actor.username[:36], rule_version=rules.version,
                              now=now)[0]
    audit.record(conn, actor, "member.adjust", f"member:{member_id}", before={"balance": balance},
                 after={"balance": balance + points, "points": points, "event_id": written.event_id,
                        "approver": approver}, note=reason, at=now)
    return written.event_id


def _require_member(conn: Connection, member_id: str) -> Any:
    row = conn.execute(select(m.member_id, m.risk_flag, m.merged_into).where(m.member_id == member_id)).first()
    if row is None:
        raise HQProblem(404, "not_found", f"no member {member_id}")
    if row.merged_into:
        raise HQProblem(409, "merged", said("member %(member)s was merged into %(into)s", member=member_id,
                                                into=row.merged_into))
    return row


def _approval(r: Any) -> dict[str, Any]:
    return {**r._mapping, "request": json.loads(r.request)}


def pending(db: Database, query: ListQuery) -> Page:
    ap = approvals.c
    shape = ListShape(sorts={"requested_at": ap.requested_at, "requested_by": ap.requested_by},
                      default_sort=(ap.requested_at,), tiebreak=(ap.approval_id,),
                      filters={"state": lambda s, v: s.where(ap.status == v)})
    with db.read() as conn:
        return fetch(conn, select(approvals), query, shape, _approval)


def decide(db: Database, actor: Actor, approval_id: str, approve: bool, now: datetime) -> dict[str, Any]:
    """A second person approves (the event is written) or refuses (nothing is) a waiting adjustment."""
    ap = approvals.c
    with db.write() as (conn, seq):
        row = conn.execute(select(approvals).where(ap.approval_id == approval_id)).first()
        if row is None:
            raise HQProblem(404, "not_found", f"no approval {approval_id}")
        if row.status != "pending":
            raise HQProblem(409, "decided", said("this adjustment was already %(state)s", state=row.status))
        if row.requested_by == actor.username:
            raise HQProblem(403, "same_person", "a second person must approve: you asked for this adjustment")
        request = json.loads(row.request)
        event_id = None
        if approve:
            event_id = _write_adjust(conn, seq, db.url, Actor(row.requested_by, actor.role), row.member_id,
                                     request["points"], request["reason"], actor.username, now)
        status = "approved" if approve else "refused"
        conn.execute(update(approvals).where(ap.approval_id == approval_id)
                     .values(status=status, decided_by=actor.username, decided_at=now, event_id=event_id))
        audit.record(conn, actor, f"member.adjust_{status}", f"member:{row.member_id}", before={"status": "pending"},
                     after={"status": status, **request, "event_id": event_id}, at=now)
    return {"status": status, "member_id": row.member_id, "event_id": event_id}


def freeze(db: Database, actor: Actor, member_id: str, reason: str, now: datetime) -> None:
    """Freeze: the member's risk flag says so (and why) at HQ and at every till following the member."""
    reason = (reason or "").strip()
    if not reason:
        raise BadField("freeze_reason", "a freeze needs a reason")
    if len(reason) > 120:
        raise BadField("freeze_reason", "a reason is at most 120 characters")
    with db.write() as (conn, seq):
        row = _require_member(conn, member_id)
        if (row.risk_flag or "").startswith(FROZEN):
            raise HQProblem(409, "frozen", "this member is frozen already")
        # the flag it had (a double spend's debt) comes back on unfreeze: it is kept after " | "
        flag = FROZEN + reason + (f" | {row.risk_flag}" if row.risk_flag else "")
        _set_flag(conn, seq, member_id, flag, now)
        audit.record(conn, actor, "member.freeze", f"member:{member_id}", before={"risk_flag": row.risk_flag},
                     after={"risk_flag": flag}, note=reason, at=now)


def unfreeze(db: Database, actor: Actor, member_id: str, now: datetime) -> None:
    with db.write() as (conn, seq):
        row = _require_member(conn, member_id)
        if not (row.risk_flag or "").startswith(FROZEN):
            raise HQProblem(409, "not_frozen", "this member is not frozen")
        earlier = row.risk_flag.partition(" | ")[2] or None
        _set_flag(conn, seq, member_id, earlier, now)
        audit.record(conn, actor, "member.unfreeze", f"member:{member_id}", before={"risk_flag": row.risk_flag},
                     after={"risk_flag": earlier}, at=now)


def _set_flag(conn: Connection, seq: Seq, member_id: str, flag: str | None, now: datetime) -> None:
    ing = Ingest(conn, seq, M.HQ_ORIGIN, now)
    conn.execute(update(M.members).where(m.member_id == member_id).values(risk_flag=flag, updated_seq=seq.next()))
    _member_item(ing, member_id)
    ing.flush()
