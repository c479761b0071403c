"""A rules version HQ publishes ahead of its date applies from that date, not before;
the sale records the version it used."""

from dataclasses import replace
from datetime import timedelta

from dbcheck import rows

from pos_app.services import checkout
from pos_app.store import repos


def test_a_rules_version_applies_from_its_effective_time(ctx, clock, staff, demo_members):
    member = demo_members["13800138000"]
    with ctx.db.write() as conn:
        current = repos.current_rules(conn, ctx.now())
        doubled = replace(current, version=current.version + 1, base_points=current.base_points * 2)
        repos.save_rules(conn, doubled, ctx.now() + timedelta(days=1))

    before = checkout.checkout(ctx, staff_id=staff.cashier, member_id=member.member_id, items=[("TEA-GREEN", 1)])
    clock.advance(days=1)
    after = checkout.checkout(ctx, staff_id=staff.cashier, member_id=member.member_id, items=[("TEA-GREEN", 1)])

    versions = dict(rows(ctx, "SELECT sale_id, rule_version FROM sales WHERE sale_id IN (:a, :b)",
                         a=before.sale_id, b=after.sale_id))
    assert versions == {before.sale_id: current.version, after.sale_id: doubled.version}
    assert after.points_earned >= 2 * before.points_earned - 1   # the same tea earns double from tomorrow
