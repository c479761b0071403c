"""The mall in a real browser at a phone's size (Debian's Chromium, 390x844): a member registers, the
page makes a key in the browser (WebCrypto Ed25519) and shows the dynamic member code, which keeps
working with the phone offline (the service worker); and a till (the store app's services and sync over
a real HQ) verifies the browser-made code with HQ out of reach."""

from __future__ import annotations

import pytest

from hq_server.label_keys import member_key
from hq_server.programme.member_signin import member_by_phone
from pos_app.domain import codes as C
from pos_app.domain import presence as P
from pos_app.domain.problems import Refused
from pos_app.services.scan import ScannedMember, resolve_scan
from pos_app.sync.cycle import client_for, sync_once
from pos_app.sync.lookup import fetch_member
from tests.hq.wire_events import now
from tests.mall.phone import member_code, sign_up


def hq_checks(db, member_id: str, code: str) -> C.DynamicMemberCode:
    """HQ's own check of a code (the one it applies to a till's proof): the member's key as HQ holds it."""
    with db.read() as conn:
        key = member_key(conn, member_id)
    seen = P.check_dynamic_code(code, member_id, bytes.fromhex(key["public_key"]))
    assert not isinstance(seen, str), seen
    assert C.step_fresh(seen.step, now()) is None
    return seen


def test_a_member_registers_and_the_member_code_works_offline(hq, db, phone_page, phone_context_, phone):
    page = phone_page
    sign_up(page, db, phone)
    assert "0" in page.inner_text(".points-card .num")
    page.click("a.tab-code")  # one tap from the home page
    page.wait_for_url("**/m/code")
    first = member_code(page)
    with db.read() as conn:
        member_id = member_by_phone(conn, phone)
    hq_checks(db, member_id, first)
    assert page.is_visible("#countdown")
    # the card code is the fallback, one tap away
    page.click("#tab-card")
    page.wait_for_function("document.querySelector('#qr').dataset.code.startsWith('PM1:M:')")
    page.click("#tab-dynamic")
    member_code(page)

    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now under the worker, which keeps a copy of the page
    member_code(page)
    phone_context_.set_offline(True)
    page.reload()
    offline = member_code(page)
    assert page.is_visible("#offline-note")
    assert hq_checks(db, member_id, offline).member_id == member_id
    page.goto("/m/statement")  # any other page offline: the offline page, a tap from the code
    assert "当前没有网络" in page.inner_text("main") and page.is_visible("a[href='/m/code']")


def test_a_till_verifies_the_browser_made_member_code_with_hq_out_of_reach(hq, db, phone_page, phone, make_store):
    page = phone_page
    sign_up(page, db, phone)
    page.goto("/m/code")
    code = member_code(page)
    till = make_store("till", demo=False)
    report = sync_once(till.db)  # pulls the member's phone key (a chain-wide item)
    assert not report.pulled.problems, report.pulled.problems
    member_id = fetch_member(till.db, client_for(till.db), phone)  # the cashier typed the phone once, online
    hq.kill()
    try:
        found = resolve_scan(till, code)
        assert isinstance(found, ScannedMember) and found.member.member_id == member_id and found.member_code_ok
        with pytest.raises(Refused) as err:
            resolve_scan(till, code)  # the same code twice: a screenshot of the screen does not work
        assert "scan.replayed" in err.value.codes
    finally:
        hq.start()



def test_the_first_pages_weigh_under_200_kb_over_the_wire(hq, db, browser, phone):
    """DESIGN.md 12: the sign-in page a new member opens from the counter's QR code, and the home page
    after it, each on a phone with an empty cache: everything the browser fetched (the service worker's
    downloads included) under 200 KB."""
    from tests.mall.phone import phone_context
    first = phone_context(browser, hq.url)
    sign_up(first.new_page(), db, phone)
    session = [c for c in first.cookies() if c["name"] == "pm_member"]
    first.close()
    weights = {}
    for path, cookies in (("/m/login", []), ("/m/", session)):
        context = phone_context(browser, hq.url)  # a new one: nothing cached
        if cookies:
            context.add_cookies(cookies)
        fetched = []
        context.on("requestfinished", lambda request: fetched.append(request))
        page = context.new_page()
        page.goto(path)
        page.wait_for_load_state("networkidle")
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.wait_for_load_state("networkidle")
        weights[path] = sum(r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"] for r in fetched)
        assert page.url.endswith(path)
        context.close()
    print("first load bytes:", weights)
    assert all(20 * 1024 < w <= 200 * 1024 for w in weights.values()), weights
