"""Withdrawals of earned points as cash (DESIGN.md 10): a request, HQ's approval, a payout finance
exports as CSV. No payment gateway: finance pays from the file and the ledger records what was paid.

    point_policies(db) / set_point_policies(db, doc=..., actor=None)   HQ's policy per point type
    request_withdrawal(db, holder=..., point_type="agent", points=5000, requested_by=..., now=now)
        -> Withdrawal(status="pending"): the points are held (a redeem_hold into HQ's suspense)
    approve_withdrawal(db, withdrawal_id=..., staff="fin-zhao", now=now)   -> approved: redeemed, to pay
    refuse_withdrawal(db, withdrawal_id=..., staff=..., note="...", now=now) -> refused: the points back
    list_withdrawals(db, status=None, holder=None);  withdrawals_page(db, ListQuery) -> Page (the console)
    payout_csv(db, now=now, again=False, actor=None) -> str: approved payouts not exported yet (then marked)

Given an `actor` (the console's signed-in staff), a decision, an export or a policy change is also
written in the audit log, in the same transaction.

The holder is a member (consumer or agent points) or a staff member (guide points). Each step is
one transaction and an ordinary ledger event of HQ's online device, which the holder's tills pull.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, select, update

from hq_server.ledger import hq_events
from hq_server import models as M
from hq_server.db import Database
from hq_server.errors import HQProblem
from hq_server.programme import audit
from hq_server.programme import ledger_reads as R
from hq_server.programme.audit import Actor
from hq_server.programme.domain_said import FIELDS, resaid
from hq_server.programme.listing import ListQuery, ListShape, Page, fetch, latest_requests
from hq_server.programme.refusals import BadField, said
from pos_app.domain import entries as E
from pos_app.domain import ledger as L
from pos_app.domain.give_back import LotRoom, Room
from pos_app.domain.ids import new_id
from pos_app.domain.ledger import Entry, Kind, LotTake, PointType, Posting
from pos_app.domain.lots import Lot, spendable_total, take_soonest_expiring
from pos_app.domain.point_policy import PointPolicy, check_withdrawal, parse_policies, payout_fen
from pos_app.domain.problems import Problem

POLICY_KEY = "programme.point_policies"
# The policy parser's sentences (pos_app.domain.point_policy), said so the console shows them in Chinese.
POLICY_SHAPES = (*FIELDS, said("%(name)s: not a point type (consumer, guide, agent)"),
                 said("policies: must be an object by point type"))
CSV_COLUMNS = ("withdrawal_id", "holder", "point_type", "points", "amount_fen", "amount_yuan", "approved_by",
               "approved_at", "settle_event")


@dataclass(frozen=True)
class Withdrawal:
    withdrawal_id: str
    holder: str
    point_type: str
    points: int
    amount_fen: int
    status: str  # pending | approved | refused
    requested_by: str
    requested_at: datetime
    hold_event: str
    decided_by: str | None = None
    decided_at: datetime | None = None
    settle_event: str | None = None
    note: str | None = None
    exported_at: datetime | None = None


def _policies(conn: Connection) -> dict[PointType, PointPolicy]:
    raw = conn.execute(select(M.settings.c.value).where(M.settings.c.key == POLICY_KEY)).scalar()
    parsed = parse_policies(json.loads(raw) if raw else {})
    # parse_policies({}) is the defaults: never problems
    return parsed if isinstance(parsed, dict) else cast(dict[PointType, PointPolicy], parse_policies({}))


def point_policies(db: Database) -> dict[PointType, PointPolicy]:
    with db.read() as conn:
        return _policies(conn)


def _policy_doc(policies: dict[PointType, PointPolicy]) -> dict[str, Any]:
    return {str(t): asdict(p) for t, p in policies.items()}


def set_point_policies(db: Database, *, doc: dict[str, Any], actor: Actor | None = None,
                       now: datetime | None = None) -> dict[PointType, PointPolicy]:
    """HQ's policy per point type ({"guide": {"withdraw": true, "min_withdraw_points": 1000, ...}, ...}).
    A refusal names the first wrong field (`guide.min_withdraw_points`)."""
    parsed = parse_policies(doc)
    if isinstance(parsed, tuple):
        raise BadField(str(parsed[0].params.get("field", "policies")), resaid(parsed, POLICY_SHAPES),
                       code="invalid_body")
    value = json.dumps(_policy_doc(parsed), sort_keys=True)
    with db.write() as (conn, _seq):
        before = _policies(conn)
        s = M.settings.c
        if conn.execute(update(M.settings).where(s.key == POLICY_KEY).values(value=value)).rowcount == 0:
            conn.execute(M.settings.insert().values(key=POLICY_KEY, value=value))
        if actor is not None and now is not None:
            audit.record(conn, actor, "programme.point_policies", "settings:point_policies",
                         before=_policy_doc(before), after=_policy_doc(parsed), at=now)
    return parsed


def _account(conn: Connection, holder: str, ptype: PointType) -> tuple[str, str | None]:
    """The holder's account of this type, and the member id its events carry (None: a staff guide)."""
    if ptype == PointType.GUIDE:
        if conn.execute(select(M.staff.c.staff_id).where(M.staff.c.staff_id == holder)).first() is None:
            raise HQProblem(404, "staff_unknown", f"holder: no staff member {holder}")
        return L.guide_account(holder), None
    R.require_member(conn, holder)
    return L.member_account(holder, ptype), holder


