"""A gift held elsewhere handed over here (DESIGN.md 11): a pickup code of another store, or of an
online order (made by HQ for the store the member chose), taken by any store of the chain, offline too.

The code is verified with the device keys the store pulled and says what to hand over (gift,
quantity) and whose it is. The till refuses a code it knows was used (here, or anywhere in the chain
as far as its last pull tells: pos_app.sync.chain_codes). Handing it over records a `redeem_post`
that moves no points (they wait in the holding store's, or HQ's, suspense: HQ moves them, rule 10),
and takes the unit from this store's own stock unless the code was held here (an online order HQ
reserved here). Two stores taking the same code offline: HQ settles it by rule 10.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, select

from pos_app.domain.codes import PickupCode
from pos_app.domain.gifts import Gift
from pos_app.domain.ledger import Entry, Kind
from pos_app.services.context import StoreContext, post, refuse
from pos_app.store import repos
from pos_app.store import tables as T

if TYPE_CHECKING:
    from pos_app.services.redeem import Redemption


def refuse_if_used(conn: Connection, code: PickupCode) -> None:
    used = conn.execute(select(T.code_uses.c.store_id).where(T.code_uses.c.code_key == code.use_key)).first()
    if used is not None:
        where = "here" if used.store_id == repos.get_meta(conn, "store_id") else f"at store {used.store_id}"
        raise refuse("pickup.closed", f"this gift was already collected (or cancelled) {where}")


def _gift(conn: Connection, code: PickupCode) -> tuple[Gift, int]:
    found = repos.gift_with_stock(conn, code.gift_id) if code.gift_id is not None else None
    if found is None:
        raise refuse("gift.unknown", f"this store does not know gift {code.gift_id} yet: sync with HQ, then scan again")
    return found


def preview(conn: Connection, code: PickupCode, text: str) -> Redemption:
    from pos_app.services.redeem import Redemption
    gift, _ = _gift(conn, code)
    return Redemption(code.redemption_id, code.member_id or "", gift.gift_id, gift.name, code.qty, 0, 0, "held",
                      text, datetime.min)


def write_off_elsewhere(ctx: StoreContext, conn: Connection, code: PickupCode, text: str, staff_id: str,
                        now: datetime) -> Redemption:
    from pos_app.services.redeem import Redemption
    gift, stock = _gift(conn, code)
    here = code.store_id == ctx.who.store_id  # an online order reserved here: its unit is set aside already
    if not here and stock < code.qty:
        raise refuse("gift.out_of_stock", f"only {stock} of {gift.name} in stock", stock=stock)
    payload = {"purpose": "pickup", "redemption_id": code.redemption_id, "held_at": code.store_id,
               "gift_id": gift.gift_id, "qty": code.qty, **({} if here else {"stock": -code.qty})}
    event = post(ctx, conn, Entry(Kind.REDEEM_POST, payload, member_id=code.member_id), staff_id=staff_id,
                 rule_version=repos.current_rules(conn, now).version, now=now)
    if not here:
        repos.change_gift_stock(conn, gift.gift_id, -code.qty, event.event_id)
    conn.execute(T.code_uses.insert().values(code_key=code.use_key, event_id=event.event_id,
                                             store_id=ctx.who.store_id, used_at=now))
    repos.audit(conn, at=now, staff_id=staff_id, action="write_off_pickup", subject=code.redemption_id,
                held_at=code.store_id)
    return Redemption(code.redemption_id, code.member_id or "", gift.gift_id, gift.name, code.qty, 0, 0,
                      "picked_up", text, now)
