"""A member's online exchange orders (积分商城 兑换订单): the use cases the mall and the console call.

An order takes the member's points as an event of HQ's online channel (DESIGN.md 10: a `redeem_hold`
into HQ's suspense, the tills' own points engine, soonest-expiring lots first) and reserves its units
where they will leave from: the store the member chose for pickup, or HQ's warehouse for delivery
(hq_server.ledger.stock_book; the store's tills pull their new count). A pickup order has a pickup code
signed by HQ's key for that store (pos_app.domain.chain_codes), which the store's till writes off,
offline too; HQ then moves the points to its redeemed account (rule 10, hq_server.ledger.code_uses). A
delivery order is picked, shipped with a tracking number (its points redeemed: a `redeem_post`) and
marked delivered. Cancelling before it is shipped or collected gives the points back into the lots
they came from (a `redeem_void`) and the units back to their location.

Every use case is one transaction under HQ's writer lock, so concurrent orders never oversell: the
stock is read and reserved under the lock. A double submit (the same idempotency key of the member)
is the same order, answered again. Refusals change nothing: too few points, sold out (at the chosen
store), over the gift's per-member limit, a tier-only gift, a gift not on offer now, a frozen member
(409); bad input (422); an order that is not the member's (404).

    place_order(db, member_id=m, gift_id="CUP", qty=1, mode="pickup", store_id="s-1",
                idempotency_key=form_key, now=now) -> Order            (Order.pickup_code: "PM1:P:...")
    place_order(db, member_id=m, gift_id="CUP", qty=1, mode="delivery",
                address=Address("李娜", "13912345678", "..."), idempotency_key=k, now=now) -> Order
    cancel_order(db, order_id, member_id=m (the mall) | actor=Actor (the console), reason="", now=now) -> Order
    pick_order(db, actor, order_id, now=now)                               -> Order   (delivery: placed -> picking)
    ship_order(db, actor, order_id, carrier="SF", tracking_no="SF123", now=now) -> Order   (-> shipped)
    mark_delivered(db, actor, order_id, now=now)                           -> Order   (-> delivered)
    order(db, order_id, member_id=None) -> Order;  member_orders(db, member_id) -> [Order]
    orders_page(db, ListQuery(filters={"status": "placed", "mode": "delivery"})) -> Page (the console)
    pickup_stores(db, gift_id) -> [StockLevel]   (stores holding the gift now: the pickup choices)
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Unpack, cast

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, Row, func, literal, select, update

from hq_server import device_keys
from hq_server import models as M
from hq_server.ledger.chain_codes_tables import code_uses, pickups
from hq_server.db import Database
from hq_server.errors import HQProblem
from hq_server.feed import FeedWriter
from hq_server.ledger import hq_events
from hq_server.programme import audit
from hq_server.programme import ledger_reads as R
from hq_server.programme.audit import Actor
from hq_server.programme.listing import ListQuery, ListShape, Page, fetch
from hq_server.programme.member_standing import FROZEN
from hq_server.programme.order_tables import orders
from hq_server.programme.refusals import BadField, said
from hq_server.programme.stock import StockLevel, stock_by_location
from hq_server.programme.tiers import chain_tiers
from hq_server.ledger.stock_book import WAREHOUSE, StockBook, move_id
from pos_app.domain import entries as E
from pos_app.domain import ledger as L
from pos_app.domain.chain_codes import pickup_payload
from pos_app.domain.gifts import MAX_GIFT_QTY, Gift, check_redemption, parse_gift
from pos_app.domain.give_back import LotRoom, Room
from pos_app.domain.ids import new_id
from pos_app.domain.ledger import Kind
from pos_app.domain.lots import spendable_total
from pos_app.domain.members import check_name, check_phone, normalize_phone
from pos_app.domain.problems import Problem

PICKUP, DELIVERY = "pickup", "delivery"
PLACED, PICKING, SHIPPED, DELIVERED, PICKED_UP, CANCELLED = ("placed", "picking", "shipped", "delivered",
                                                              "picked_up", "cancelled")
HQ = M.HQ_ORIGIN
# An order's state and the steps of a delivery as words in a refusal (a face shows them in its language).
STATE_WORDS = {PLACED: said("placed"), PICKING: said("being picked"), SHIPPED: said("shipped"),
               DELIVERED: said("delivered"), PICKED_UP: said("picked up"), CANCELLED: said("cancelled")}
STEP_WORDS = {"picked": said("be picked"), "shipped": said("be shipped"),
              "marked delivered": said("be marked delivered")}
_KEY = re.compile(r"[\x21-\x7e]{1,64}")  # printable ASCII: a form's token, a UUID
MAX_ADDRESS = 200
MAX_REASON = 200
# Refusals a member can act on (they change nothing): the domain's code -> the field the page marks.
_FIELDS = {"points.insufficient": "qty", "gift.out_of_stock": "qty", "gift.limit": "qty", "gift.bad_qty": "qty",
           "gift.tier": "gift_id", "gift.inactive": "gift_id", "gift.not_started": "gift_id", "gift.ended": "gift_id"}


@dataclass(frozen=True)
class Address:
    name: str
    phone: str
    address: str


@dataclass(frozen=True)
class Order:
    order_id: str
    member_id: str
    gift_id: str
    gift_name: str
    qty: int
    points: int
    copay_fen: int  # paid at the counter (pickup) or on delivery: no payment gateway
    mode: str  # pickup | delivery
    location: str  # the pickup store, or "hq" (the warehouse)
    address: Address | None
    status: str  # placed | picking | shipped | delivered | picked_up | cancelled
    carrier: str | None
    tracking_no: str | None
    created_at: datetime
    updated_at: datetime
    pickup_code: str | None = None  # a pickup order still to collect: show it as QR
    collected_at: str | None = None  # the store whose till wrote it off
    location_name: str | None = None  # the pickup store's name (the mall's pages)


# --- reading ------------------------------------------------------------------------------------

def _gift(conn: Connection, gift_id: str) -> Gift:
    c = M.catalog.c
    data = conn.execute(select(c.data).where(c.type == "gift", c.key == gift_id)).scalar() \
        if isinstance(gift_id, str) else None
    parsed = parse_gift(gift_id, json.loads(data)) if data is not None else None
    if not isinstance(parsed, Gift):
        raise BadField("gift_id", f"gift_id: no gift {str(gift_id)[:64]!r} on offer", code="gift.unknown", status=404)
    return parsed


def _gift_names(conn: Connection, gift_ids: Iterable[str]) -> dict[str, str]:
    """The gifts' names in one read (a list of orders names many)."""
    c = M.catalog.c
    ids = sorted(set(gift_ids))
    rows = conn.execute(select(c.key, c.data).where(c.type == "gift", c.key.in_(ids))).all() if ids else []
    return {r.key: json.loads(r.data).get("name", r.key) for r in rows}