def _lots(conn: Connection, account: str) -> list[Lot]:
    return R.lots_of(conn, account)


def request_withdrawal(db: Database, *, holder: str, point_type: str, points: int, requested_by: str,
                       now: datetime, withdrawal_id: str | None = None) -> Withdrawal:
    """Hold `points` of the holder's `point_type` for a cash withdrawal HQ then approves or refuses.
    `withdrawal_id` (the mall's form): a request already made with it is answered again, not made twice."""
    try:
        ptype = PointType(point_type)
    except ValueError:
        raise HQProblem(422, "invalid_body", "point_type: consumer, guide or agent") from None
    with db.write() as (conn, seq):
        if withdrawal_id is not None:
            row = conn.execute(select(M.withdrawals).where(M.withdrawals.c.withdrawal_id == withdrawal_id)).first()
            if row is not None:
                if (row.holder, row.point_type, row.points) != (holder, str(ptype), points):
                    raise HQProblem(409, "idempotency_key_used", "withdrawal_id: already used for another request")
                return Withdrawal(**row._mapping)
        account, member_id = _account(conn, holder, ptype)
        policy = _policies(conn)[ptype]
        lots = _lots(conn, account)
        problems = check_withdrawal(policy, ptype, points, spendable_total(lots, now))
        if problems:
            status = 409 if problems[0].code == "points.insufficient" else 422
            raise HQProblem(status, problems[0].code.replace(".", "_"), problems[0].message)
        takes = take_soonest_expiring(lots, points, now)
        if isinstance(takes, Problem):
            raise HQProblem(409, "points_insufficient", f"points: {takes.message}")
        wid = withdrawal_id or new_id()
        entry = Entry(Kind.REDEEM_HOLD, {"purpose": "withdrawal", "withdrawal_id": wid, "points": points,
                                         "account": account, "lots": [[t.lot_id, t.amount] for t in takes]},
                      (Posting(account, -points), Posting(L.suspense(M.HQ_ORIGIN), points)), takes=takes,
                      member_id=member_id)
        event_id = hq_events.write(conn, seq, db.url, [entry], staff_id=R.staff_id(requested_by),
                                   rule_version=R.current_rules(conn, now).version, now=now)[0].event_id
        w = Withdrawal(wid, holder, str(ptype), points, payout_fen(policy, points), "pending", requested_by, now,
                       event_id)
        conn.execute(M.withdrawals.insert().values(**asdict(w)))
    return w


def _pending(conn: Connection, withdrawal_id: str) -> Withdrawal:
    row = conn.execute(select(M.withdrawals).where(M.withdrawals.c.withdrawal_id == withdrawal_id)).first()
    if row is None:
        raise HQProblem(404, "not_found", said("no withdrawal %(w)s", w=withdrawal_id))
    w = Withdrawal(**row._mapping)
    if w.status != "pending":
        raise HQProblem(409, "not_pending", said("withdrawal %(w)s is already %(state)s", w=withdrawal_id,
                                                        state=w.status))
    return w


