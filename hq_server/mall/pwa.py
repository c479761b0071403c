"""What makes the mall installable and its member code work offline (DESIGN.md 12): the web app
manifest, the service worker (served at /m/sw.js so its scope is the whole mall), HQ's clock for the
phone's code (a phone's clock may be minutes off; the tills allow one 30-second step), and the page
shown offline. The worker's cache is named after a digest of the assets it keeps, so a new release
replaces the old copies."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from functools import cache
from pathlib import Path

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from hq_server.auth import now
from hq_server.mall.member import signed_in
from hq_server.mall.pages import PAGES, PREFIX

router = APIRouter(include_in_schema=False)  # under PREFIX (pages.mount)
STATIC = Path(__file__).with_name("static")
# What the worker keeps for offline use (besides /m/code, cached as the member opens it online).
OFFLINE_ASSETS = ("/static/web/base.css", "/static/mall/mall.css", "/static/mall/mall.js",
                  "/static/mall/membercode.js", "/static/mall/code_page.js",
                  "/static/mall/vendor/qrcode-generator/qrcode.js", "/static/mall/icon.svg",
                  "/static/vendor/htmx/htmx.min.js", PREFIX + "/offline")
THEME = "#c8102e"


@cache
def _version() -> str:
    h = hashlib.sha256()
    for path in sorted(STATIC.rglob("*")):
        if path.is_file():
            h.update(path.name.encode() + path.read_bytes())
    h.update((Path(__file__).parent / "templates" / "mall" / "code.html").read_bytes())
    return h.hexdigest()[:12]


@cache
def _worker() -> str:
    text = (STATIC / "mall" / "sw.js").read_text(encoding="utf-8")
    return text.replace("__VERSION__", _version()).replace("__ASSETS__", json.dumps(list(OFFLINE_ASSETS)))


@router.get("/sw.js")
def service_worker() -> Response:
    return Response(_worker(), media_type="text/javascript",
                    headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": PREFIX + "/"})


@router.get("/manifest.webmanifest")
def manifest(request: Request) -> Response:
    _ = PAGES.gettext(request)
    doc = {"name": _("Points mall"), "short_name": _("Points mall"), "start_url": PREFIX + "/",
           "scope": PREFIX + "/", "display": "standalone", "background_color": "#f5f6f7", "theme_color": THEME,
           "description": _("Your points, your member code and your invitations"),
           "icons": [{"src": "/static/mall/icon.svg", "sizes": "any", "type": "image/svg+xml"},
                     {"src": "/static/mall/icon-192.png", "sizes": "192x192", "type": "image/png"},
                     {"src": "/static/mall/icon-512.png", "sizes": "512x512", "type": "image/png"}]}
    return Response(json.dumps(doc, ensure_ascii=False), media_type="application/manifest+json")


@router.get("/time")
def hq_time() -> JSONResponse:
    """HQ's clock in ms since the epoch: the code page corrects the phone's clock by it."""
    return JSONResponse({"ms": int(now().replace(tzinfo=UTC).timestamp() * 1000)}, headers={"Cache-Control": "no-store"})


@router.get("/offline")
def offline(request: Request) -> Response:
    signed_in(request)
    return PAGES.render(request, "mall/offline.html", {"member": None})
