"""Fixtures for the web faces (the console here; the mall reuses them):

    web_hq            a real `hq-server serve` (tests/hq/server.py) per backend, SQLite and PostgreSQL
    staff_user        a member of staff of a given role, made through the admin API: (username, password)
    browser           one headless Chromium for the session (Debian's; see tests/web/browser.py)
    page              a fresh browser context and page, Chinese by default, 1366x900
    signed_in_page    a page already signed in to the console as the chain's admin

Every test that uses the browser is marked slow (the fast lane skips it).
"""

from __future__ import annotations

import secrets

import pytest

from tests.hq.server import ADMIN_PASSWORD, HQServer, need_postgres, postgres_database, sqlite_url
from tests.web.browser import chromium_path, shared_browser

BROWSER_FIXTURES = {"browser", "page", "signed_in_page"}


def pytest_collection_modifyitems(items):
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def web_hq(request, tmp_path_factory) -> HQServer:
    if request.param == "sqlite":
        with HQServer(sqlite_url(tmp_path_factory.mktemp("web-sqlite")),
                      log=tmp_path_factory.mktemp("web-log") / "hq.log") as hq:
            yield hq
    else:
        need_postgres()
        with postgres_database() as url, HQServer(url, log=tmp_path_factory.mktemp("web-log") / "hq.log") as hq:
            yield hq


@pytest.fixture
def staff_user(web_hq):
    """make(role, store_id=None) -> (username, password): a new active account of that role."""
    def make(role: str, store_id: str | None = None) -> tuple[str, str]:
        name, password = f"{role[:10]}-{secrets.token_hex(4)}", "pw-" + secrets.token_hex(8)
        r = web_hq.admin("PUT", f"/users/{name}", json={"role": role, "store_id": store_id, "password": password})
        assert r.status_code == 200, r.text
        return name, password
    return make


@pytest.fixture(scope="session")
def browser():
    if chromium_path() is None:
        pytest.fail("no Chromium at /usr/bin/chromium: run scripts/setup.sh", pytrace=False)
    yield shared_browser()


@pytest.fixture
def page(browser, web_hq):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900}, base_url=web_hq.url,
                                  accept_downloads=True)
    # each test signs in from an address of its own, so one test's wrong passwords never throttle another
    context.set_extra_http_headers({"X-Forwarded-For": f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.1"})
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


def sign_in(pg, username: str, password: str) -> None:
    pg.goto("/console/login")
    pg.fill("input[name=username]", username)
    pg.fill("input[name=password]", password)
    pg.click("button[type=submit]")
    pg.wait_for_url("**/console/")


@pytest.fixture
def signed_in_page(page):
    sign_in(page, "admin", ADMIN_PASSWORD)
    return page
