"""The console's templates and its mounting on HQ's app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from hq_server.console import nav, words
from hq_server.web import faces
from hq_server.web.pages import Pages

PREFIX = "/console"
PAGES = Pages("console", Path(__file__).parent, globals={
    "menu": nav.menu, "current_area": nav.current, "role_names": words.ROLE_NAMES, "login_errors": words.LOGIN_ERRORS,
    "error_titles": words.ERROR_TITLES, "error_hints": words.ERROR_HINTS,
    "point_types": words.POINT_TYPES, "error_detail": words.error_detail})


def mount(app: FastAPI) -> None:
    from hq_server.console import (audit_page, conflicts_page, dashboard_page, gift_pictures_page, home_page,
                                   login_page, mall_settings_page, members_page, orders_page, point_types_page,
                                   programme_page, stock_page, stores_page, users_page, withdrawals_page)
    faces.register(app, PREFIX, PAGES)
    # in the menu's order; point_types_page, mall_settings_page and gift_pictures_page before
    # programme_page, whose /programme/{type_}/... would otherwise take their addresses
    for module in (login_page, home_page, dashboard_page, members_page, orders_page, point_types_page,
                   mall_settings_page, gift_pictures_page, programme_page, stock_page, stores_page, conflicts_page,
                   withdrawals_page, users_page, audit_page):
        app.include_router(module.router)
