"""The mall's templates, its settings and SMS sender, and its mounting on HQ's app."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI, Request
from starlette.routing import Mount

from hq_server.mall import words
from hq_server.mall.icons import icon
from hq_server.programme.mall_settings import MallSettings, SmsSettings
from hq_server.programme.sms import make_sender
from hq_server.web import faces
from hq_server.web.pages import Pages

PREFIX = "/m"


def way_back(request: Request) -> str | None:
    """The mall page a refused form or link came from (its Referer, on this site, under the mall), for the
    error page's way back to it; None when there is none, it is the mall's home (the page's other button) or
    it is the very address a refused link asked for."""
    came_from = urlsplit(request.headers.get("referer", ""))
    if came_from.netloc != request.url.netloc or not came_from.path.startswith(PREFIX + "/"):
        return None
    back = faces.safe_next(came_from.path + (f"?{came_from.query}" if came_from.query else ""), "")
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if not back or came_from.path == PREFIX + "/" or (request.method == "GET" and back == here):
        return None
    return back


PAGES = Pages("mall", Path(__file__).parent, globals={
    "tabs": words.TABS, "kind_names": words.KIND_NAMES, "error_titles": words.ERROR_TITLES,
    "error_hints": words.ERROR_HINTS, "default_hint": words.DEFAULT_HINT,
    "default_title": words.DEFAULT_TITLE, "topic_names": words.TOPIC_NAMES, "status_names": words.STATUS_NAMES,
    "order_status": words.ORDER_STATUS, "to_ship": words.ORDER_STATUS_DELIVERY_PLACED,
    "withdrawal_status": words.WITHDRAWAL_STATUS, "point_types": words.POINT_TYPES,
    "reason_words": words.GIFT_REASONS, "back_words": words.BACK_WORDS, "icon": icon,
    "way_back": way_back})


def mount(app: FastAPI) -> None:
    from hq_server.mall import (addresses_page, code_page, coupons_page, donate_page, game_page, gifts_page,
                                help_page, home_page, invite_page, lottery_page, me_page, orders_page, pwa,
                                scan_page, signin_page, statement_page, team_page)
    app.state.mall = MallSettings()
    app.state.sms = SmsSettings()
    app.state.sms_sender = make_sender(app.state.sms, app.state.db)
    faces.register(app, PREFIX, PAGES)
    mall = APIRouter(include_in_schema=False)
    for module in (pwa, signin_page, home_page, code_page, statement_page, invite_page, help_page, me_page,
                   scan_page, lottery_page, game_page, donate_page, gifts_page, orders_page, addresses_page,
                   coupons_page, team_page):
        mall.include_router(module.router)
    # One Mount at the head of HQ's routes: a mall page is found by one prefix test and a search of the
    # mall's own routes (FastAPI tried every route of the API and the console first: a quarter of a page's
    # CPU), and any other address pays one prefix test. Nothing else of HQ lives under PREFIX.
    app.router.routes.insert(0, Mount(PREFIX, app=mall, name="mall"))