_USE = code_uses.alias("use")
_SELECT = select(orders, _USE.c.event_id.label("use_event"), _USE.c.store_id.label("use_store")).join_from(
    orders, _USE, _USE.c.code_key == literal("P:") + orders.c.order_id, isouter=True)


def _status(r: Row[Unpack[tuple[Any, ...]]]) -> tuple[str, str | None]:
    """A pickup order collected at a till is told by the code's first use (hq_server.ledger.code_uses)."""
    if r.mode == PICKUP and r.status == PLACED and r.use_event is not None and r.use_event != r.close_event:
        return PICKED_UP, r.use_store
    return r.status, None


def _store_names(conn: Connection, store_ids: Iterable[str]) -> dict[str, str]:
    ids = sorted(set(store_ids) - {WAREHOUSE})
    rows = conn.execute(select(M.stores.c.store_id, M.stores.c.name).where(M.stores.c.store_id.in_(ids))).all() \
        if ids else []
    return {r.store_id: r.name for r in rows}


def _order(conn: Connection, db_url: str, r: Row[Unpack[tuple[Any, ...]]], key: Ed25519PrivateKey | None = None,
           names: dict[str, str] | None = None, stores: dict[str, str] | None = None) -> Order:
    status, collected_at = _status(r)
    address = Address(**json.loads(r.address)) if r.address else None
    code = None
    if r.mode == PICKUP and status == PLACED:
        key = key or device_keys.hq_key_if_made(conn, db_url)
        if key is not None:
            code = pickup_payload(r.order_id, r.location, key, gift_id=r.gift_id, qty=r.qty, member_id=r.member_id)
    name = (names if names is not None else _gift_names(conn, [r.gift_id])).get(r.gift_id, r.gift_id)
    return Order(r.order_id, r.member_id, r.gift_id, name, r.qty, r.points, r.copay_fen, r.mode,
                 r.location, address, status, r.carrier, r.tracking_no, r.created_at, r.updated_at, code, collected_at,
                 (stores if stores is not None else _store_names(conn, [r.location])).get(r.location))


