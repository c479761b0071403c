"""A phone in a real browser for the mall's tests and screenshots: Debian's Chromium (tests/web/browser.py)
at a phone's size, Chinese by default, its own client address; and the sign-up a member does on it."""

from __future__ import annotations

import re
import secrets

from hq_server.db import Database
from hq_server.programme import sms
from tests.hq.wire_events import now

PHONE_SIZE = {"width": 390, "height": 844}


def phone_context(browser, base_url: str, locale: str = "zh-CN"):
    context = browser.new_context(locale=locale, viewport=PHONE_SIZE, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, base_url=base_url)
    # a client address of its own: one test's SMS limits never hold up another's
    context.set_extra_http_headers({"X-Forwarded-For": f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}."
                                                       f"{secrets.randbelow(250)}"})
    if locale.startswith("en"):
        context.add_cookies([{"name": "lang", "value": "en", "url": base_url}])
    return context


def dev_code(db: Database, phone: str) -> str:
    text = sms.dev_messages(db, now(), phone)[0]["text"]
    return re.search(r"\b(\d{6})\b", text).group(1)


def sign_up(page, db: Database, phone: str, ref: str | None = None) -> None:
    """Phone number, the texted code (read from HQ's dev outbox, as the console shows it), signed in."""
    page.goto("/m/login" + (f"?ref={ref}" if ref else ""))
    page.fill("input[name=phone]", phone)
    page.click("#phone-form button[type=submit]")
    page.wait_for_selector("#code-form")
    page.fill("input[name=code]", dev_code(db, phone))
    page.click("#code-form button[type=submit]")
    page.wait_for_url("**/m/")


def member_code(page, timeout: float = 15_000) -> str:
    """The dynamic code the code page shows now (after it drew one)."""
    page.wait_for_function("document.querySelector('#qr[data-code^=\"PM1:D:\"]')", timeout=timeout)
    return page.get_attribute("#qr", "data-code")
