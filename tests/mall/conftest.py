"""Mall test fixtures: a real `hq-server serve` per backend (SQLite and PostgreSQL, tests/hq/conftest.py),
HQ's use cases run in this process on the same database, and helpers that read the dev SMS outbox."""

from __future__ import annotations

import re
import secrets
import uuid

import pytest

from hq_server.db import Database
from hq_server.login import HashGate
from hq_server.programme import sms
from hq_server.programme.mall_settings import MallSettings, SmsSettings
from tests.hq.conftest import hq, hq_db_url, store_id  # noqa: F401 (fixtures)
from tests.hq.wire_events import now


@pytest.fixture
def db(hq):  # noqa: F811
    database = Database(hq.db_url)
    yield database
    database.dispose()


@pytest.fixture
def sms_settings() -> SmsSettings:
    return SmsSettings(provider="dev")


@pytest.fixture
def mall() -> MallSettings:
    return MallSettings()


@pytest.fixture
def gate(tmp_path) -> HashGate:
    return HashGate(1, 8, tmp_path / "slots")


@pytest.fixture
def phone() -> str:
    return "13" + f"{secrets.randbelow(10 ** 9):09d}"


@pytest.fixture
def address() -> str:
    return f"10.9.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}-{uuid.uuid4().hex[:6]}"


def last_code(db: Database, phone: str) -> str:
    """The code the dev sender 'texted' to `phone` last (what HQ's console shows)."""
    messages = sms.dev_messages(db, now(), phone)
    assert messages, f"no message to {phone}"
    return re.search(r"\b(\d{6})\b", messages[0]["text"]).group(1)


# --- a phone's browser (tests using it are slow; the fast lane skips them) -----------------------
from tests.sync.conftest import make_store, store_template  # noqa: E402,F401 (fixtures: a real till)

BROWSER_FIXTURES = {"browser", "phone_page"}


def pytest_collection_modifyitems(items):
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def browser():
    """The one Chromium of the test process (tests/web/browser.py): Playwright's sync API runs one
    instance at a time, so every face's tests share it whatever order they run in."""
    from tests.web.browser import chromium_path, shared_browser
    if chromium_path() is None:
        pytest.fail("no Chromium at /usr/bin/chromium: run scripts/setup.sh", pytrace=False)
    yield shared_browser()


@pytest.fixture
def phone_context_(browser, hq):  # noqa: F811
    from tests.mall.phone import phone_context
    context = phone_context(browser, hq.url)
    yield context
    context.close()


@pytest.fixture
def phone_page(phone_context_):
    page = phone_context_.new_page()
    page.set_default_timeout(20_000)
    return page
