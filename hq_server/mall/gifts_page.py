"""The gift mall (礼品商城): the shelf by category and search, and a gift's page with its exchange form
(pickup at a store or delivery to an address of the member's book). The order itself is orders_page."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from starlette.responses import FileResponse, Response

from hq_server.auth import now
from hq_server.mall import words
from hq_server.mall.member import member_page
from hq_server.mall.pages import PAGES
from hq_server.programme.address_book import addresses
from hq_server.programme.gift_shelf import gift_page, shelf
from hq_server.programme.member_sessions import MemberSession
from pos_app.domain.gifts import MAX_GIFT_QTY

router = APIRouter(include_in_schema=False)  # under PREFIX (pages.mount)
PICTURES = Path(__file__).resolve().parents[2] / "resources" / "gifts"  # the chain's gift pictures, drawn in-house
PICTURE = re.compile(r"[A-Za-z0-9_-]{1,64}\.png")


def _int(value: str | None, default: int = 1) -> int:
    return int(value) if value and value.isdigit() and len(value) < 6 else default


@router.get("/mall")
def mall_page(request: Request, who: MemberSession = Depends(member_page), category: str = "", q: str = "",
              page: str = "1") -> Response:
    got = shelf(request.app.state.db, now=now(), category=category, q=q, page=_int(page))
    return PAGES.render(request, "mall/gifts.html", {"member": who, "here": "/m/mall", "shelf": got, "now": now()})


def render_gift(request: Request, who: MemberSession, gift_id: str, *, status: int = 200, error: str | None = None,
                form: dict[str, str] | None = None) -> Response:
    """The gift's page; after a refusal, again with why and what the member chose (a fresh key: the refused
    order made nothing, so the next tap is a new order)."""
    state = request.app.state
    view = gift_page(state.db, who.member_id, gift_id, now=now())
    book = addresses(state.db, who.member_id)
    chosen = form or {}
    return PAGES.render(request, "mall/gift.html", {
        "member": who, "here": "/m/mall", "view": view, "gift": view.gift, "book": book, "now": now(),
        "key": secrets.token_hex(16), "max_qty": min(MAX_GIFT_QTY, view.left_for_member or MAX_GIFT_QTY),
        "chosen": chosen, "mode": chosen.get("mode") or ("pickup" if view.stores else "delivery"),
        "error": error, "error_hint": words.hint(error) if error else None}, status=status)


@router.get("/gift/{gift_id}")
def one_gift(request: Request, gift_id: str, who: MemberSession = Depends(member_page)) -> Response:
    return render_gift(request, who, gift_id)


@router.get("/pictures/{name}")
def picture(name: str) -> Response:
    """A gift's picture, served by HQ itself (a gift record's `image` "/m/pictures/GIFT-CUP.png"); no sign-in,
    so a phone's cache and the service worker may keep it."""
    path = PICTURES / name
    if not PICTURE.fullmatch(name) or not path.is_file():
        return Response(status_code=404)
    return FileResponse(path, media_type="image/png", headers={"Cache-Control": "public, max-age=86400"})
