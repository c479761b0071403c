"""A member's address book (收货地址): where the mall's delivery orders go. At most MAX_ADDRESSES each,
one of them the default (the first kept is, until another is chosen). An order copies the address it
was placed with (programme.orders), so editing or deleting one never changes an order.

    addresses(db, member_id)                                   -> [Saved], the default first
    saved_address(db, member_id, address_id)                   -> Saved (404: not theirs)
    add_address(db, member_id, name=, phone=, address=, default=False, now=now)     -> Saved
    edit_address(db, member_id, address_id, name=, phone=, address=, default=, now=now) -> Saved
    delete_address(db, member_id, address_id)                  -> None (the next one becomes the default)

Refusals change nothing: a bad name, phone or address (422, code invalid_name | invalid_phone |
invalid_address), a full book (409 address_book_full), another member's address (404 address_unknown).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Unpack

from sqlalchemy import Connection, Row, func, select, update

from hq_server.db import Database
from hq_server.errors import HQProblem
from hq_server.programme.address_tables import member_addresses
from hq_server.programme.orders import Address, check_address
from pos_app.domain.ids import new_id

MAX_ADDRESSES = 20
_a = member_addresses.c


@dataclass(frozen=True)
class Saved:
    address_id: str
    name: str
    phone: str
    address: str
    is_default: bool

    def as_address(self) -> Address:
        return Address(self.name, self.phone, self.address)


def _saved(r: Row[Unpack[tuple[Any, ...]]]) -> Saved:
    return Saved(r.address_id, r.name, r.phone, r.address, bool(r.is_default))


def addresses(db: Database, member_id: str) -> list[Saved]:
    with db.read() as conn:
        rows = conn.execute(select(member_addresses).where(_a.member_id == member_id)
                            .order_by(_a.is_default.desc(), _a.created_at, _a.address_id)).all()
    return [_saved(r) for r in rows]


def _row(conn: Connection, member_id: str, address_id: str) -> Row[Unpack[tuple[Any, ...]]]:
    r = conn.execute(select(member_addresses).where(_a.address_id == address_id)).first() \
        if isinstance(address_id, str) else None
    if r is None or r.member_id != member_id:
        raise HQProblem(404, "address_unknown", f"address_id: no address {str(address_id)[:36]!r}")
    return r


def saved_address(db: Database, member_id: str, address_id: str) -> Saved:
    with db.read() as conn:
        return _saved(_row(conn, member_id, address_id))


def _make_default(conn: Connection, member_id: str, address_id: str) -> None:
    conn.execute(update(member_addresses).where(_a.member_id == member_id).values(
        is_default=0))
    conn.execute(update(member_addresses).where(_a.address_id == address_id).values(is_default=1))


def add_address(db: Database, member_id: str, *, name: str, phone: str, address: str, now: datetime,
                default: bool = False) -> Saved:
    checked = check_address(name, phone, address)
    with db.write() as (conn, _seq):
        held = conn.execute(select(func.count()).select_from(member_addresses)
                            .where(_a.member_id == member_id)).scalar_one()
        if held >= MAX_ADDRESSES:
            raise HQProblem(409, "address_book_full", f"an address book holds {MAX_ADDRESSES} addresses: delete one")
        address_id = new_id()
        conn.execute(member_addresses.insert().values(
            address_id=address_id, member_id=member_id, name=checked.name, phone=checked.phone,
            address=checked.address, is_default=0, created_at=now, updated_at=now))
        if default or held == 0:
            _make_default(conn, member_id, address_id)
        return _saved(_row(conn, member_id, address_id))


def edit_address(db: Database, member_id: str, address_id: str, *, name: str, phone: str, address: str,
                 now: datetime, default: bool = False) -> Saved:
    checked = check_address(name, phone, address)
    with db.write() as (conn, _seq):
        _row(conn, member_id, address_id)
        conn.execute(update(member_addresses).where(_a.address_id == address_id).values(
            name=checked.name, phone=checked.phone, address=checked.address, updated_at=now))
        if default:
            _make_default(conn, member_id, address_id)
        return _saved(_row(conn, member_id, address_id))


def delete_address(db: Database, member_id: str, address_id: str) -> None:
    with db.write() as (conn, _seq):
        r = _row(conn, member_id, address_id)
        conn.execute(member_addresses.delete().where(_a.address_id == address_id))
        if r.is_default:
            first = conn.execute(select(_a.address_id).where(_a.member_id == member_id)
                                 .order_by(_a.created_at, _a.address_id).limit(1)).scalar()
            if first is not None:
                _make_default(conn, member_id, first)
