"""Tiers go up at the sale that earns it and down only at re-evaluation."""

from datetime import timedelta

from pos_app.services import checkout, members, tiers
from pos_app.services.context import utcnow
from pos_app.services.demo import CASHIER_ID, seed_demo
from pos_app.services.setup import open_store
from pos_app.store import repos


def test_upgrade_at_once_downgrade_only_on_reevaluation(tmp_path):
    now = [utcnow()]
    ctx = open_store(tmp_path, clock=lambda: now[0])
    seed_demo(ctx)
    m = members.find_member(ctx, "13800138000")
    sale = checkout.checkout(ctx, staff_id=CASHIER_ID, member_id=m.member_id, items=[("TEA-PUER", 5)])
    assert (sale.tier_before, sale.tier_after) == ("basic", "silver")
    assert tiers.reevaluate_tiers(ctx) == {}  # spend still inside the 12-month window

    now[0] += timedelta(days=200)  # still inside the window: nothing moves
    assert tiers.reevaluate_tiers(ctx) == {}
    now[0] += timedelta(days=200)  # the big sale rolled out of the window
    assert tiers.reevaluate_tiers(ctx) == {m.member_id: ("silver", "basic")}
    with ctx.db.read() as conn:
        assert repos.member_by_id(conn, m.member_id).tier == "basic"
    kinds = [h.kind for h in members.member_statement(ctx, m.member_id).history]
    assert kinds.count("tier_change") == 2
