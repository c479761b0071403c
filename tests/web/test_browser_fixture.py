"""The browser fixture drives Debian's Chromium against a real HQ: the sign-in form, the session cookie
it sets (HttpOnly, SameSite=Lax) and the language switch."""

from tests.hq.server import ADMIN_PASSWORD
from tests.web.conftest import sign_in


def test_sign_in_and_out_in_a_real_browser(page):
    page.goto("/console/")
    assert "/console/login" in page.url  # no session: the sign-in page, with the way back
    assert page.title().startswith("登录")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "wrong password!")
    page.click("button[type=submit]")
    assert "用户名或密码错误" in page.inner_text("main")
    sign_in(page, "admin", ADMIN_PASSWORD)
    assert "欢迎，admin" in page.inner_text("h1")
    cookie = next(c for c in page.context.cookies() if c["name"] == "hq_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert page.evaluate("document.cookie").find("hq_session") == -1  # scripts cannot read it
    page.click("text=English")
    assert "Welcome, admin" in page.inner_text("h1")
    page.click("button:has-text('Sign out')")
    page.wait_for_url("**/console/login**")
    page.goto("/console/")
    assert "/console/login" in page.url
