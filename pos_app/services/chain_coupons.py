"""Coupons any store takes, each used once chain-wide (DESIGN.md 11).

A coupon is shown as a signed code (`PM1:C:`, pos_app.domain.chain_codes): the device that issued it
(a till's key, or HQ's online channel's) signed its code, owner (none: a general coupon HQ hands out,
for any member), type, expiry and what the member paid. Any store verifies it offline with the device
keys it pulled, and refuses one it knows was used (its own sales, and the chain's used codes it
pulled: pos_app.sync.chain_codes). A coupon typed by its code is the till's own row as before.

Each use is a `redeem_post` event of purpose coupon_use that moves no points (the sale's discount is
money), so HQ sees every use and settles a second one made offline at another store (rule 10); a
refund that gives a coupon back is a `redeem_void` of purpose coupon_return.

    coupon_qr(ctx, code) -> the signed code to print or show for a coupon this till sold
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from pos_app.domain.chain_codes import coupon_payload
from pos_app.domain.codes import CouponCode
from pos_app.domain.coupons import Coupon, CouponKind, CouponStatus, CouponType
from pos_app.domain.ledger import Entry, Kind
from pos_app.domain.problems import Problem, Refused, problem
from pos_app.services import scan as scan_uc
from pos_app.services.context import StoreContext, post, refuse
from pos_app.store import device_key, ledger_repo, repos
from pos_app.store import tables as T


@dataclass(frozen=True)
class Source:
    """What a coupon's use event says of it: its type, what the member paid for it, who issued it."""
    type_id: str
    points: int
    issued_at: str


def _type(conn: Connection, type_id: str) -> CouponType | None:
    """The coupon's type, retired or not (a coupon sold before its type was retired still works)."""
    r = conn.execute(select(T.coupon_types).where(T.coupon_types.c.type_id == type_id)).first()
    return None if r is None else CouponType(r.type_id, r.name, r.points_cost, CouponKind(r.kind), r.value,
                                             r.min_spend_fen, r.max_discount_fen, r.valid_days)


def _used_in_chain(conn: Connection, code: str) -> bool:
    return conn.execute(select(T.code_uses.c.code_key).where(T.code_uses.c.code_key == f"C:{code}")).first() \
        is not None


def _paid(conn: Connection, code: str, ctype: CouponType) -> int:
    """What the member paid for a coupon this store keeps: its issue's event says (0: a free one)."""
    bought = conn.execute(select(T.coupons.c.bought_event).where(T.coupons.c.code == code)).scalar()
    points = ledger_repo.event_payload(conn, bought).get("points") if bought else None
    return points if isinstance(points, int) and not isinstance(points, bool) else ctype.points_cost


def read(conn: Connection, texts: Iterable[str], now: datetime, store_id: str) -> tuple[list[Coupon], dict[str, Source],
                                                                          list[Problem]]:
    """The coupons a sale is asked to take (codes typed, or signed codes scanned), with what their use
    events will say; a problem for each that is not a coupon at all. Whether each may be used is the
    quote's (pos_app.domain.coupons.check_use)."""
    coupons: list[Coupon] = []
    sources: dict[str, Source] = {}
    problems: list[Problem] = []
    for text in texts:
        text = (text or "").strip()
        if scan_uc.is_payload(text):
            try:
                got = scan_uc.verify(conn, text, now)
            except Refused as err:  # forged, altered, damaged: said with the sale's other problems
                problems.extend(err.problems)
                continue
            if not isinstance(got, CouponCode):
                problems.append(problem("coupon.not_coupon", "this code is not a coupon"))
                continue
            ctype = _type(conn, got.type_id)
            if ctype is None:
                problems.append(problem("coupon.unknown_type", f"this store does not know coupon type {got.type_id} "
                                                               "yet: sync with HQ, then scan again"))
                continue
            local = repos.coupon(conn, got.code)
            status = local.status if local is not None else CouponStatus.ACTIVE
            if _used_in_chain(conn, got.code):
                status = CouponStatus.USED
            coupons.append(Coupon(got.code, ctype, got.member_id, status, got.expires_at))
            sources[got.code] = Source(got.type_id, got.points, got.store_id)
            continue
        code = text.upper()
        c = repos.coupon(conn, code)
        if c is None:
            problems.append(problem("coupon.unknown", f"no coupon {code}", code=code))
            continue
        if c.status is CouponStatus.ACTIVE and _used_in_chain(conn, code):
            c = Coupon(c.code, c.type, c.member_id, CouponStatus.USED, c.expires_at)
        coupons.append(c)
        sources[code] = Source(c.type.type_id, _paid(conn, code, c.type), store_id)
    return coupons, sources, problems


def record_uses(ctx: StoreContext, conn: Connection, taken: dict[str, int], sources: dict[str, Source], *,
                sale_id: str, member_id: str | None, staff_id: str, rule_version: int, now: datetime) -> None:
    """A use event per coupon the sale took, and this store's record of the use."""
    for code, fen in sorted(taken.items()):
        src = sources[code]
        event = post(ctx, conn, Entry(Kind.REDEEM_POST, {
            "purpose": "coupon_use", "coupon": code, "type_id": src.type_id, "sale_id": sale_id, "discount_fen": fen,
            "points": src.points, "issued_at": src.issued_at}, member_id=member_id),
            staff_id=staff_id, rule_version=rule_version, now=now)
        conn.execute(T.code_uses.delete().where(T.code_uses.c.code_key == f"C:{code}"))
        conn.execute(T.code_uses.insert().values(code_key=f"C:{code}", event_id=event.event_id,
                                                 store_id=ctx.who.store_id, used_at=now))


def record_returns(ctx: StoreContext, conn: Connection, codes: Iterable[str], *, sale_id: str, member_id: str | None,
                   staff_id: str, rule_version: int, now: datetime) -> None:
    """A refund gave the sale's coupons back: usable again, here and (once HQ has it) everywhere."""
    for code in sorted(codes):
        post(ctx, conn, Entry(Kind.REDEEM_VOID, {"purpose": "coupon_return", "coupon": code, "sale_id": sale_id},
                              member_id=member_id), staff_id=staff_id, rule_version=rule_version, now=now)
        conn.execute(T.code_uses.delete().where(T.code_uses.c.code_key == f"C:{code}"))


def coupon_qr(ctx: StoreContext, code: str) -> str:
    """The signed code of a coupon this till sold, for the receipt or the member's phone: any store of
    the chain takes it. A coupon another device issued is shown as that device signed it, never here."""
    with ctx.db.write() as conn:
        c = repos.coupon(conn, (code or "").strip().upper())
        if c is None:
            raise refuse("coupon.unknown", f"no coupon {code}")
        bought = conn.execute(select(T.coupons.c.bought_event).where(T.coupons.c.code == c.code)).scalar()
        mine = conn.execute(select(T.events.c.device_seq).where(T.events.c.event_id == bought)).scalar()
        if mine is None or mine <= 0:
            raise refuse("coupon.not_ours", "this coupon was issued elsewhere: show the code it came with")
        _, key = device_key.signing_key(conn, ctx.who.store_id)
        return coupon_payload(c.code, c.member_id, c.type.type_id, c.expires_at, _paid(conn, c.code, c.type),
                              ctx.who.store_id, key)
