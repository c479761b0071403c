"""A store's till staff (cashiers, managers) as HQ keeps them: each with a role and a PIN the till checks
offline (only its hash leaves HQ, in the store's feed). Creating or changing one is a feed entry the
store's tills pull and, from the console, an audit entry (never the PIN, only that it changed).

    staff_of(db, "s-1") -> [{"staff_id", "name", "role", "active"}]
    save_staff(db, actor, "s-1", "c-07", name="李娜", role="cashier", pin="4821", active=True, now=now)

Refusals change nothing: a bad id, name, role or PIN (422, naming the field), a new member of staff
without a PIN (422), an unknown store (404), a staff id of another store (409), a store manager
working on another store's staff (403).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from hq_server import models as M
from hq_server.db import Database
from hq_server.errors import HQProblem
from hq_server.feed import FeedWriter
from hq_server.programme import audit
from hq_server.programme.audit import Actor
from hq_server.programme.refusals import BadField, said
from hq_server.roles import StaffRole
from pos_app.domain.staff import Role, check_pin_format, hash_pin

s = M.staff.c


def staff_of(db: Database, store_id: str) -> list[dict[str, Any]]:
    with db.read() as conn:
        rows = conn.execute(select(s.staff_id, s.name, s.role, s.active).where(s.store_id == store_id)
                            .order_by(s.name, s.staff_id)).all()
    return [{**r._mapping, "active": bool(r.active)} for r in rows]


def _check(staff_id: str, name: str, role: str, pin: str | None) -> Role:
    if not isinstance(staff_id, str) or not 1 <= len(staff_id) <= 36 or not staff_id.isprintable() \
            or staff_id != staff_id.strip():
        raise BadField("staff_id", "a staff id is 1 to 36 characters", code="invalid_body")
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= 40:
        raise BadField("name", "a staff member's name is 1 to 40 characters", code="invalid_body")
    try:
        role_ = Role(role)
    except ValueError:
        raise BadField("role", "role: cashier, manager or admin", code="invalid_body") from None
    if pin is not None and (problems := check_pin_format(pin)):
        raise BadField("pin", "; ".join(str(p) for p in problems), code="invalid_pin")
    return role_


def save_staff(db: Database, actor: Actor | None, store_id: str, staff_id: str, *, name: str, role: str,
               pin: str | None, active: bool, now: datetime) -> dict[str, Any]:
    """Create the staff member (a PIN needed) or change their name, role, active flag and (given) PIN.
    `actor`: the console's signed-in staff (audited); None: the JSON API (its caller checked the store)."""
    role_ = _check(staff_id, name, role, pin)
    name = name.strip()
    if actor is not None and actor.role == StaffRole.STORE_MANAGER and actor.store_id != store_id:
        raise HQProblem(403, "not_your_store", said("a store manager runs their own store's staff, not %(store)s's",
                                                    store=store_id))
    with db.write() as (conn, seq):
        if conn.execute(select(M.stores.c.store_id).where(M.stores.c.store_id == store_id)).first() is None:
            raise HQProblem(404, "store_unknown", said("no store %(store)s", store=store_id))
        row = conn.execute(select(M.staff).where(s.staff_id == staff_id)).first()
        if row is not None and row.store_id != store_id:
            raise HQProblem(409, "staff_elsewhere", said("staff %(staff)s belongs to store %(store)s", staff=staff_id,
                                                         store=row.store_id))
        if pin is not None:
            pin_hash = hash_pin(pin)
        elif row is not None:
            pin_hash = row.pin_hash
        else:
            raise BadField("pin", "a new staff member needs a PIN", code="invalid_pin")
        values = {"store_id": store_id, "name": name, "role": str(role_), "active": int(active),
                  "pin_hash": pin_hash}
        if row is None:
            conn.execute(M.staff.insert().values(staff_id=staff_id, **values))
        else:
            conn.execute(update(M.staff).where(s.staff_id == staff_id).values(**values))
        feed = FeedWriter(seq)
        feed.add(store_id, "staff", staff_id, {"staff_id": staff_id, **values})
        feed.flush(conn)
        after = {"staff_id": staff_id, "store_id": store_id, "name": name, "role": str(role_), "active": active}
        if actor is not None:
            before = None if row is None else {"name": row.name, "role": row.role, "active": bool(row.active)}
            audit.record(conn, actor, "staff.create" if row is None else "staff.change", f"staff:{staff_id}",
                         before=before, after={**after, **({"pin": "changed"} if pin is not None else {})}, at=now)
    return after
