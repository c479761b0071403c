"""The point types' settings (operators): what each type may be withdrawn as cash from how many points
at what rate, and the network's rewards for the recruiters one and two levels above an earner (three
levels at most). Each form is checked by the domain's own parser, which names the wrong field."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from hq_server import roles as R
from hq_server.auth import Staff, now
from hq_server.console.actor import actor_of
from hq_server.console.field_errors import field_errors
from hq_server.console.pages import PAGES, PREFIX
from hq_server.console.words import POINT_TYPES
from hq_server.programme import network, withdrawals
from hq_server.programme.refusals import BadField, said
from hq_server.web import flash
from hq_server.web.i18n import N_
from hq_server.web.staff import StaffForm, staff_form, staff_page
from pos_app.domain.ledger import PointType

BASE = PREFIX + "/programme/point-types"
router = APIRouter(prefix=BASE, include_in_schema=False)
Reader = Annotated[Staff, Depends(staff_page(R.CATALOGUE_READ))]
Operator = Annotated[StaffForm, Depends(staff_form(R.CATALOGUE))]


# a policy's field ("consumer.min_withdraw_points") by its row and column on the form (a refusal names it so)
POLICY_LABELS = {f"{t}.{name}": said("%(row)s, %(column)s", row=said(POINT_TYPES[str(t)]), column=said(label))
                 for t in PointType for name, label in (("min_withdraw_points", N_("Least points a withdrawal")),
                                                         ("fen_per_100_points", N_("Fen paid per 100 points")))}


def _whole(text: str) -> object:
    """A typed number as the parser checks it: digits are a number, anything else is left as typed
    (the parser then names the field)."""
    return int(text) if text.isdigit() and len(text) <= 12 else text


def _page(request: Request, who: Staff, *, status: int = 200, errors: dict[str, str] | None = None,
          typed: dict[str, Any] | None = None) -> Response:
    db = request.app.state.db
    rewards = network.level_rewards(db)
    return PAGES.render(request, "console/point_types.html", {
        "policies": {str(t): p for t, p in withdrawals.point_policies(db).items()},
        "rewards": {"guide_pct": ", ".join(map(str, rewards.guide_pct)),
                    "agent_pct": ", ".join(map(str, rewards.agent_pct))},
        "may_edit": who.may(R.CATALOGUE), "errors": errors or {}, "typed": typed or {}}, status=status)


@router.get("")
def point_types(request: Request, who: Reader) -> Response:
    return _page(request, who)


def _saved(request: Request, text: str) -> Response:
    return flash.redirect(request, BASE, text)


@router.post("/policies")
def save_policies(request: Request, posted: Operator) -> Response:
    typed, doc = {}, {}
    for t in PointType:
        for name in ("min_withdraw_points", "fen_per_100_points"):
            typed[f"{t}.{name}"] = posted.text(f"{t}.{name}", 20)
        typed[f"{t}.withdraw"] = posted.text(f"{t}.withdraw", 3)
        doc[str(t)] = {"withdraw": typed[f"{t}.withdraw"] == "yes",
                       "min_withdraw_points": _whole(typed[f"{t}.min_withdraw_points"]),
                       "fen_per_100_points": _whole(typed[f"{t}.fen_per_100_points"])}
    try:
        withdrawals.set_point_policies(request.app.state.db, doc=doc, actor=actor_of(posted.who), now=now())
    except BadField as bad:
        return _page(request, posted.who, status=bad.status, errors=field_errors(bad, POLICY_LABELS), typed=typed)
    return _saved(request, N_("Withdrawal policies saved."))


# the network rewards' fields and their labels on the form (a refusal names the field by its label)
REWARD_LABELS = {"guide_pct": N_("Shopping guides (percent, level 2, level 3)"),
                 "agent_pct": N_("Agents (percent, level 2, level 3)")}


def _percents(text: str) -> object:
    parts = [p.strip() for p in text.replace("，", ",").split(",") if p.strip()]
    return [int(p) if p.isdigit() and len(p) <= 4 else p for p in parts]


@router.post("/level-rewards")
def save_level_rewards(request: Request, posted: Operator) -> Response:
    typed = {k: posted.text(k, 40) for k in REWARD_LABELS}
    try:
        network.set_level_rewards(request.app.state.db, doc={k: _percents(v) for k, v in typed.items()},
                                  actor=actor_of(posted.who), now=now())
    except BadField as bad:
        return _page(request, posted.who, status=bad.status, errors=field_errors(bad, REWARD_LABELS), typed=typed)
    return _saved(request, N_("Network rewards saved."))
