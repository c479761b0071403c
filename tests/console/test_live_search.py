"""Lists follow the search box (htmx): the server answers htmx with the list's block alone
(jinja2-fragments), a browser updates the table in place and the address follows; without
JavaScript the same form is a plain GET."""

from __future__ import annotations

from tests.console.client import Console
from tests.console.test_members_page import a_member


def test_htmx_gets_the_list_alone(web_hq, store_id):
    _m, phone, _name, till = a_member(web_hq, store_id)
    with Console(web_hq) as admin:
        part = admin.get("/console/members", params={"q": phone},
                         headers={"HX-Request": "true", "HX-Target": "results"})
        assert part.status_code == 200 and part.text.startswith('<div id="results">')
        assert "<html" not in part.text and phone in part.text
        whole = admin.get("/console/members", params={"q": phone})
        assert whole.text.startswith("<!doctype html>") and 'hx-target="#results"' in whole.text
    till.close()


def test_typing_updates_the_table_in_place(signed_in_page, web_hq, store_id):
    page = signed_in_page
    _m, phone, name, till = a_member(web_hq, store_id)
    page.goto("/console/members")
    page.evaluate("window.stillHere = true")  # gone if the page reloads
    page.fill("input[name=q]", phone[:9])
    page.wait_for_url(f"**/console/members?q={phone[:9]}**")
    page.wait_for_selector(f"#results >> text={name}")
    assert page.evaluate("window.stillHere") is True
    till.close()
