"""What a member reads on the phone, in both languages, where the screenshots found it wrong: an error page
that says what to do and has the button that does it (a photo too large, HQ busy for a moment), one friend
who is "1 person", the game's clock in the page's language."""

from __future__ import annotations

import html
import re

import pytest
from starlette.requests import Request

from hq_server.mall.pages import PAGES
from hq_server.web import faces
from tests.hq.wire_events import FakeDevice
from tests.mall.test_campaigns import _ticket, game, member_of  # noqa: F401 (the game fixture)
from tests.mall.test_coupons_and_team import register_under
from tests.mall.test_mall_http import signed_in

PHOTO = 9 * 1024 * 1024  # over HQ's 8 MB body limit: refused as its bytes arrive
TITLE = {"zh": "照片太大", "en": "Photo too large"}
ANOTHER_PHOTO = {"zh": "重新选择照片", "en": "Choose another photo"}


def way_back(page: str) -> tuple[str, str] | None:
    """The error page's first button (href, words), or None."""
    found = re.search(r'<a class="button block" id="error-back" href="([^"]*)">([^<]*)</a>', page)
    return (html.unescape(found.group(1)), found.group(2)) if found else None


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_photo_too_large_leads_back_to_the_scan_page_to_choose_another(hq, db, phone, lang):
    c, token = signed_in(hq, db, phone, lang)
    try:
        r = c.post("/m/scan/photo", data={"csrf": token}, headers={"Referer": f"{hq.url}/m/scan"},
                   files={"photo": ("IMG_2042.HEIC", b"\xff" * PHOTO, "image/heic")})
        assert r.status_code == 413 and r.headers["content-type"].startswith("text/html"), r.text[:300]
        assert f"<h1>{TITLE[lang]}</h1>" in r.text, r.text[:600]
        assert way_back(r.text) == ("/m/scan", ANOTHER_PHOTO[lang])
        assert 'href="/m/">' in r.text  # the mall's home stays one tap away
    finally:
        c.close()


def test_the_error_page_goes_back_only_to_a_mall_page_of_this_site(hq, db, phone):
    c, _token = signed_in(hq, db, phone)
    try:
        bad = "/m/statement?start=not-a-day"
        r = c.get(bad, headers={"Referer": f"{hq.url}/m/statement?dir=in"})
        assert r.status_code == 422 and way_back(r.text) == ("/m/statement?dir=in", "返回上一页")
        for referer in ("https://evil.example/m/statement", f"{hq.url}/console/", f"{hq.url}{bad}",
                        f"{hq.url}//evil.example/m/x", "", f"{hq.url}/m/"):
            r = c.get(bad, headers={"Referer": referer} if referer else {})
            assert r.status_code == 422 and way_back(r.text) is None, referer
            assert '<a class="button block" href="/m/">' in r.text  # then the mall's home is the one button
    finally:
        c.close()


def _request(method: str, path: str, query: str = "", lang: str = "zh", referer: str | None = None) -> Request:
    headers = [(b"host", b"hq.example"), (b"cookie", f"lang={lang}".encode())]
    if referer:
        headers.append((b"referer", referer.encode()))
    return Request({"type": "http", "method": method, "path": path, "raw_path": path.encode(),
                    "query_string": query.encode(), "headers": headers, "server": ("hq.example", 80),
                    "scheme": "http", "root_path": ""})


@pytest.mark.parametrize("lang, title, again, back", [("zh", "系统繁忙", "重试", "返回上一页"),
                                                      ("en", "Busy for a moment", "Try again", "Go back")])
def test_the_busy_page_offers_the_page_again_or_the_form_back(lang, title, again, back):
    """HQ's 503 page when its database is away for a moment (errors.answer -> faces.problem_page): a page
    asked for is one tap from asking again; a form sent goes back to the form (nothing was changed)."""
    got = faces._error_page(_request("GET", "/m/statement", "dir=in", lang), PAGES, 503, "database_unavailable",
                            "HQ lost its database connection; retry")
    page = got.body.decode()
    assert got.status_code == 503 and f"<h1>{title}</h1>" in page
    assert way_back(page) == ("/m/statement?dir=in", again)
    got = faces._error_page(_request("POST", "/m/donate", lang=lang, referer="http://hq.example/m/donate"), PAGES,
                            503, "database_unavailable", "HQ lost its database connection; retry")
    assert way_back(got.body.decode()) == ("/m/donate", back)


@pytest.mark.parametrize("lang, one, not_this", [("zh", "1 人", None), ("en", "1 person", "1 people")])
def test_one_invited_friend_is_one_person(hq, db, phone, store_id, lang, one, not_this):
    c, _token = signed_in(hq, db, phone, lang)
    try:
        register_under(FakeDevice(hq, store_id), member_of(db, phone))
        for path in ("/m/team", "/m/team/agent?level=1"):
            page = c.get(path).text
            assert one in page, path
            assert not_this is None or not_this not in page, path
    finally:
        c.close()


@pytest.mark.parametrize("lang, unit", [("zh", " 秒"), ("en", "s")])
def test_the_game_s_clock_counts_seconds_in_the_page_s_language(hq, db, phone, game, lang, unit):  # noqa: F811
    c, token = signed_in(hq, db, phone, lang)
    try:
        r = c.post("/m/game/start", data={"csrf": token})
        page = c.get(r.headers["location"]).text
        assert _ticket(page)
        assert re.search(r'<strong id="clock">\d+</strong>' + re.escape(unit) + "</span>", page), page[:2000]
    finally:
        c.close()
