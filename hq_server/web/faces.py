"""Mounting the faces: /static (the vendored assets and each face's own), the language switch, and
error pages in HTML for any address under a face's prefix (the JSON API keeps its JSON problems).

A face registers its prefix and Pages; a refusal (HQProblem), a malformed address, a stale form or
a missing sign-in on one of its pages is answered by the face's own `error.html` (or a redirect to
its sign-in page), in the reader's language.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response

from hq_server.errors import HQProblem, problem_response, validation_message
from hq_server.web import i18n
from hq_server.web.cookies import set_cookie
from hq_server.web.csrf import StaleForm
from hq_server.web.pages import WEB_DIR, Pages

_AsyncHandler = Callable[[Request, Any], Awaitable[Response]]

# Every face keeps its assets in <package>/static, served under /static/ with the shared ones.
FACE_STATIC = ("hq_server.console", "hq_server.mall")


class SignInNeeded(Exception):
    def __init__(self, login_path: str, back_to: str):
        self.login_path, self.back_to = login_path, back_to


def safe_next(target: str | None, default: str = "/") -> str:
    """Only a path on this site: never //host or a scheme (an open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


router = APIRouter(include_in_schema=False)


@router.get("/lang/{code}")
def switch_language(code: str, request: Request, next: str | None = None) -> Response:
    """Remember the reader's language (a preference, not a change of any record) and go back."""
    response = RedirectResponse(safe_next(next), status_code=303)
    set_cookie(response, request, i18n.COOKIE, i18n.pick(code), max_age=3600 * 24 * 365)
    return response


def _face_of(request: Request) -> tuple[str, Pages] | None:
    for prefix, pages in getattr(request.app.state, "web_faces", {}).items():
        if request.url.path == prefix or request.url.path.startswith(prefix + "/"):
            return prefix, pages
    return None


def _error_page(request: Request, pages: Pages, status: int, code: str, message: str) -> Response:
    return pages.render(request, "error.html", {"status": status, "code": code, "message": message},
                        status=status)


def problem_page(request: Request, status: int, code: str, message: str) -> Response | None:
    """The face's error page for a problem met outside its routes (a body over the limit, the database away),
    or None off the faces."""
    face = _face_of(request)
    return None if face is None else _error_page(request, face[1], status, code, message)


def register(app: FastAPI, prefix: str, pages: Pages) -> None:
    """Serve `prefix`'s pages with HTML errors; the first face registered also mounts what is shared."""
    if not hasattr(app.state, "web_faces"):
        app.state.web_faces = {}
        _install(app)
    app.state.web_faces[prefix] = pages


def _install(app: FastAPI) -> None:
    packages: list[str | tuple[str, str]] = [("hq_server.web", "static")]
    for pkg in FACE_STATIC:
        folder = WEB_DIR.parent / pkg.rsplit(".", 1)[1] / "static"
        if folder.is_dir():
            packages.append((pkg, "static"))
    app.mount("/static", StaticFiles(packages=packages), name="static")
    app.include_router(router)
    app.state.problem_page = problem_page  # errors.answer: the database's refusals and the body limit
    # What the JSON API answers: errors.install's handlers, all async; FastAPI itself has (async) ones
    # for a malformed request and an HTTP error, so those two are never missing.
    json_problem = cast("_AsyncHandler | None", app.exception_handlers.get(HQProblem))
    json_invalid = cast("_AsyncHandler", app.exception_handlers.get(RequestValidationError))
    json_http = cast("_AsyncHandler", app.exception_handlers.get(StarletteHTTPException))

    @app.exception_handler(HQProblem)
    async def _problem(request: Request, exc: HQProblem) -> Response:
        face = _face_of(request)
        if face is None:
            return await json_problem(request, exc) if json_problem else problem_response(exc.status, exc.code,
                                                                                          exc.message)
        return _error_page(request, face[1], exc.status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        face = _face_of(request)
        if face is None:
            return await json_invalid(request, exc)
        return _error_page(request, face[1], 422, "invalid_input", validation_message(exc.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        face = _face_of(request)
        if face is None:
            return await json_http(request, exc)
        return _error_page(request, face[1], exc.status_code, "http_error", str(exc.detail))

    @app.exception_handler(StaleForm)
    async def _stale(request: Request, _exc: StaleForm) -> Response:
        face = _face_of(request)
        msg = "this form is out of date (the page was open too long, or you signed out): reload it and try again"
        if face is None:
            return problem_response(403, "stale_form", msg)
        return _error_page(request, face[1], 403, "stale_form", msg)

    @app.exception_handler(SignInNeeded)
    async def _sign_in(request: Request, exc: SignInNeeded) -> Response:
        if request.headers.get("hx-request"):  # htmx: the whole page goes to the sign-in form
            return Response(status_code=204, headers={"HX-Redirect": exc.login_path})
        return RedirectResponse(f"{exc.login_path}?next={quote(exc.back_to)}", status_code=303)


def static_dir() -> Path:
    return WEB_DIR / "static"