def _account_name(w: Withdrawal) -> str:
    """The account the points were withdrawn from (named in the payout's event: a guide's tills learn of it)."""
    ptype = PointType(w.point_type)
    return L.guide_account(w.holder) if ptype == PointType.GUIDE else L.member_account(w.holder, ptype)


def _member_of(w: Withdrawal) -> str | None:
    return None if w.point_type == PointType.GUIDE else w.holder


def approve_withdrawal(db: Database, *, withdrawal_id: str, staff: str, now: datetime,
                       actor: Actor | None = None) -> Withdrawal:
    """The held points are redeemed (paid out): the withdrawal joins finance's next payout file."""
    with db.write() as (conn, seq):
        w = _pending(conn, withdrawal_id)
        entry = E.post_hold(member_id=_member_of(w), points=w.points, store_id=M.HQ_ORIGIN,
                            payload={"purpose": "withdrawal", "withdrawal_id": w.withdrawal_id,
                                     "amount_fen": w.amount_fen, "account": _account_name(w)})
        event_id = hq_events.write(conn, seq, db.url, [entry], staff_id=R.staff_id(staff),
                                   rule_version=R.current_rules(conn, now).version, now=now)[0].event_id
        w = replace(w, status="approved", decided_by=staff, decided_at=now, settle_event=event_id)
        conn.execute(update(M.withdrawals).where(M.withdrawals.c.withdrawal_id == withdrawal_id)
                     .values(status=w.status, decided_by=staff, decided_at=now, settle_event=event_id))
        if actor is not None:
            audit.record(conn, actor, "withdrawal.approve", f"withdrawal:{w.withdrawal_id}",
                         before={"status": "pending"}, after={"status": w.status, "holder": w.holder,
                                                              "points": w.points, "amount_fen": w.amount_fen}, at=now)
    return w


def refuse_withdrawal(db: Database, *, withdrawal_id: str, staff: str, note: str, now: datetime,
                      actor: Actor | None = None) -> Withdrawal:
    """The held points go back into the lots they came from (as a voided gift's do)."""
    note = note.strip() if isinstance(note, str) else ""
    if not note or len(note) > 200:
        raise BadField("note", "note: 1 to 200 characters (why it is refused)", code="invalid_body")
    with db.write() as (conn, seq):
        w = _pending(conn, withdrawal_id)
        hold = json.loads(conn.execute(select(M.events.c.payload)
                                       .where(M.events.c.event_id == w.hold_event)).scalar_one())
        takes = tuple(LotTake(str(i), int(n)) for i, n in hold["lots"])
        account = hold["account"]
        lt = M.lots.c
        rows = conn.execute(select(lt.lot_id, lt.amount, lt.remaining, lt.expires_at)
                            .where(lt.account == account, lt.remaining < lt.amount)).all()
        first = conn.execute(select(lt.expires_at).where(lt.lot_id == takes[0].lot_id)).scalar() if takes else now
        room = Room(tuple(LotRoom(r.lot_id, r.amount - r.remaining, r.expires_at) for r in rows),
                    R.owed(conn, w.holder) if _member_of(w) else 0, new_id(), now, first or now)
        # A guide's withdrawal has no member: release_hold (which needs one) then gives back into the account
        # "member:None:consumer" (no debt: room.owed is 0), and _to_account below moves that to the guide's.
        entry = E.release_hold(Kind.REDEEM_VOID, member_id=_member_of(w),  # type: ignore[arg-type]
                               hold_takes=takes, points=w.points,
                               store_id=M.HQ_ORIGIN, payload={"purpose": "withdrawal", "withdrawal_id": withdrawal_id,
                                                              "reason": note}, room=room)
        # release_hold gives back into the member's consumer account: the withdrawal's is its own type's
        # (a guide's: the "member:None:consumer" above, hence the ignore)
        entry = _to_account(entry, L.member_account(_member_of(w)), account)  # type: ignore[arg-type]
        event_id = hq_events.write(conn, seq, db.url, [entry], staff_id=R.staff_id(staff),
                                   rule_version=R.current_rules(conn, now).version, now=now)[0].event_id
        w = replace(w, status="refused", decided_by=staff, decided_at=now, settle_event=event_id, note=note)
        conn.execute(update(M.withdrawals).where(M.withdrawals.c.withdrawal_id == withdrawal_id)
                     .values(status=w.status, decided_by=staff, decided_at=now, settle_event=event_id, note=note))
        if actor is not None:
            audit.record(conn, actor, "withdrawal.refuse", f"withdrawal:{w.withdrawal_id}",
                         before={"status": "pending"}, after={"status": w.status, "holder": w.holder,
                                                              "points": w.points}, note=note, at=now)
    return w


