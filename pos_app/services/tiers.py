"""Periodic tier re-evaluation: the only place a member moves down a tier."""

from __future__ import annotations

from sqlalchemy import select

from pos_app.domain.ledger import Entry, Kind
from pos_app.domain.tiers import on_reevaluation
from pos_app.services.checkout import qualifying_points, qualifying_spend
from pos_app.services.context import StoreContext, post
from pos_app.store import repos
from pos_app.store import tables as T


def reevaluate_tiers(ctx: StoreContext, *, staff_id: str | None = None) -> dict[str, tuple[str, str]]:
    """Set every member's tier to what their rolling 12-month spend earns.

    Returns {member_id: (old, new)} for the members that changed; each change is a
    tier_change event so HQ and the member's history see it.
    """
    changed: dict[str, tuple[str, str]] = {}
    with ctx.db.write() as conn:
        now = ctx.now()
        rules = repos.current_rules(conn, now)
        rows = conn.execute(select(T.members.c.member_id, T.members.c.tier)
                            .where(T.members.c.merged_into.is_(None))).all()
        for member_id, tier in rows:
            new = on_reevaluation(rules.tiers, qualifying_spend(conn, member_id, now),
                                  qualifying_points(conn, member_id, now))
            if new != tier:
                repos.update_member(conn, member_id, tier=new)
                post(ctx, conn, Entry(Kind.TIER_CHANGE, {"member_id": member_id, "from": tier, "to": new,
                                                         "reason": "reevaluation"}, member_id=member_id),
                     staff_id=staff_id, rule_version=rules.version, now=now)
                changed[member_id] = (tier, new)
        if changed:
            repos.audit(conn, at=now, staff_id=staff_id, action="reevaluate_tiers", changed=len(changed))
    return changed
