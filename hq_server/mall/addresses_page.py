"""The member's address book (收货地址): add, edit, delete, choose the default (programme.address_book).
A `next` address (the gift's page that sent the member here) is where saving returns to."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from hq_server.auth import now
from hq_server.errors import HQProblem
from hq_server.mall import words
from hq_server.mall.member import MemberForm, member_form, member_page
from hq_server.mall.pages import PAGES, PREFIX
from hq_server.programme import address_book as A
from hq_server.programme.member_sessions import MemberSession
from hq_server.web import flash

router = APIRouter(include_in_schema=False)  # under PREFIX (pages.mount)


def _back(next_: str) -> str:
    """Only a mall page of this site (never another site's address)."""
    return next_ if next_.startswith(PREFIX + "/gift/") and "//" not in next_ and len(next_) < 120 else ""


@router.get("/addresses")
def book(request: Request, who: MemberSession = Depends(member_page), next: str = "") -> Response:
    return PAGES.render(request, "mall/addresses.html", {
        "member": who, "here": "/m/me", "book": A.addresses(request.app.state.db, who.member_id),
        "max": A.MAX_ADDRESSES, "next": _back(next)})


def _code(p: HQProblem) -> str:
    """The refusal's code as this form explains it: invalid_address is the order page's "choose an
    address"; here the address the member wrote is what is wrong."""
    return "invalid_address_text" if p.code == "invalid_address" else p.code


def _form(request: Request, who: MemberSession, *, saved: A.Saved | None = None,
          form: dict[str, str] | None = None, status: int = 200, error: str | None = None,
          next_: str = "") -> Response:
    values = form or ({"name": saved.name, "phone": saved.phone, "address": saved.address,
                       "default": "1" if saved.is_default else ""} if saved else {})
    return PAGES.render(request, "mall/address_form.html", {
        "member": who, "here": "/m/me", "saved": saved, "values": values, "next": _back(next_), "error": error,
        "error_hint": words.hint(error) if error else None}, status=status)


@router.get("/addresses/new")
def new_address(request: Request, who: MemberSession = Depends(member_page), next: str = "") -> Response:
    return _form(request, who, next_=next)


@router.get("/addresses/{address_id}")
def edit_page(request: Request, address_id: str, who: MemberSession = Depends(member_page)) -> Response:
    return _form(request, who, saved=A.saved_address(request.app.state.db, who.member_id, address_id))


def _done(request: Request, message: str, next_: str) -> Response:
    response = RedirectResponse(_back(next_) or PREFIX + "/addresses", status_code=303)
    flash.add(response, request, request.state.session_secret, "ok", message)
    return response


@router.post("/addresses")
async def add(request: Request, posted: MemberForm = Depends(member_form)) -> Response:
    state = request.app.state
    form = {k: posted.text(k, 300) for k in ("name", "phone", "address", "default", "next")}
    try:
        await run_in_threadpool(lambda: A.add_address(state.db, posted.who.member_id, name=form["name"],
                                                      phone=form["phone"], address=form["address"],
                                                      default=form["default"] == "1", now=now()))
    except HQProblem as p:
        return _form(request, posted.who, form=form, status=p.status, error=_code(p), next_=form["next"])
    return _done(request, words.ADDRESS_SAVED, form["next"])


@router.post("/addresses/{address_id}")
async def edit(request: Request, address_id: str, posted: MemberForm = Depends(member_form)) -> Response:
    state = request.app.state
    form = {k: posted.text(k, 300) for k in ("name", "phone", "address", "default")}
    saved = A.saved_address(state.db, posted.who.member_id, address_id)
    try:
        await run_in_threadpool(lambda: A.edit_address(state.db, posted.who.member_id, address_id, name=form["name"],
                                                       phone=form["phone"], address=form["address"],
                                                       default=form["default"] == "1", now=now()))
    except HQProblem as p:
        return _form(request, posted.who, saved=saved, form=form, status=p.status, error=_code(p))
    return _done(request, words.ADDRESS_SAVED, "")


@router.post("/addresses/{address_id}/delete")
async def delete(request: Request, address_id: str, posted: MemberForm = Depends(member_form)) -> Response:
    state = request.app.state
    await run_in_threadpool(A.delete_address, state.db, posted.who.member_id, address_id)
    return _done(request, words.ADDRESS_DELETED, "")
