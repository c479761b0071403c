"""Coupons bought with points and applied at checkout."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pos_app.domain.fields import Fields
from pos_app.domain.problems import Problem, Problems, problem


class CouponKind(StrEnum):
    AMOUNT = "amount"  # value in fen off
    PERCENT = "percent"  # value in percent off


class CouponStatus(StrEnum):
    ACTIVE = "active"
    USED = "used"
    VOID = "void"


@dataclass(frozen=True, slots=True)
class CouponType:
    type_id: str
    name: str
    points_cost: int
    kind: CouponKind
    value: int
    min_spend_fen: int = 0
    max_discount_fen: int | None = None
    valid_days: int = 30


@dataclass(frozen=True, slots=True)
class Coupon:
    code: str
    type: CouponType
    member_id: str | None  # None: a general coupon HQ hands out, any member (or none) may use it
    status: CouponStatus
    expires_at: datetime


def discount_fen(ctype: CouponType, subtotal_fen: int) -> int:
    if ctype.kind is CouponKind.AMOUNT:
        off = ctype.value
    else:
        off = subtotal_fen * ctype.value // 100
    if ctype.max_discount_fen is not None:
        off = min(off, ctype.max_discount_fen)
    return min(off, subtotal_fen)


def check_use(coupon: Coupon, member_id: str | None, subtotal_fen: int, now: datetime) -> tuple[Problem, ...]:
    if coupon.status is CouponStatus.USED:
        return (problem("coupon.used", f"coupon {coupon.code} has already been used", code=coupon.code),)
    if coupon.status is CouponStatus.VOID:
        return (problem("coupon.void", f"coupon {coupon.code} was cancelled", code=coupon.code),)
    if coupon.expires_at <= now:
        return (problem("coupon.expired", f"coupon {coupon.code} expired on {coupon.expires_at:%Y-%m-%d}",
                        code=coupon.code),)
    if coupon.member_id is not None and member_id != coupon.member_id:
        return (problem("coupon.not_owner", f"coupon {coupon.code} belongs to another member", code=coupon.code),)
    if subtotal_fen < coupon.type.min_spend_fen:
        return (problem("coupon.min_spend", f"coupon {coupon.code} needs a spend of at least "
                        f"{coupon.type.min_spend_fen / 100:.2f}", code=coupon.code, min=coupon.type.min_spend_fen),)
    return ()


def check_type(ctype: CouponType) -> tuple[Problem, ...]:
    """Whether a coupon type can be sold; each problem names its field (params["field"], and first in
    the message)."""
    def bad(field: str, why: str) -> tuple[Problem, ...]:
        return (problem("coupon.bad_type", f"{field}: {why}", field=field),)

    if ctype.points_cost <= 0:
        return bad("points_cost", "a coupon's cost must be positive")
    if ctype.value <= 0:
        return bad("value", "a coupon's value must be positive")
    if ctype.kind is CouponKind.PERCENT and ctype.value > 100:
        return bad("value", "a percent coupon cannot take more than 100% off")
    if ctype.valid_days < 1:
        return bad("valid_days", "a coupon must stay valid for at least a day after it is bought")
    if ctype.min_spend_fen < 0:
        return bad("min_spend_fen", "a minimum spend cannot be negative")
    if ctype.max_discount_fen is not None and ctype.max_discount_fen <= 0:
        return bad("max_discount_fen", "a discount cap must be positive (or none)")
    return ()


def parse_coupon_type(type_id: str, data: object, *, strict: bool = False) -> CouponType | Problems:
    """A coupon type record as HQ publishes it (pos_app.domain.fields: HQ strict, a till lenient),
    checked as a till checks one it sells (check_type)."""
    f = Fields("coupon", data, strict=strict)
    name, kind = f.text("name"), f.text("kind", max_len=16)
    if kind is not None and kind not in set(CouponKind):
        f.bad("kind", f"must be one of {', '.join(CouponKind)}, not {kind[:16]!r}")
    ctype = CouponType(type_id, name or "", f.need_whole("points_cost"),
                       CouponKind(kind) if kind in set(CouponKind) else CouponKind.AMOUNT,  # (a stand-in when bad)
                       f.need_whole("value"), f.need_whole("min_spend_fen", default=0),
                       f.whole("max_discount_fen", required=False),
                       f.need_whole("valid_days", default=30, most=36_500))
    problems = f.done()
    return problems or check_type(ctype) or ctype