def _to_account(entry: Entry, wrong: str, right: str) -> Entry:
    """The same entry with its postings and lot grants to `right` instead of `wrong` (no change if equal)."""
    postings = tuple(Posting(right if p.account == wrong else p.account, p.amount) for p in entry.postings)
    grants = tuple(replace(g, account=right) if g.account == wrong else g for g in entry.grants)
    return replace(entry, postings=postings, grants=grants)


def list_withdrawals(db: Database, *, status: str | None = None, holder: str | None = None,
                     limit: int = 200) -> list[Withdrawal]:
    with db.read() as conn:
        rows = latest_requests(conn, M.withdrawals, key="withdrawal_id", equal={"status": status, "holder": holder},
                               limit=limit)
    return [Withdrawal(**r) for r in rows]


_w = M.withdrawals.c
SHAPE = ListShape(sorts={"requested_at": _w.requested_at, "points": _w.points, "amount_fen": _w.amount_fen,
                         "status": _w.status, "decided_at": _w.decided_at, "holder": _w.holder},
                  default_sort=(_w.requested_at.desc(),), tiebreak=(_w.withdrawal_id,),
                  filters={"status": lambda q, v: q.where(_w.status == v),
                           "point_type": lambda q, v: q.where(_w.point_type == v),
                           "holder": lambda q, v: q.where(_w.holder == v),
                           "exported": lambda q, v: q.where(_w.exported_at.is_not(None) if v == "yes"
                                                            else _w.exported_at.is_(None))},
                  search=lambda q, v: q.where((_w.withdrawal_id == v) | (_w.holder == v)))


def withdrawals_page(db: Database, query: ListQuery) -> Page:
    """The console's list (filters status, point_type, holder, exported yes|no; search a withdrawal or
    holder id), newest request first."""
    with db.read() as conn:
        return fetch(conn, select(M.withdrawals), query, SHAPE)


def withdrawal(db: Database, withdrawal_id: str) -> Withdrawal:
    with db.read() as conn:
        row = conn.execute(select(M.withdrawals).where(_w.withdrawal_id == withdrawal_id)).first() \
            if isinstance(withdrawal_id, str) else None
    if row is None:
        raise HQProblem(404, "not_found", said("no withdrawal %(w)s", w=str(withdrawal_id)[:36]))
    return Withdrawal(**row._mapping)


def payout_csv(db: Database, *, now: datetime, again: bool = False, actor: Actor | None = None) -> str:
    """The approved withdrawals finance has not exported yet, as CSV (UTF-8, header row), marked exported
    in the same transaction so none is paid twice; `again`: every approved one, marks unchanged."""
    c = M.withdrawals.c
    with db.write() as (conn, _seq):
        q = select(M.withdrawals).where(c.status == "approved")
        if not again:
            q = q.where(c.exported_at.is_(None))
        rows = conn.execute(q.order_by(c.decided_at, c.withdrawal_id)).all()
        if rows and not again:
            conn.execute(update(M.withdrawals).where(c.withdrawal_id.in_([r.withdrawal_id for r in rows]))
                         .values(exported_at=now))
        if actor is not None:
            audit.record(conn, actor, "withdrawal.export", "payouts", after={
                "again": again, "count": len(rows), "amount_fen": sum(r.amount_fen for r in rows),
                "withdrawals": [r.withdrawal_id for r in rows][:200]}, at=now)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow([r.withdrawal_id, r.holder, r.point_type, r.points, r.amount_fen,
                         f"{r.amount_fen // 100}.{r.amount_fen % 100:02d}", r.decided_by,
                         r.decided_at.isoformat(timespec="seconds"), r.settle_event])
    return out.getvalue()
