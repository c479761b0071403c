"""The console's front door: where a signed-in member of staff lands."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from hq_server.auth import Staff
from hq_server.console.pages import PAGES, PREFIX
from hq_server.web.staff import EVERYONE, staff_page

router = APIRouter(prefix=PREFIX, include_in_schema=False)
Anyone = Annotated[Staff, Depends(staff_page(EVERYONE))]


@router.get("")
def bare(_request: Request) -> Response:
    return RedirectResponse(PREFIX + "/", status_code=307)


@router.get("/")
def home(request: Request, _who: Anyone) -> Response:
    return PAGES.render(request, "console/home.html")
