"""Every form carries a CSRF token; a POST whose token is missing or wrong is refused as a stale form
and changes nothing.

The token is an HMAC of the session's own secret (the cookie's value, which a page on another site
can neither read nor guess), so it needs no table and no server key, every worker computes the same
one, and it dies with the session: a form left open across a logout or a password change is stale.
Before sign-in there is no session: the login form uses a random pre-session cookie the same way
(double submit).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request
from starlette.datastructures import FormData
from starlette.responses import Response

from hq_server.web.cookies import set_cookie

FIELD = "csrf"
HEADER = "x-csrf-token"  # htmx requests send it as a header (hx-headers on <body>)
PRE_COOKIE = "hq_pre"


class StaleForm(Exception):
    """The form's token does not belong to this session (expired, logged out, or forged)."""


def token_for(secret: str) -> str:
    return hmac.new(secret.encode(), b"csrf-v1", hashlib.sha256).hexdigest()


def matches(secret: str | None, sent: str | None) -> bool:
    if not secret or not sent:
        return False
    return hmac.compare_digest(token_for(secret), sent)


async def checked_form(request: Request, secret: str | None) -> FormData:
    """The posted form, if its token is this session's; StaleForm otherwise."""
    form = await request.form()
    sent = form.get(FIELD) or request.headers.get(HEADER)
    if not isinstance(sent, str) or not matches(secret, sent):
        raise StaleForm()
    return form


def pre_session_secret(request: Request) -> str:
    """The login form's secret: the pre-session cookie, or a new one (remember_pre_session sets it)."""
    value = request.cookies.get(PRE_COOKIE)
    if not value or len(value) != 43:
        value = secrets.token_urlsafe(32)
    request.state.pre_session = value
    return value


def remember_pre_session(response: Response, request: Request) -> None:
    value = getattr(request.state, "pre_session", None)
    if value and request.cookies.get(PRE_COOKIE) != value:
        set_cookie(response, request, PRE_COOKIE, value, max_age=3600 * 12)
