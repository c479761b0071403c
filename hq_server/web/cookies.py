"""Cookies the faces set: always HttpOnly and SameSite=Lax, Secure when the page came over HTTPS
(directly, or through a trusted proxy that says so), so a session never travels in clear text once
HQ is behind TLS, and still works on a plain-HTTP till network or a developer's machine."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response


def over_https(request: Request) -> bool:
    if request.url.scheme == "https":
        return True
    trusted = getattr(request.app.state.settings, "trusted_proxies", [])
    peer = request.client.host if request.client else None
    return peer in trusted and request.headers.get("x-forwarded-proto", "").lower() == "https"


def set_cookie(response: Response, request: Request, name: str, value: str, *, max_age: int | None = None,
               path: str = "/") -> None:
    response.set_cookie(name, value, max_age=max_age, path=path, httponly=True, samesite="lax",
                        secure=over_https(request))


def clear_cookie(response: Response, request: Request, name: str, *, path: str = "/") -> None:
    response.delete_cookie(name, path=path, httponly=True, samesite="lax", secure=over_https(request))
