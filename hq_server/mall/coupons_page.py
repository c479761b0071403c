"""Coupons in the mall: the member's own (bought here or at a counter is the tills' own; these are HQ's:
bought with points here, or given free by HQ), buying one with points (keyed by the form: a double tap
buys one), and one coupon full screen as a signed QR that any store's till takes (programme.chain_codes)."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from hq_server.auth import now
from hq_server.db import Database
from hq_server.errors import HQProblem
from hq_server.mall import words
from hq_server.mall.member import MemberForm, member_form, member_page
from hq_server.mall.pages import PAGES, PREFIX
from hq_server.programme.chain_codes import coupon_qr
from hq_server.programme.coupons import IssuedCoupon, coupon_offers, coupon_types_named, issue_coupon, member_coupons
from hq_server.programme.member_sessions import MemberSession
from hq_server.programme.statement import card
from hq_server.web import flash
from hq_server.web.qr import qr_svg
from pos_app.domain.coupons import CouponType

router = APIRouter(include_in_schema=False)  # under PREFIX (pages.mount)


def _page(request: Request, who: MemberSession, *, status: int = 200, error: str | None = None) -> Response:
    state = request.app.state
    at = now()
    mine = member_coupons(state.db, who.member_id)
    usable = [c for c in mine if c.status == "active" and c.expires_at > at]
    done = [c for c in mine if c not in usable]
    offers = coupon_offers(state.db)
    return PAGES.render(request, "mall/coupons.html", {
        "member": who, "here": "/m/mall", "usable": usable, "done": done[:20], "offers": offers,
        "names": {t.type_id: t for t in offers} | _all_types(state.db, mine, offers),
        "points": card(state.db, who.member_id, at).points,
        "key": secrets.token_hex(16), "error": error, "error_hint": words.hint(error) if error else None},
        status=status)


def _all_types(db: Database, mine: list[IssuedCoupon], offers: list[CouponType]) -> dict[str, CouponType]:
    """Types of the member's coupons no longer on offer: their names still show (from the catalogue)."""
    missing = {c.type_id for c in mine} - {t.type_id for t in offers}
    return coupon_types_named(db, missing) if missing else {}


@router.get("/coupons")
def coupons(request: Request, who: MemberSession = Depends(member_page)) -> Response:
    return _page(request, who)


@router.post("/coupons/buy")
async def buy(request: Request, posted: MemberForm = Depends(member_form)) -> Response:
    state = request.app.state
    type_id, key = posted.text("type_id", 64), posted.text("key", 64)
    try:
        got = await run_in_threadpool(lambda: issue_coupon(state.db, member_id=posted.who.member_id, type_id=type_id,
                                                           staff="mall", paid=True, idempotency_key=key or "-",
                                                           now=now()))
    except HQProblem as p:
        return await run_in_threadpool(_page, request, posted.who, status=p.status, error=p.code)
    response = RedirectResponse(f"{PREFIX}/coupons/{got.code}", status_code=303)
    flash.add(response, request, request.state.session_secret, "ok", words.COUPON_BOUGHT)
    return response


@router.get("/coupons/{code}")
def one_coupon(request: Request, code: str, who: MemberSession = Depends(member_page)) -> Response:
    state = request.app.state
    mine = {c.code: c for c in member_coupons(state.db, who.member_id)}
    if code not in mine:
        raise HQProblem(404, "coupon_unknown", f"code: no coupon {code[:16]!r}")
    coupon = mine[code]
    usable = coupon.status == "active" and coupon.expires_at > now()
    signed = coupon_qr(state.db, code=code, member_id=who.member_id, now=now()) if usable else None
    return PAGES.render(request, "mall/coupon.html", {
        "member": who, "here": "/m/mall", "coupon": coupon, "usable": usable,
        "ctype": {t.type_id: t for t in coupon_offers(state.db)}.get(coupon.type_id)
        or _all_types(state.db, [coupon], []).get(coupon.type_id),
        "qr": qr_svg(signed, box=5) if signed else None, "coupon_code": signed})
