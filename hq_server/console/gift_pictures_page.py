"""A gift's picture: uploaded on the gift's page (operators), served to the console and the mall by HQ
itself at /pictures/gifts/<hash>.png (public, like the mall's drawn pictures: a phone caches it; the
name is its content's hash, so it never changes)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import UploadFile
from starlette.responses import Response

from hq_server import roles as R
from hq_server.auth import now
from hq_server.console.actor import actor_of
from hq_server.console.field_errors import field_errors
from hq_server.console.pages import PREFIX
from hq_server.console.programme_page import edit_form
from hq_server.programme import gift_pictures
from hq_server.programme.refusals import BadField
from hq_server.web import flash
from hq_server.web.i18n import N_
from hq_server.web.staff import StaffForm, staff_form

router = APIRouter(include_in_schema=False)
Operator = Annotated[StaffForm, Depends(staff_form(R.CATALOGUE))]


@router.post(PREFIX + "/programme/gift/{gift_id}/picture")
def upload(gift_id: str, request: Request, posted: Operator) -> Response:
    file = posted.form.get("picture")
    data = file.file.read(gift_pictures.MAX_BYTES + 1) if isinstance(file, UploadFile) else b""
    seen = posted.text("seq", 20)
    try:
        gift_pictures.upload_picture(request.app.state.db, actor_of(posted.who), gift_id, data,
                                     seen_seq=int(seen) if seen.isdigit() else None, now=now())
    except BadField as bad:
        return edit_form(request, "gift", gift_id, status=bad.status, errors=field_errors(bad))
    return flash.redirect(request, f"{PREFIX}/programme/gift/{gift_id}",
                          N_("The picture is saved: the mall shows it now, the tills at their next sync."))


@router.get(gift_pictures.URL + "{name}")
def picture(name: str, request: Request) -> Response:
    png = gift_pictures.picture(request.app.state.db, name)
    if png is None:
        return Response(status_code=404)
    return Response(png, media_type="image/png", headers={"Cache-Control": "public, max-age=31536000, immutable"})
