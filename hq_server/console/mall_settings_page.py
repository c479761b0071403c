"""What the members' mall offers beside gifts, set by operators: the charities members may donate
points to (listed or taken off the list, never deleted: donations name them) and the points game's
settings. And, for customer service, the dev SMS outbox: the sign-in codes HQ would have texted when
no SMS provider is set (HQ_SMS_PROVIDER=dev), so a tester or a member on the phone can be helped."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from hq_server import roles as R
from hq_server.auth import Staff, now
from hq_server.console import nav
from hq_server.console.actor import actor_of
from hq_server.console.field_errors import field_errors
from hq_server.console.pages import PAGES, PREFIX
from hq_server.programme import charities, points_game, sms
from hq_server.programme.refusals import BadField
from hq_server.web import flash
from hq_server.web.i18n import N_
from hq_server.web.staff import StaffForm, staff_form, staff_page

BASE = PREFIX + "/programme/mall"
router = APIRouter(prefix=PREFIX, include_in_schema=False)
Reader = Annotated[Staff, Depends(staff_page(R.CATALOGUE_READ))]
Operator = Annotated[StaffForm, Depends(staff_form(R.CATALOGUE))]
nav.add(PREFIX + "/sms-codes", N_("SMS codes (test)"), R.MEMBERS)
CHARITY_FIELDS = ("key", "name", "name_en", "about", "about_en")
# the game's settings and their labels on the form (a refusal names the field by its label)
GAME_LABELS = {"plays_per_day": N_("Plays a day"), "seconds": N_("Seconds a play"),
               "points_per_catch": N_("Points a catch"), "max_points_per_play": N_("Most points a play")}
GAME_FIELDS = tuple(GAME_LABELS)


def _page(request: Request, who: Staff, *, status: int = 200, errors: dict[str, str] | None = None,
          typed: dict[str, Any] | None = None) -> Response:
    db = request.app.state.db
    listed = charities.charities(db, listed_only=False)
    if typed is None and (chosen := request.query_params.get("charity")):
        typed = next(({**c.__dict__, "form": "charity", "listed": "yes" if c.listed else ""} for c in listed
                      if c.key == chosen), None)
    return PAGES.render(request, "console/mall_settings.html", {
        "charities": listed, "game": points_game.game_settings(db), "may_edit": who.may(R.CATALOGUE),
        "errors": errors or {}, "typed": typed or {}}, status=status)


@router.get("/programme/mall")
def mall_settings(request: Request, who: Reader) -> Response:
    return _page(request, who)


def _saved(request: Request, text: str, **params: Any) -> Response:
    return flash.redirect(request, BASE, text, **params)


@router.post("/programme/mall/charity")
def save_charity(request: Request, posted: Operator) -> Response:
    typed = {k: posted.text(k, 400) for k in CHARITY_FIELDS}
    listed = posted.text("listed", 3) == "yes"
    try:
        charities.put_charity(request.app.state.db, actor_of(posted.who), **typed, listed=listed, now=now())
    except BadField as bad:
        return _page(request, posted.who, status=bad.status, errors=field_errors(bad),
                     typed={**typed, "listed": "yes" if listed else "", "form": "charity"})
    return _saved(request, N_("Charity %(key)s saved."), key=typed["key"])


@router.post("/programme/mall/game")
def save_game(request: Request, posted: Operator) -> Response:
    typed = {k: posted.text(k, 12) for k in GAME_FIELDS}
    active = posted.text("active", 3) == "yes"
    doc: dict[str, object] = {k: int(v) if v.isdigit() else v for k, v in typed.items()}
    try:
        points_game.put_game_settings(request.app.state.db, actor_of(posted.who), {**doc, "active": active}, now())
    except BadField as bad:
        return _page(request, posted.who, status=bad.status, errors=field_errors(bad, GAME_LABELS),
                     typed={**typed, "active": "yes" if active else "", "form": "game"})
    return _saved(request, N_("The points game's settings are saved."))


@router.get("/sms-codes")
def sms_codes(request: Request, _who: Annotated[Staff, Depends(staff_page(R.MEMBERS))]) -> Response:
    settings = getattr(request.app.state, "sms", None)
    dev = settings is None or settings.provider == "dev"
    phone = (request.query_params.get("phone") or "").strip()[:20]
    messages = sms.dev_messages(request.app.state.db, now(), phone=phone or None) if dev else []
    return PAGES.render(request, "console/sms_codes.html", {"dev": dev, "messages": messages, "phone": phone})
