"""Flash messages: a sentence shown once on the page a POST redirects to ("Campaign saved").

Kept in a short-lived cookie signed with the session's secret, so a page of another site cannot
plant one, and no table row is written per message. A message is a msgid with its parameters:
it is translated when shown, in the language the reader has then.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from starlette.responses import RedirectResponse, Response

from hq_server.web.cookies import clear_cookie, set_cookie

COOKIE = "hq_flash"
KINDS = ("ok", "error", "info")


@dataclass(frozen=True)
class Flash:
    kind: str
    text: str  # a msgid, with %(name)s placeholders for params
    params: dict[str, Any] = field(default_factory=dict)


def _sign(secret: str, body: str) -> str:
    return hmac.new(secret.encode(), b"flash-v1:" + body.encode(), hashlib.sha256).hexdigest()[:32]


def add(response: Response, request: Request, secret: str, kind: str, text: str, **params: Any) -> None:
    messages = [*_read(request, secret), Flash(kind, text, params)][-5:]
    body = base64.urlsafe_b64encode(json.dumps([m.__dict__ for m in messages], ensure_ascii=False)
                                    .encode()).decode()
    set_cookie(response, request, COOKIE, f"{body}.{_sign(secret, body)}", max_age=120)


def _read(request: Request, secret: str | None) -> list[Flash]:
    raw = request.cookies.get(COOKIE, "")
    body, _, sig = raw.rpartition(".")
    if not secret or not body or not hmac.compare_digest(_sign(secret, body), sig):
        return []
    try:
        return [Flash(m["kind"], m["text"], m.get("params") or {}) for m in json.loads(base64.urlsafe_b64decode(body))
                if m.get("kind") in KINDS and isinstance(m.get("text"), str)]
    except (ValueError, TypeError, KeyError):
        return []


def take(request: Request, secret: str | None) -> list[Flash]:
    """The messages waiting for this page; the render clears the cookie (see forget)."""
    messages = _read(request, secret)
    if request.cookies.get(COOKIE):
        request.state.flash_taken = True
    return messages


def forget(response: Response, request: Request) -> None:
    if getattr(request.state, "flash_taken", False):
        clear_cookie(response, request, COOKIE)


def redirect(request: Request, to: str, text: str, kind: str = "ok", /, **params: Any) -> Response:
    """After a form: a 303 to `to`, with a message the next page shows once (the session's secret signs it)."""
    response = RedirectResponse(to, status_code=303)
    add(response, request, request.state.session_secret, kind, text, **params)
    return response
