"""HQ's OpenAPI document, made to say what the server does: every answer a route can give, and who
may call it. Routes declare their own refusals; the ones every request can meet (a guard's, an
authentication's) are added here, once, by what the operation has."""

from __future__ import annotations

from typing import Any

from fastapi.openapi.utils import get_openapi


from pos_app.sync.wire import PushRequest

_WHY = {
    400: "The body is not what it claims (not JSON, not UTF-8, a bad Content-Length or gzip)",
    401: "No credential, or one that is malformed, unknown, expired or revoked",
    403: "Authenticated, but the role, store or device may not do this",
    413: "The body is over the limit for this route",
    415: "A Content-Encoding HQ does not read",
    422: "The input breaks a rule (the message names it); nothing was stored",
    423: "Locked after too many wrong passwords; an admin unlocks it",
    429: "Too many attempts or logins at once: wait the Retry-After seconds",
    503: "HQ lost its database connection (a restart, a failover): retry after Retry-After seconds",
}


def _problem(status: int) -> dict[str, Any]:
    return {"description": _WHY[status],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}


def build(title: str, version: str, description: str, routes: list[Any]) -> dict[str, Any]:
    doc = get_openapi(title=title, version=version, description=description, routes=routes)
    # The push body is read raw (it may be gzip), so its schema is added by hand.
    schema = PushRequest.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(schema.pop("$defs", {}))
    schemas["PushRequest"] = schema
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            codes: set[int] = {503}  # any route that reads the database
            if op.get("requestBody"):
                codes |= {400, 413, 422}
            if op.get("parameters"):
                codes.add(422)
            if op.get("security"):
                codes |= {401, 403}
            responses = op.setdefault("responses", {})
            for status in sorted(codes):
                responses.setdefault(str(status), _problem(status))
            for status, answer in responses.items():
                if status.isdigit() and int(status) in _WHY and answer.get("description") in (None, "Additional Response"):
                    answer["description"] = _WHY[int(status)]
    return doc


