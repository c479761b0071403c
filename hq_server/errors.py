"""Every refusal is a 4xx with a wire.Problem body (code + a sentence), never a 500.

The safety net: a value the database refuses (SQLAlchemy/psycopg DataError: out of range, a NUL
in text, a bad date) or the driver cannot bind (OverflowError: an integer too large for SQLite)
that no check caught is a 422 invalid_input. It is handled after the endpoint has returned by
raising: every write runs in `with db.write()`, whose transaction rolls back on the way out, so
the request stores nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.responses import Response
from sqlalchemy.exc import DataError, OperationalError, StatementError
from starlette.exceptions import HTTPException as StarletteHTTPException

from pos_app.sync.wire import Problem

log = logging.getLogger("hq_server")


class HQProblem(Exception):
    def __init__(self, status: int, code: str, message: str, retry_after: int | None = None,
                 challenge: str = "Bearer"):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.retry_after, self.challenge = retry_after, challenge


def problem_response(status: int, code: str, message: str, retry_after: int | None = None,
                     challenge: str = "Bearer") -> JSONResponse:
    headers = {}
    if status == 401:
        headers["WWW-Authenticate"] = challenge
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return JSONResponse(Problem(code=code, message=message).model_dump(), status_code=status, headers=headers)


def answer(request: Request, status: int, code: str, message: str, retry_after: int | None = None) -> Response:
    """A problem in the form its reader takes: a web face's error page, in the reader's language, under
    a face's prefix (hq_server.web.faces sets app.state.problem_page), else the JSON problem."""
    page = getattr(request.app.state, "problem_page", None)
    found: Response | None = page(request, status, code, message) if page is not None else None
    if found is None:
        return problem_response(status, code, message, retry_after=retry_after)
    if retry_after is not None:
        found.headers["Retry-After"] = str(retry_after)
    return found


def validation_message(errors: Sequence[Any]) -> str:
    parts = []
    for e in errors[:5]:
        where = ".".join(str(x) for x in e.get("loc", ()) if x != "body")
        parts.append(f"{where or 'body'}: {e.get('msg', 'invalid')}")
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return "; ".join(parts) + more


def install(app: FastAPI) -> None:
    @app.exception_handler(HQProblem)
    async def _problem(_req: Request, exc: HQProblem) -> JSONResponse:
        return problem_response(exc.status, exc.code, exc.message, exc.retry_after, exc.challenge)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_req: Request, exc: RequestValidationError) -> JSONResponse:
        return problem_response(422, "invalid_body", validation_message(exc.errors()))

    @app.exception_handler(DataError)
    @app.exception_handler(psycopg.DataError)
    @app.exception_handler(OverflowError)
    async def _data(req: Request, exc: Exception) -> Response:
        log.warning("%s %s: the database refused a value: %s", req.method, req.url.path, _first_line(exc))
        return answer(req, 422, "invalid_input", data_message(exc))

    @app.exception_handler(OperationalError)
    @app.exception_handler(psycopg.OperationalError)
    async def _database_gone(req: Request, exc: Exception) -> Response:
        # The database restarted or a connection dropped: SQLAlchemy has already dropped the pool's dead
        # connections (HQ runs without pre-ping, a round trip a request), so a retry gets a fresh one.
        # Nothing of the request was committed; tills retry a 503 as any outage.
        log.warning("%s %s: the database connection failed: %s", req.method, req.url.path, _first_line(exc))
        return answer(req, 503, "database_unavailable", "HQ lost its database connection; retry", retry_after=1)

    @app.exception_handler(StatementError)
    async def _statement(req: Request, exc: StatementError) -> Response:
        # SQLAlchemy wraps what a bind step raised before the driver saw the statement.
        if isinstance(exc.orig, (OverflowError, psycopg.DataError)):
            return await _data(req, exc)
        raise exc  # anything else is HQ's own bug: a 500, logged

    @app.exception_handler(StarletteHTTPException)
    async def _http(_req: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return problem_response(exc.status_code, code, str(exc.detail))


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc  # SQLAlchemy's wrapper: the driver's own message
    return (str(orig).strip().splitlines() or [type(orig).__name__])[0][:200]


def data_message(exc: BaseException) -> str:
    """A sentence for a value the database would not take (no SQL, no parameters: they may be long)."""
    reason = _first_line(exc)
    if isinstance(getattr(exc, "orig", None) or exc, OverflowError):
        reason = f"a number is too large ({reason})"
    return f"the request holds a value the database cannot store: {reason}; nothing was stored"
