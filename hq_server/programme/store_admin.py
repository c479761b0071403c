"""Stores and their tills as HQ runs them: the store list, a new store, a one-time enrolment token, each
till's last contact, what waits at HQ from it and the offline window it has left, revoking a till.
A store manager sees and works only their own store. Every change is in the audit log (a token is
not: only that one was made, and until when)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import and_, func, select, update

from hq_server import models as M
from hq_server.auth import Staff
from hq_server.db import Database
from hq_server.errors import HQProblem
from hq_server.feed import FeedWriter
from hq_server.limits import CHAIN_KEY, limits_for
from hq_server.programme import audit
from hq_server.programme.audit import Actor
from hq_server.programme.listing import ListQuery, ListShape, Page, fetch
from hq_server.programme.refusals import BadField, said
from hq_server.roles import CATALOGUE, StaffRole
from hq_server.security import new_secret, secret_hash
from pos_app.sync.wire import OfflineLimits

STORE_ID = re.compile(r"[A-Za-z0-9_-]{1,36}")
s, d = M.stores.c, M.devices.c
_tills = (select(d.store_id, func.count().label("tills"), func.max(d.last_seen).label("last_seen"))
          .where(d.revoked == 0).group_by(d.store_id).subquery())
LIST = (select(s.store_id, s.name, s.created_at, func.coalesce(_tills.c.tills, 0).label("tills"),
               _tills.c.last_seen)
        .select_from(M.stores.outerjoin(_tills, _tills.c.store_id == s.store_id))
        .where(s.store_id != M.HQ_ORIGIN))
SHAPE = ListShape(sorts={"store_id": s.store_id, "name": s.name, "created_at": s.created_at,
                         "last_seen": _tills.c.last_seen, "tills": _tills.c.tills},
                  default_sort=(s.store_id,), tiebreak=(s.store_id,),
                  search=lambda q, v: q.where(s.store_id.contains(v, autoescape=True) | s.name.contains(v, autoescape=True)))


def _scope(who: Staff, store_id: str) -> None:
    if not who.manages(store_id):
        raise HQProblem(403, "forbidden", f"your role ({who.role}) may not manage store {store_id}")


def find(db: Database, who: Staff, query: ListQuery) -> Page:
    stmt = LIST if who.role != StaffRole.STORE_MANAGER else LIST.where(s.store_id == who.store_id)
    with db.read() as conn:
        return fetch(conn, stmt, query, SHAPE)


def create(db: Database, actor: Actor, store_id: str, name: str, now: datetime) -> dict[str, Any]:
    store_id, name = store_id.strip(), name.strip()
    if not STORE_ID.fullmatch(store_id):
        raise BadField("store_id", "a store id is 1 to 36 letters, digits, _ or -")
    if store_id in (M.HQ_ORIGIN, M.CHAIN):
        raise BadField("store_id", said("%(store)r is reserved", store=store_id))
    if not (1 <= len(name) <= 80):
        raise BadField("name", "a store's name is 1 to 80 characters")
    with db.write() as (conn, _seq):
        if conn.execute(select(s.store_id).where(s.store_id == store_id)).first():
            raise BadField("store_id", said("store %(store)s already exists", store=store_id), code="store_exists",
                           status=409)
        conn.execute(M.stores.insert().values(store_id=store_id, name=name, created_at=now))
        audit.record(conn, actor, "store.create", f"store:{store_id}", after={"store_id": store_id, "name": name},
                     at=now)
    return {"store_id": store_id, "name": name}


def store(db: Database, who: Staff, store_id: str, now: datetime) -> dict[str, Any]:
    """The store with each till: last contact, events from it waiting at HQ (rule 5), offline window left.
    Its manager and the admin see it; operators too (they set its offline limits)."""
    if not who.may(CATALOGUE):
        _scope(who, store_id)
    e = M.events.c
    with db.read() as conn:
        row = conn.execute(select(M.stores).where(s.store_id == store_id)).first()
        if row is None or store_id == M.HQ_ORIGIN:
            raise HQProblem(404, "not_found", f"no store {store_id}")
        limits = limits_for(conn, store_id)
        waiting: dict[str, int] = dict(conn.execute(select(e.device_id, func.count()).where(e.store_id == store_id,
                                                                              e.status == "waiting")
                                    .group_by(e.device_id)).all())
        tills = []
        for t in conn.execute(select(M.devices).where(d.store_id == store_id).order_by(d.created_at)):
            left = None
            if t.last_seen is not None and not t.revoked:
                left = max(timedelta(0), t.last_seen + timedelta(hours=limits.max_offline_hours) - now)
            tills.append({"device_id": t.device_id, "name": t.name, "created_at": t.created_at,
                          "last_seen": t.last_seen, "revoked": bool(t.revoked), "acked_max_seq": t.acked_max_seq,
                          "clock_skew_s": t.clock_skew_s,
                          # every event HQ holds from the till (its sync check's count): counting them cost
                          # a scan of the store's events, seconds on a ledger of millions (bench.console)
                          "events": t.acked_count,
                          "waiting": waiting.get(t.device_id, 0),
                          "offline_left_h": None if left is None else int(left.total_seconds() // 3600)})
        st = M.staff.c
        staff = [dict(r._mapping) for r in conn.execute(select(st.staff_id, st.name, st.role, st.active)
                                                        .where(st.store_id == store_id).order_by(st.name))]
        tokens = conn.execute(select(func.count()).select_from(M.enrol_tokens).where(
            and_(M.enrol_tokens.c.store_id == store_id, M.enrol_tokens.c.used_at.is_(None),
                 M.enrol_tokens.c.expires_at > now))).scalar_one()
    return {"store_id": row.store_id, "name": row.name, "created_at": row.created_at, "tills": tills,
            "staff": staff, "limits": limits.model_dump(), "open_tokens": tokens}


def enrolment_token(db: Database, who: Staff, store_id: str, hours: int, now: datetime) -> dict[str, Any]:
    """A one-time token a till trades for its key (POST /api/v1/enrol); shown once, kept hashed."""
    _scope(who, store_id)
    if not (1 <= hours <= 24 * 14):
        raise BadField("hours", "a token is valid for 1 to 336 hours")
    token, expires = new_secret(), now + timedelta(hours=hours)
    with db.write() as (conn, _seq):
        if conn.execute(select(s.store_id).where(s.store_id == store_id)).first() is None:
            raise HQProblem(404, "not_found", f"no store {store_id}")
        conn.execute(M.enrol_tokens.insert().values(token_hash=secret_hash(token), store_id=store_id, created_at=now,
                                                    expires_at=expires))
        audit.record(conn, Actor(who.username, who.role, who.store_id), "store.enrolment_token", f"store:{store_id}",
                     after={"expires_at": expires.isoformat()}, at=now)
    return {"token": token, "expires_at": expires}


def revoke_till(db: Database, who: Staff, device_id: str, now: datetime) -> str:
    with db.write() as (conn, _seq):
        row = conn.execute(select(d.store_id, d.revoked, d.name).where(d.device_id == device_id)).first()
        if row is None or row.store_id == M.HQ_ORIGIN:
            raise HQProblem(404, "not_found", f"no till {device_id}")
        _scope(who, row.store_id)
        if row.revoked:
            raise HQProblem(409, "already_revoked", said("till %(till)s is already revoked", till=row.name))
        conn.execute(update(M.devices).where(d.device_id == device_id).values(revoked=1))
        audit.record(conn, Actor(who.username, who.role, who.store_id), "till.revoke", f"till:{device_id}",
                     before={"revoked": False, "store_id": row.store_id, "name": row.name}, after={"revoked": True},
                     at=now)
    store_id: str = row.store_id
    return store_id


LIMIT_FIELDS = ("max_offline_hours", "member_redeem_points", "store_redeem_budget")


def set_offline_limits(db: Database, actor: Actor, store_id: str | None, form: dict[str, str],
                       now: datetime) -> dict[str, Any]:
    """The offline limits of one store (store_id) or of the chain (None), checked by the wire schema the
    tills read them with (pos_app.sync.wire.OfflineLimits); the tills get them by pull."""
    values = {}
    for name in LIMIT_FIELDS:
        raw = (form.get(name) or "").strip().replace(",", "")
        if not raw.isdigit() or len(raw) > 18:
            raise BadField(name, said("%(field)s is a whole number >= 0", field=name))
        values[name] = int(raw)
    try:
        limits = OfflineLimits(**values)
    except ValidationError as err:
        first = err.errors()[0]
        raise BadField(str(first["loc"][0]), f"{first['loc'][0]}: {first['msg']}") from None
    doc = limits.model_dump_json()
    with db.write() as (conn, seq):
        feed = FeedWriter(seq)
        if store_id is None:
            before = conn.execute(select(M.settings.c.value).where(M.settings.c.key == CHAIN_KEY)).scalar()
            if conn.execute(update(M.settings).where(M.settings.c.key == CHAIN_KEY).values(value=doc)).rowcount == 0:
                conn.execute(M.settings.insert().values(key=CHAIN_KEY, value=doc))
            feed.add(M.CHAIN, "offline_limits", "chain", {"scope": "chain", **limits.model_dump()})
        else:
            row = conn.execute(select(s.offline_limits).where(s.store_id == store_id)).first()
            if row is None:
                raise HQProblem(404, "not_found", f"no store {store_id}")
            before = row.offline_limits
            conn.execute(update(M.stores).where(s.store_id == store_id).values(offline_limits=doc))
            feed.add(store_id, "offline_limits", store_id, {"scope": "store", **limits.model_dump()})
        feed.flush(conn)
        audit.record(conn, actor, "offline_limits.set", f"store:{store_id}" if store_id else "chain",
                     before=json.loads(before) if before else None, after=limits.model_dump(), at=now)
    return limits.model_dump()


def chain_limits(db: Database) -> dict[str, Any]:
    with db.read() as conn:
        raw = conn.execute(select(M.settings.c.value).where(M.settings.c.key == CHAIN_KEY)).scalar()
    return (OfflineLimits.model_validate_json(raw) if raw else OfflineLimits()).model_dump()