def _row(conn: Connection, order_id: str, member_id: str | None = None) -> Row[Unpack[tuple[Any, ...]]]:
    r = conn.execute(_SELECT.where(orders.c.order_id == order_id)).first() if isinstance(order_id, str) else None
    if r is None or (member_id is not None and r.member_id != member_id):
        raise HQProblem(404, "order_unknown", said("order_id: no order %(order)r", order=str(order_id)[:36]))
    return r


def order(db: Database, order_id: str, *, member_id: str | None = None) -> Order:
    """One order; `member_id` (the mall): only the member's own."""
    with db.read() as conn:
        return _order(conn, db.url, _row(conn, order_id, member_id))


def member_orders(db: Database, member_id: str, limit: int = 100, offset: int = 0,
                  status: str | None = None) -> list[Order]:
    """The member's orders, newest first, a page of them (`limit` from `offset`); `status`: "open" (still to
    ship or collect) or "closed" (done or cancelled) only. Three reads, however many orders."""
    q = _SELECT.where(orders.c.member_id == member_id)
    if status == "open":
        q = q.where(orders.c.status.in_((PLACED, PICKING, SHIPPED)))
    elif status == "closed":
        q = q.where(orders.c.status.in_((DELIVERED, CANCELLED)))
    with db.read() as conn:
        rows = conn.execute(q.order_by(orders.c.created_at.desc(), orders.c.order_id).limit(limit)
                            .offset(max(0, offset))).all()
        key = device_keys.hq_key_if_made(conn, db.url) if any(r.mode == PICKUP for r in rows) else None
        names = _gift_names(conn, [r.gift_id for r in rows])
        stores = _store_names(conn, [r.location for r in rows])
        return [_order(conn, db.url, r, key, names, stores) for r in rows]


_o = orders.c
SHAPE = ListShape(sorts={"created_at": _o.created_at, "status": _o.status, "gift_id": _o.gift_id},
                  default_sort=(_o.created_at.desc(),), tiebreak=(_o.order_id,),
                  filters={"status": lambda s, v: s.where(_o.status == v), "mode": lambda s, v: s.where(_o.mode == v),
                           "location": lambda s, v: s.where(_o.location == v),
                           "member_id": lambda s, v: s.where(_o.member_id == v),
                           "gift_id": lambda s, v: s.where(_o.gift_id == v)},
                  search=lambda s, v: s.where((_o.order_id == v) | (_o.tracking_no == v) | (_o.member_id == v)))


def orders_page(db: Database, query: ListQuery) -> Page:
    """The console's list of online orders (filters status, mode, location, member_id, gift_id; search an
    order id, tracking number or member id). A pickup order collected at a till reads picked_up."""
    with db.read() as conn:
        page = fetch(conn, _SELECT, query, SHAPE, lambda r: r)
        # the rows as read (lambda r: r), not yet dicts: they become Orders below
        rows = cast("list[Row[Unpack[tuple[Any, ...]]]]", page.rows)
        key = device_keys.hq_key_if_made(conn, db.url)
        names = _gift_names(conn, [r.gift_id for r in rows])
        stores = _store_names(conn, [r.location for r in rows])
        return Page([_order(conn, db.url, r, key, names, stores).__dict__ for r in rows], page.total, page.query)


def pickup_stores(db: Database, gift_id: str) -> list[StockLevel]:
    """The stores holding the gift now, most first: where the member may choose to pick it up."""
    levels = [s for s in stock_by_location(db, gift_id=gift_id) if s.location != WAREHOUSE and s.qty > 0]
    return sorted(levels, key=lambda s: (-s.qty, s.location))


# --- placing ------------------------------------------------------------------------------------

