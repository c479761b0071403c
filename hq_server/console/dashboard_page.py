"""The dashboard: today / 7 / 30 days, chain-wide or one store (a store manager: their own), figures,
charts (Apache ECharts, served by HQ) and the stores ranked (also as CSV)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from hq_server import roles as R
from hq_server.auth import Staff, now
from hq_server.console import nav
from hq_server.console.pages import PAGES, PREFIX
from hq_server.db import Database
from hq_server.programme import catalogue_admin as C
from hq_server.programme import dashboard_figures
from hq_server.roles import StaffRole
from hq_server.web.i18n import N_
from hq_server.web.listing import Column, csv_response, wants_csv
from hq_server.web.staff import staff_page

router = APIRouter(prefix=PREFIX + "/dashboard", include_in_schema=False)
ROLES = R.REPORTS | {StaffRole.STORE_MANAGER}
Reader = Annotated[Staff, Depends(staff_page(ROLES))]
nav.add(PREFIX + "/dashboard", N_("Dashboard"), ROLES)

RANKED = [Column("store_id", N_("Store")), Column("name", N_("Name")),
          Column("points_issued", N_("Points issued"), "points"), Column("events", N_("Events"), "points"),
          Column("members", N_("Active members"), "points")]
PERIOD_NAMES = {"today": N_("Today"), "7d": N_("Last 7 days"), "30d": N_("Last 30 days")}


@router.get("")
def dashboard(request: Request, who: Reader, period: str = "7d", store: str = "") -> Response:
    store_id = who.store_id if who.role == StaffRole.STORE_MANAGER else (store.strip() or None)
    figures = dashboard_figures.figures(request.app.state.db, period, store_id, now())
    if wants_csv(request):
        return csv_response(f"stores-{figures['first_day']}-{figures['last_day']}", RANKED,
                            figures["stores_ranked"], PAGES.gettext(request))
    return PAGES.render(request, "console/dashboard.html", {
        "f": figures, "periods": PERIOD_NAMES, "may_pick_store": who.role != StaffRole.STORE_MANAGER,
        # the chain's liability is the chain's business: a store manager sees their own store's figures
        "chain_figures": who.role != StaffRole.STORE_MANAGER,
        "ranked_columns": RANKED, "gift_names": _gift_names(request.app.state.db, figures["top_gifts"])})


def _gift_names(db: Database, top: list[dict[str, Any]]) -> dict[str, str]:
    """The top gifts' names from the catalogue (a gift since removed keeps its code alone)."""
    found = {g["gift_id"]: C.item(db, "gift", g["gift_id"]) for g in top}
    return {k: str(v.get("name") or "") for k, v in found.items() if v}
