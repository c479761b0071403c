"""What a scanned or typed code at the checkout is: a member or a product.

One entry point for the scan box, the keyboard-wedge scanner and the camera, so the
three behave the same. A code that is neither is refused with a clear message and
nothing is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass

from pos_app.domain.catalog import Product
from pos_app.domain.members import Member
from pos_app.domain.problems import Refused
from pos_app.services.catalog import MAX_QUERY, product_for_code
from pos_app.services.context import StoreContext, refuse
from pos_app.services.members import find_member, member_statement, Statement


@dataclass(frozen=True)
class ScannedMember:
    member: Member
    statement: Statement


@dataclass(frozen=True)
class ScannedProduct:
    product: Product


def _looks_like_member(text: str) -> bool:
    digits = text.replace(" ", "").replace("-", "").removeprefix("+86")
    return (digits.isdigit() and len(digits) in (11, 12)) or (text.upper().startswith("R") and len(text) == 9)


def resolve_scan(ctx: StoreContext, text: str) -> ScannedMember | ScannedProduct:
    text = (text or "").strip()
    if not text or len(text) > 512:
        raise refuse("scan.empty", "scan a code or type a phone number or product code")
    if len(text) <= MAX_QUERY and _looks_like_member(text):
        try:
            member = find_member(ctx, text)
        except Refused as member_refusal:
            # An EAN-13 is 13 digits, so 11/12-digit codes are members first; but a
            # store may give a product a short numeric code: try that before refusing.
            try:
                return ScannedProduct(product_for_code(ctx, text))
            except Refused:
                raise member_refusal from None
        return ScannedMember(member, member_statement(ctx, member.member_id, history_limit=10))
    return ScannedProduct(product_for_code(ctx, text))