def _check_input(qty: Any, mode: Any, store_id: Any, address: Any, key: Any) -> tuple[str, Address | None]:
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise BadField("idempotency_key", "idempotency_key: 1 to 64 printable characters (the form's token)")
    if not isinstance(qty, int) or isinstance(qty, bool) or not 1 <= qty <= MAX_GIFT_QTY:
        raise BadField("qty", f"qty: 1 to {MAX_GIFT_QTY}")
    if mode == PICKUP:
        if not isinstance(store_id, str) or not store_id:
            raise BadField("store_id", "store_id: choose the store to pick it up at")
        return store_id, None
    if mode != DELIVERY:
        raise BadField("mode", f"mode: {PICKUP} or {DELIVERY}")
    if not isinstance(address, Address):
        raise BadField("address", "address: a delivery needs the name, phone and address to send it to")
    return WAREHOUSE, check_address(address.name, address.phone, address.address, "address")


def check_address(name: Any, phone: Any, address: Any, field: str | None = None) -> Address:
    """A delivery address as kept: the name and phone checked as a member's, the address 5 to MAX_ADDRESS
    printable characters, spaces folded. A refusal names `field`, or the part that is wrong (name, phone,
    address: the address book's form)."""
    name = (name if isinstance(name, str) else "").strip()
    phone = normalize_phone(phone if isinstance(phone, str) else "")
    text = " ".join((address if isinstance(address, str) else "").split())
    bad = [(part, why) for part, why in (("name", check_name(name)), ("phone", check_phone(phone))) if why]
    if bad:
        part, why = bad[0]
        raise BadField(field or part, f"address: {why[0].message}", code="invalid_field" if field else f"invalid_{part}")
    if not 5 <= len(text) <= MAX_ADDRESS or not text.isprintable():
        raise BadField(field or "address", f"address: the address is 5 to {MAX_ADDRESS} printable characters",
                       code="invalid_field" if field else "invalid_address")
    return Address(name, phone, text)


def already_redeemed(conn: Connection, member_id: str, gift_id: str) -> int:
    """What the member has redeemed of the gift, chain-wide, as HQ knows it: every hold (online or at a
    till) not cancelled."""
    u, e = code_uses.alias("u"), M.events.alias("e")
    q = (select(func.coalesce(func.sum(pickups.c.qty), 0))
         .join_from(pickups, u, u.c.code_key == literal("P:") + pickups.c.redemption_id, isouter=True)
         .join_from(u, e, e.c.event_id == u.c.event_id, isouter=True)
         .where(pickups.c.member_id == member_id, pickups.c.gift_id == gift_id,
                (e.c.kind.is_(None)) | (e.c.kind != str(Kind.REDEEM_VOID))))
    return int(conn.execute(q).scalar_one())


def _refusal(problems: tuple[Problem, ...], location: str) -> BadField:
    p = problems[0]
    message = p.message
    if p.code == "gift.out_of_stock":
        message = f"sold out: {p.message}" + (" at this store" if location != WAREHOUSE else "")
    return BadField(_FIELDS.get(p.code, "gift_id"), message, code=p.code, status=409)


