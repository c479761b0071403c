"""Every refusal is a 4xx with a wire.Problem body (code + a sentence), never a 500."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from pos_app.sync.wire import Problem

log = logging.getLogger("hq_server")


class HQProblem(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def problem_response(status: int, code: str, message: str) -> JSONResponse:
    headers = {"WWW-Authenticate": "Device"} if status == 401 else None
    return JSONResponse(Problem(code=code, message=message).model_dump(), status_code=status, headers=headers)


def validation_message(errors: list) -> str:
    parts = []
    for e in errors[:5]:
        where = ".".join(str(x) for x in e.get("loc", ()) if x != "body")
        parts.append(f"{where or 'body'}: {e.get('msg', 'invalid')}")
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return "; ".join(parts) + more


def install(app: FastAPI) -> None:
    @app.exception_handler(HQProblem)
    async def _problem(_req: Request, exc: HQProblem):
        return problem_response(exc.status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_req: Request, exc: RequestValidationError):
        return problem_response(422, "invalid_body", validation_message(exc.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_req: Request, exc: StarletteHTTPException):
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return problem_response(exc.status_code, code, str(exc.detail))
