"""Signing in and out of the console, its cookies and refusals: a stale sign-in form, wrong passwords
(then the throttle's own message), a way back only to this site, the language switch, sign-out
ending the session for good."""

from __future__ import annotations

import re
import secrets

import httpx

from tests.console.client import Console
from tests.hq.server import ADMIN_PASSWORD


def test_sign_in_sets_a_safe_cookie_and_goes_back_where_asked(web_hq):
    with Console(web_hq, sign_in=False) as c:
        first = c.http.get("/console/members?q=139", follow_redirects=False)
        assert first.status_code == 303 and first.headers["location"] == "/console/login?next=/console/members%3Fq%3D139"
        form = c.http.get(first.headers["location"])
        token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        assert 'value="/console/members?q=139"' in form.text
        signed = c.http.post("/console/login", data={"csrf": token, "username": "admin", "password": ADMIN_PASSWORD,
                                                     "next": "/console/members?q=139"})
        assert signed.status_code == 303 and signed.headers["location"] == "/console/members?q=139"
        cookie = signed.headers["set-cookie"]
        assert "hq_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
        assert "Secure" not in cookie  # plain HTTP here; over HTTPS (or a trusted proxy saying so) it is Secure
        # an address elsewhere is never where a sign-in sends you
        for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
            signed_in = c.http.get("/console/login", params={"next": evil}, follow_redirects=False)
            assert signed_in.headers["location"] == "/console/", evil
            with Console(web_hq, sign_in=False) as anon:
                form = anon.http.get("/console/login", params={"next": evil})
                assert '<input type="hidden" name="next" value="/console/">' in form.text, evil


def test_secure_cookie_behind_a_tls_proxy(web_hq):
    form = httpx.get(web_hq.url + "/console/login", headers={"X-Forwarded-Proto": "https"})
    assert "Secure" in form.headers["set-cookie"]  # the loopback proxy is trusted in tests


def test_stale_form_wrong_password_and_throttle(web_hq, staff_user):
    name, password = staff_user("finance")
    with Console(web_hq, sign_in=False) as c:
        stale = c.http.post("/console/login", data={"csrf": "x" * 64, "username": name, "password": password})
        assert stale.status_code == 403 and "登录表单已过期" in stale.text
        for _ in range(5):
            wrong = c.sign_in(name, "not-the-password")
            assert wrong.status_code == 401 and "用户名或密码错误" in wrong.text
        throttled = c.sign_in(name, password)  # right, but the name is throttled now
        assert throttled.status_code == 429 and "尝试次数过多" in throttled.text


def test_sign_out_ends_the_session_and_the_language_switch_sticks(web_hq):
    with Console(web_hq) as c:
        cookie = c.http.cookies["hq_session"]
        english = c.http.get("/lang/en", params={"next": "/console/"}, follow_redirects=True)
        assert "Welcome, admin" in english.text and c.http.cookies.get("lang") == "en"
        assert c.http.get("/lang/xx", params={"next": "https://evil.example/"}).headers["location"] == "/"
        c.get("/console/")
        out = c.post("/console/logout")
        assert out.status_code == 303 and out.headers["location"] == "/console/login"
    again = httpx.get(web_hq.url + "/console/", cookies={"hq_session": cookie}, follow_redirects=False)
    assert again.status_code == 303  # the session row is gone: the old cookie opens nothing


def test_a_deactivated_or_unknown_session_is_a_sign_in(web_hq):
    r = httpx.get(web_hq.url + "/console/dashboard", cookies={"hq_session": secrets.token_urlsafe(32)},
                  follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/console/login")
    r = httpx.get(web_hq.url + "/console/dashboard", cookies={"hq_session": "'; drop table admins; --"},
                  follow_redirects=False)
    assert r.status_code == 303
