"""Scanning a product's label with the phone (programme.label_scans): the phone's camera reads the code
in the browser where it can (BarcodeDetector), else the photo goes to HQ, which reads it with the tills'
reader. Either way HQ checks the label and its serial chain-wide and the member sees the prize drawn.
A scan answers with a redirect to its result (/m/scan/done?serial=...), so reloading it credits nothing
twice; a refusal is the scan page again, saying why, with nothing changed."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response

from hq_server.auth import now
from hq_server.errors import HQProblem
from hq_server.mall import words
from hq_server.mall.member import MemberForm, member_form, member_page
from hq_server.mall.pages import PAGES, PREFIX
from hq_server.programme.label_photos import MAX_PHOTO_BYTES
from hq_server.programme.label_scans import label_credit, scan_label, scan_label_photo
from hq_server.programme.member_sessions import MemberSession

router = APIRouter(include_in_schema=False)  # under PREFIX (pages.mount)
PHOTO_PATH = PREFIX + "/scan/photo"
MAX_CODE = 1024


def _page(request: Request, who: MemberSession, *, status: int = 200, error: str | None = None) -> Response:
    return PAGES.render(request, "mall/scan.html", {
        "member": who, "here": "/m/scan",
        "error": error, "error_hint": words.hint(error) if error else None,
        "max_photo_mb": MAX_PHOTO_BYTES // (1024 * 1024)}, status=status)


@router.get("/scan")
def scan_page(request: Request, who: MemberSession = Depends(member_page)) -> Response:
    return _page(request, who)


def _done(serial: str) -> Response:
    return RedirectResponse(f"{PREFIX}/scan/done?serial={serial}", status_code=303)


@router.post("/scan")
async def scan_code(request: Request, posted: MemberForm = Depends(member_form)) -> Response:
    """The code's text, read by the phone's browser."""
    code = posted.form.get("code")
    text = code.strip() if isinstance(code, str) else ""
    try:
        if len(text) > MAX_CODE:
            # longer than any label: refused as the use case refuses it, on the scan page saying what to
            # scan, not with a bare "too long" page
            raise HQProblem(422, "not_a_label", "this is not a product label")
        got = await run_in_threadpool(scan_label, request.app.state.db, posted.who.member_id, text, now())
    except HQProblem as p:
        return await run_in_threadpool(_page, request, posted.who, status=p.status, error=p.code)
    return _done(got.serial)


@router.post("/scan/photo")
async def scan_photo(request: Request, posted: MemberForm = Depends(member_form)) -> Response:
    """A photo of the label (the browser could not read it): HQ reads it."""
    photo = posted.form.get("photo")
    data = await photo.read(MAX_PHOTO_BYTES + 1) if isinstance(photo, UploadFile) else b""
    try:
        got = await run_in_threadpool(scan_label_photo, request.app.state.db, posted.who.member_id, data, now())
    except HQProblem as p:
        return await run_in_threadpool(_page, request, posted.who, status=p.status, error=p.code)
    return _done(got.serial)


@router.get("/scan/done")
def scan_done(request: Request, who: MemberSession = Depends(member_page),
              serial: str = Query("", max_length=40)) -> Response:
    state = request.app.state
    got = label_credit(state.db, who.member_id, serial)
    if got is None:
        raise HQProblem(404, "not_found", "no label of yours with this serial")
    return PAGES.render(request, "mall/scan_done.html", {
        "member": who, "here": "/m/scan", "got": got})
