"""HTTP to HQ (requests): timeouts on every call, gzip push bodies, device-key auth,
errors mapped to pos_app.sync.errors. Speaks only pos_app.sync.wire; no database.

    client = HQClient(url, device_id, device_key)
    client.handshake(HandshakeRequest(...)) -> HandshakeResponse
    client.push(events: list[dict]) -> PushResponse      # wire events as JSON-ready dicts
    client.push_body(body: bytes) -> PushResponse        # {"events": [...]} already encoded (outbox.Batch)
    client.pull(after, limit) -> PullResponse
    client.lookup(q) -> MemberLookup
    HQClient.enrol(url, token, device_name) -> EnrolResponse   (no key needed)
"""

from __future__ import annotations

import gzip
import json
from typing import Any, TypeVar

import requests
from pydantic import BaseModel, ValidationError

from pos_app.sync import wire as W
from pos_app.sync.errors import (DeviceRefused, HQAnswerInvalid, HQRefused, HQUnreachable, MemberUnknownAtHQ,
                                 ProtocolMismatch)

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 30.0
GZIP_OVER = 1024  # bytes: smaller push bodies go plain
M = TypeVar("M", bound=BaseModel)


class HQClient:
    def __init__(self, base_url: str, device_id: str | None = None, device_key: str | None = None, *,
                 connect_timeout: float = CONNECT_TIMEOUT, read_timeout: float = READ_TIMEOUT,
                 session: requests.Session | None = None):
        self.base_url = base_url.rstrip("/")
        self.timeout = (connect_timeout, read_timeout)
        self.session = session or requests.Session()
        self.session.headers["Accept-Encoding"] = "gzip"
        if device_id and device_key:
            self.session.headers["Authorization"] = f"Device {device_id}:{device_key}"

    def close(self) -> None:
        self.session.close()

    def twin(self) -> HQClient:
        """Another client to the same HQ with the same key and timeouts, on its own session: a
        requests.Session is not to be shared between threads (pos_app.sync.cycle pushes two
        batches at once)."""
        twin = HQClient(self.base_url, connect_timeout=self.timeout[0], read_timeout=self.timeout[1])
        twin.session.headers.update(self.session.headers)
        return twin

    # --- calls ------------------------------------------------------------------------
    @classmethod
    def enrol(cls, base_url: str, token: str, device_name: str, **kw: Any) -> W.EnrolResponse:
        client = cls(base_url, **kw)
        try:
            body = W.EnrolRequest(token=token, device_name=device_name)
            return client._call("POST", "/api/v1/enrol", W.EnrolResponse, json_body=body.model_dump(mode="json"))
        except ValidationError as exc:
            raise HQRefused(0, "invalid_request", exc.errors()[0]["msg"]) from None
        finally:
            client.close()

    def handshake(self, req: W.HandshakeRequest) -> W.HandshakeResponse:
        # None fields are left out: an HQ of protocol 1 refuses pull_cursor even as null.
        return self._call("POST", "/api/v1/sync/handshake", W.HandshakeResponse,
                          json_body=req.model_dump(mode="json", exclude_none=True))

    def push(self, events: list[dict[str, Any]]) -> W.PushResponse:
        return self.push_body(json.dumps({"events": events}, separators=(",", ":"), ensure_ascii=False).encode())

    def push_body(self, raw: bytes) -> W.PushResponse:
        headers = {"Content-Type": "application/json"}
        if len(raw) > GZIP_OVER:
            raw, headers["Content-Encoding"] = gzip.compress(raw, compresslevel=5), "gzip"
        return self._call("POST", "/api/v1/sync/push", W.PushResponse, data=raw, headers=headers)

    def pull(self, after: int, limit: int = 500) -> W.PullResponse:
        return self._call("GET", "/api/v1/sync/pull", W.PullResponse, params={"after": after, "limit": limit})

    def register_signing_key(self, public_hex: str) -> W.SigningKeyAnswer:
        body = W.SigningKeyRequest(public_key=public_hex).model_dump(mode="json")
        return self._call("POST", "/api/v1/sync/signing-key", W.SigningKeyAnswer, json_body=body)

    def lookup(self, q: str) -> W.MemberLookup:
        return self._call("GET", "/api/v1/members/lookup", W.MemberLookup, params={"q": q})

    # --- plumbing ---------------------------------------------------------------------
    def _call(self, method: str, path: str, model: type[M], *, json_body: Any = None, **kw: Any) -> M:
        try:
            r = self.session.request(method, self.base_url + path, json=json_body, timeout=self.timeout, **kw)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise HQUnreachable(f"HQ at {self.base_url} is unreachable: {type(exc).__name__}") from None
        except requests.RequestException as exc:
            raise HQUnreachable(f"HQ request failed: {exc}") from None
        if r.status_code >= 500:
            raise HQUnreachable(f"HQ answered {r.status_code} on {path}")
        if r.status_code >= 400:
            raise _refusal(r)
        try:
            return model.model_validate(r.json())
        except (ValueError, ValidationError) as exc:
            raise HQAnswerInvalid(f"HQ's answer to {path} is not the wire schema: {str(exc)[:300]}") from None


def _refusal(r: requests.Response) -> HQRefused:
    try:
        doc = r.json()
        code, message = str(doc.get("code", r.status_code)), str(doc.get("message", r.text[:200]))
    except ValueError:
        code, message = str(r.status_code), r.text[:200]
    if r.status_code in (401, 403) and code != "wrong_store":
        return DeviceRefused(r.status_code, code, message)
    if r.status_code == 409 and code == "protocol":
        return ProtocolMismatch(r.status_code, code, message)
    if r.status_code == 404 and code == "member_unknown":
        return MemberUnknownAtHQ(r.status_code, code, message)
    return HQRefused(r.status_code, code, message)