def place_order(db: Database, *, member_id: str, gift_id: str, qty: int, mode: str, idempotency_key: str,
                now: datetime, store_id: str | None = None, address: Address | None = None) -> Order:
    location, address = _check_input(qty, mode, store_id, address, idempotency_key)
    with db.write() as (conn, seq):
        same = conn.execute(_SELECT.where(_o.member_id == member_id, _o.idempotency_key == idempotency_key)).first()
        if same is not None:  # a double submit: the order the first one made
            if (same.gift_id, same.qty, same.mode) != (gift_id, qty, mode):
                raise BadField("idempotency_key", "idempotency_key: already used for another order", status=409)
            return _order(conn, db.url, same)
        member = R.require_member(conn, member_id)
        if (member.risk_flag or "").startswith(FROZEN):
            raise HQProblem(409, "member_frozen", said("this account is frozen: ask customer service"))
        gift = _gift(conn, gift_id)
        if location != WAREHOUSE and conn.execute(select(M.stores.c.store_id).where(
                M.stores.c.store_id == location)).first() is None:
            raise BadField("store_id", f"store_id: no store {location[:36]!r}")
        book = StockBook(conn, seq, now)
        lots = R.lots_of(conn, L.member_account(member_id))
        problems = check_redemption(gift, qty=qty, stock=book.level(location, gift_id) or 0, member_tier=member.tier,
                                    tiers=chain_tiers(conn, now),
                                    already_redeemed=already_redeemed(conn, member_id, gift_id),
                                    spendable_points=spendable_total(lots, now), now=now)
        if problems:
            raise _refusal(problems, location)
        order_id, points = new_id(), gift.points_cost * qty
        hold = E.spend(Kind.REDEEM_HOLD, member_id=member_id, lots=lots, points=points, to_account=L.suspense(HQ),
                       now=now, payload={"redemption_id": order_id, "order_id": order_id, "gift_id": gift_id,
                                         "qty": qty, "mode": mode, "stock_at": location,
                                         "copay_fen": gift.copay_fen * qty})
        if isinstance(hold, Problem):  # checked above: a lot not yet available, say
            raise _refusal((hold,), location)
        (written,) = hq_events.write(conn, seq, db.url, [hold], staff_id=None,
                                     rule_version=R.current_rules(conn, now).version, now=now)
        book.move(gift_id, location, -qty, "reserve", mid=move_id(order_id, "reserve"), ref=order_id,
                  event_id=written.event_id, by="mall")
        key = device_keys.hq_key(conn, seq, db.url, now) if mode == PICKUP else None
        feed = FeedWriter(seq)
        book.flush(feed)
        feed.flush(conn)
        conn.execute(orders.insert().values(
            order_id=order_id, member_id=member_id, idempotency_key=idempotency_key, gift_id=gift_id, qty=qty,
            points=points, copay_fen=gift.copay_fen * qty, mode=mode, location=location,
            address=json.dumps(address.__dict__, ensure_ascii=False) if address else None, status=PLACED,
            hold_event=written.event_id, created_at=now, updated_at=now))
        return _order(conn, db.url, _row(conn, order_id), key)


# --- cancelling, shipping -----------------------------------------------------------------------

def _room(conn: Connection, member_id: str, takes: tuple[L.LotTake, ...], now: datetime) -> Room:
    """What the member's account can take back now (as a till's give_back_room reads it)."""
    lt = M.lots.c
    account = L.member_account(member_id)
    rows = conn.execute(select(lt.lot_id, lt.amount, lt.remaining, lt.expires_at)
                        .where(lt.account == account, lt.remaining < lt.amount)).all()
    first = conn.execute(select(lt.expires_at).where(lt.lot_id == takes[0].lot_id)).scalar() if takes else None
    return Room(tuple(LotRoom(r.lot_id, int(r.amount - r.remaining), r.expires_at) for r in rows),
                R.owed(conn, member_id), new_id(), now, first or now + timedelta(days=R.current_rules(conn, now)
                                                                                  .expiry_days))


def cancel_order(db: Database, order_id: str, *, now: datetime, member_id: str | None = None,
                 actor: Actor | None = None, reason: str = "") -> Order:
    """Before it is shipped (delivery) or collected (pickup): the points go back into their lots, the
    units back to their location. `member_id`: the member cancelling in the mall (their own orders
    only); `actor`: HQ's staff in the console (audited)."""
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise BadField("reason", f"reason: at most {MAX_REASON} characters")
    with db.write() as (conn, seq):
        r = _row(conn, order_id, member_id)
        status, collected_at = _status(r)
        if status not in (PLACED, PICKING):
            state = STATE_WORDS.get(status, status)
            raise HQProblem(409, "order_closed", said(
                "this order is already %(state)s at store %(store)s: it cannot be cancelled", state=state,
                store=collected_at) if collected_at else said(
                "this order is already %(state)s: it cannot be cancelled", state=state))
        hold = json.loads(conn.execute(select(M.events.c.payload).where(M.events.c.event_id == r.hold_event))
                          .scalar_one())
        takes = E.takes_from_doc(hold.get("lots", []))
        entry = E.release_hold(Kind.REDEEM_VOID, member_id=r.member_id, hold_takes=takes, points=r.points,
                               store_id=HQ, room=_room(conn, r.member_id, takes, now),
                               payload={"redemption_id": r.order_id, "order_id": r.order_id, "gift_id": r.gift_id,
                                        "qty": r.qty, "reason": reason})
        (written,) = hq_events.write(conn, seq, db.url, [entry], staff_id=R.staff_id(actor.username) if actor else None,
                                     rule_version=R.current_rules(conn, now).version, now=now)
        book = StockBook(conn, seq, now)
        book.move(r.gift_id, r.location, r.qty, "release", mid=move_id(r.order_id, "release"), ref=r.order_id,
                  event_id=written.event_id, by=actor.username if actor else "mall")
        feed = FeedWriter(seq)
        book.flush(feed)
        feed.flush(conn)
        _set(conn, r.order_id, now, status=CANCELLED, close_event=written.event_id, note=reason or None)
        if actor is not None:
            audit.record(conn, actor, "order.cancel", f"order:{r.order_id}", before={"status": status},
                         after={"status": CANCELLED}, note=reason or None, at=now)
        return _order(conn, db.url, _row(conn, r.order_id))


