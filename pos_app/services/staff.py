"""Signing in at the counter."""

from __future__ import annotations

from pos_app.domain.staff import Staff
from pos_app.services.context import StoreContext, check_staff_pin
from pos_app.store import repos


def list_staff(ctx: StoreContext) -> list[Staff]:
    with ctx.db.read() as conn:
        return [s for s in repos.all_staff(conn) if s.active]


def sign_in(ctx: StoreContext, *, staff_id: str, pin: str) -> Staff:
    with ctx.db.read() as conn:
        return check_staff_pin(ctx, conn, staff_id, pin)
