"""What every request meets before a route reads it: one body-size limit (413), and a bound on how
deeply JSON may nest (HQ's own parsers recurse: a deeply nested body must be a 4xx, not a crash).

The size limit is an ASGI middleware, so a body is refused as it streams in, before anything reads
it whole: by its Content-Length when it gives one, else as soon as the bytes received pass the limit.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hq_server.ledger.checks import too_deep
from hq_server.errors import answer


class BodyLimit:
    """At most `default` bytes of body on any route, `larger[path]` on the few that need more."""

    def __init__(self, app: ASGIApp, default: int, larger: dict[str, int], max_depth: int):
        self.app, self.default, self.larger, self.max_depth = app, default, larger, max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope["path"], self.default)
        length = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if length is not None and (not length.isdigit() or int(length) > limit):
            status, code = (413, "body_too_large") if length.isdigit() else (400, "bad_length")
            text = f"the body is over {limit} bytes" if status == 413 else "Content-Length is not a number"
            await _refuse(scope, receive, send, status, code, text)
            return
        # Read the body here, to the limit and no further, then hand it on whole: a route's own parser
        # (FastAPI's among them) never sees more than the limit, and a 413 is this answer, not its error.
        body, more = bytearray(), True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > limit:
                await _refuse(scope, receive, send, 413, "body_too_large", f"the body is over {limit} bytes")
                return
        if scope["path"] not in self.larger and _json_too_deep(bytes(body), scope, self.max_depth):
            await _refuse(scope, receive, send, 422, "too_deep", f"the body nests deeper than {self.max_depth} levels")
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()  # after the body: only a disconnect can come
            sent = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)


async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, code: str, message: str) -> None:
    """The refusal as its reader takes it: a member's too-large photo gets the mall's page, in their language
    (errors.answer), a till's push the JSON problem."""
    await answer(Request(scope, receive), status, code, message)(scope, receive, send)


def _json_too_deep(body: bytes, scope: Scope, limit: int) -> bool:
    """A JSON body nested deeper than `limit` (the routes with larger bodies check their own). Counting
    brackets bounds the depth at C speed, so an ordinary body is never parsed twice."""
    kind = next((v for k, v in scope["headers"] if k == b"content-type"), b"")
    if b"json" not in kind or body.count(b"[") + body.count(b"{") <= limit:
        return False
    try:
        doc = json.loads(body)
    except RecursionError:
        return True
    except ValueError:
        return False  # not JSON at all: the route's parser says so
    return too_deep(doc, limit)