def _set(conn: Connection, order_id: str, now: datetime, **values: Any) -> None:
    conn.execute(update(orders).where(_o.order_id == order_id).values(updated_at=now, **values))


def _delivery(conn: Connection, order_id: str, allowed: tuple[str, ...], what: str) -> Row[Unpack[tuple[Any, ...]]]:
    r = _row(conn, order_id)
    if r.mode != DELIVERY:
        raise HQProblem(409, "not_delivery", said("a pickup order is collected at its store: it cannot %(step)s",
                                                  step=STEP_WORDS[what]))
    if r.status not in allowed:
        raise HQProblem(409, "order_state", said("this order is %(state)s: it cannot %(step)s",
                                                 state=STATE_WORDS.get(r.status, r.status), step=STEP_WORDS[what]))
    return r


def pick_order(db: Database, actor: Actor, order_id: str, *, now: datetime) -> Order:
    """The warehouse starts picking a delivery order (it can still be cancelled)."""
    with db.write() as (conn, _seq):
        r = _delivery(conn, order_id, (PLACED,), "picked")
        _set(conn, r.order_id, now, status=PICKING)
        audit.record(conn, actor, "order.pick", f"order:{r.order_id}", after={"status": PICKING}, at=now)
        return _order(conn, db.url, _row(conn, r.order_id))


def ship_order(db: Database, actor: Actor, order_id: str, *, carrier: str, tracking_no: str, now: datetime) -> Order:
    """Shipped with a tracking number: the points are redeemed (a redeem_post out of HQ's suspense)."""
    carrier, tracking_no = (carrier or "").strip(), (tracking_no or "").strip()
    if not 1 <= len(carrier) <= 40 or not carrier.isprintable():
        raise BadField("carrier", "carrier: the carrier's name, 1 to 40 characters")
    if not re.fullmatch(r"[A-Za-z0-9-]{4,64}", tracking_no):
        raise BadField("tracking_no", "tracking_no: 4 to 64 letters, digits or -")
    with db.write() as (conn, seq):
        r = _delivery(conn, order_id, (PLACED, PICKING), "shipped")
        entry = E.post_hold(member_id=r.member_id, points=r.points, store_id=HQ,
                            payload={"redemption_id": r.order_id, "order_id": r.order_id, "gift_id": r.gift_id,
                                     "qty": r.qty, "carrier": carrier, "tracking_no": tracking_no})
        (written,) = hq_events.write(conn, seq, db.url, [entry], staff_id=R.staff_id(actor.username),
                                     rule_version=R.current_rules(conn, now).version, now=now)
        _set(conn, r.order_id, now, status=SHIPPED, close_event=written.event_id, carrier=carrier,
             tracking_no=tracking_no)
        audit.record(conn, actor, "order.ship", f"order:{r.order_id}", after={"carrier": carrier,
                                                                              "tracking_no": tracking_no}, at=now)
        return _order(conn, db.url, _row(conn, r.order_id))


def mark_delivered(db: Database, actor: Actor, order_id: str, *, now: datetime) -> Order:
    with db.write() as (conn, _seq):
        r = _delivery(conn, order_id, (SHIPPED,), "marked delivered")
        _set(conn, r.order_id, now, status=DELIVERED)
        audit.record(conn, actor, "order.delivered", f"order:{r.order_id}", after={"status": DELIVERED}, at=now)
        return _order(conn, db.url, _row(conn, r.order_id))
