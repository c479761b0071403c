"""The member on a mall page: the session cookie (member_sessions' token), the sign-in redirect, the
CSRF check of every form, and the client's address (HQ's rule: X-Forwarded-For only from a trusted proxy)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Depends, Request
from starlette.datastructures import FormData

from hq_server.auth import now
from hq_server.errors import HQProblem
from hq_server.login import client_address
from hq_server.programme.member_sessions import MemberSession, session_from_loop, session_of
from hq_server.web.csrf import checked_form
from hq_server.web.faces import SignInNeeded

COOKIE = "pm_member"
LOGIN_PATH = "/m/login"


def address_of(request: Request) -> str:
    peer = request.client.host if request.client else None
    return client_address(peer, request.headers.get("x-forwarded-for"), request.app.state.settings.trusted_proxies)


def signed_in(request: Request) -> MemberSession | None:
    token = request.cookies.get(COOKIE)
    who = session_of(request.app.state.db, token, now()) if token else None
    if who is not None:
        request.state.session_secret = token
        request.state.member = who
    return who


async def member_page(request: Request) -> MemberSession:
    """A dependency: the signed-in member, or a redirect to the sign-in page (and back after it). Run on the
    event loop (member_sessions.session_from_loop): every mall page asks it first."""
    token = request.cookies.get(COOKIE)
    who = await session_from_loop(request.app.state.db, token, now()) if token else None
    if who is not None:
        request.state.session_secret = token
        request.state.member = who
    if who is None:
        back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInNeeded(LOGIN_PATH, back if request.method == "GET" else request.url.path)
    return who


@dataclass(frozen=True)
class MemberForm:
    who: MemberSession
    form: FormData

    def text(self, name: str, max_len: int = 200) -> str:
        value = self.form.get(name)
        if not isinstance(value, str):
            return ""
        if len(value) > max_len:
            raise HQProblem(422, "too_long", f"{name} is at most {max_len} characters")
        return value.strip()


async def member_form(request: Request, who: MemberSession = Depends(member_page)) -> MemberForm:
    """A dependency for a POST: signed in, then the CSRF check (a stale form changes nothing)."""
    return MemberForm(who, await checked_form(request, request.state.session_secret))
