"""The console through an HTTP client, as a browser without JavaScript uses it: sign in with the form,
keep the session cookie, post forms with the CSRF token the page gave."""

from __future__ import annotations

import re
import secrets

import httpx

from tests.hq.server import ADMIN_PASSWORD

_CSRF = re.compile(r'name="csrf" value="([^"]*)"')


class Console:
    def __init__(self, hq, username: str = "admin", password: str = ADMIN_PASSWORD, sign_in: bool = True):
        # an address of its own: one test's wrong passwords never throttle another's sign-in
        address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
        self.http = httpx.Client(base_url=hq.url, timeout=30, headers={"X-Forwarded-For": address})
        self.csrf = ""
        self.username = username
        if sign_in:
            r = self.sign_in(username, password)
            assert r.status_code == 303, r.text

    def sign_in(self, username: str, password: str) -> httpx.Response:
        form = self.http.get("/console/login")
        token = _CSRF.search(form.text).group(1)
        return self.http.post("/console/login", data={"csrf": token, "username": username, "password": password,
                                                      "next": "/console/"})

    def get(self, path: str, **kw) -> httpx.Response:
        r = self.http.get(path, **kw)
        found = _CSRF.search(r.text)
        if found and found.group(1):
            self.csrf = found.group(1)
        return r

    def post(self, path: str, data: dict | None = None, *, csrf: str | None = None) -> httpx.Response:
        if not self.csrf:
            self.get("/console/")
        return self.http.post(path, data={"csrf": self.csrf if csrf is None else csrf, **(data or {})})

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Console:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def flash_of(page: httpx.Response) -> list[str]:
    return re.findall(r'class="flash flash-\w+"[^>]*>([^<]*)<', page.text)
