"""The mall on a phone (Debian's Chromium, 390x844) where the screenshots found it wrong: a photo too
large sent from the scan page's own form, words off-centre in a button, words against a button's edge."""

from __future__ import annotations

import uuid

import pytest

from hq_server.programme import stock
from hq_server.programme.audit import Actor
from hq_server.programme.catalogue import put_record
from tests.hq.wire_events import now
from tests.mall.phone import sign_up
from tests.mall.test_campaigns import give_points, member_of

# Where the words of an element sit in its box: their rectangle (a Range over its contents) against the
# element's, in CSS px.
WORDS_IN_BOX = """e => { const r = document.createRange(); r.selectNodeContents(e);
  const w = r.getBoundingClientRect(), b = e.getBoundingClientRect();
  return {left: w.left - b.left, right: b.right - w.right, top: w.top - b.top, bottom: b.bottom - w.bottom}; }"""

# The vertical centres of an element's icon and of its words (its last text node), in CSS px.
ICON_AND_WORDS = """e => { const i = e.querySelector('svg').getBoundingClientRect();
  const r = document.createRange(); r.selectNodeContents([...e.childNodes].filter(n => n.nodeType === 3).pop());
  const w = r.getBoundingClientRect(); return [(i.top + i.bottom) / 2, (w.top + w.bottom) / 2]; }"""


@pytest.mark.parametrize("lang, title, again", [("zh", "照片太大", "重新选择照片"),
                                                ("en", "Photo too large", "Choose another photo")])
def test_a_photo_too_large_sent_by_the_scan_page_leads_back_to_it(hq, db, phone, phone_page, lang, title, again):
    """A 9 MB file the page cannot make smaller (its browser cannot draw it: a HEIC, say) goes as it is; HQ
    refuses it as its bytes arrive and the member reads, in their language, what to do, with the button
    that does it."""
    page = phone_page
    sign_up(page, db, phone)
    page.context.add_cookies([{"name": "lang", "value": lang, "url": hq.url}])
    page.goto("/m/scan")
    with page.expect_navigation(url="**/m/scan/photo") as sent:
        page.set_input_files("#photo", files=[{"name": "IMG_2042.HEIC", "mimeType": "image/heic",
                                               "buffer": b"\xff" * (9 * 1024 * 1024)}])
    assert sent.value.status == 413
    assert page.inner_text("h1") == title
    assert page.inner_text("#error-back") == again
    page.click("#error-back")
    page.wait_for_url("**/m/scan")
    assert page.is_visible("#photo-label")


def test_an_addresses_edit_and_delete_buttons_centre_their_words(hq, db, phone, phone_page):
    page = phone_page
    sign_up(page, db, phone)
    page.goto("/m/addresses/new")
    page.fill("input[name=name]", "李娜")
    page.fill("input[name=phone]", "13912345678")
    page.fill("textarea[name=address]", "上海市徐汇区漕溪北路 88 号 12 楼")
    page.click("#address-form button[type=submit]")
    page.wait_for_url("**/m/addresses")
    edit = page.locator(".addr-actions a").evaluate(WORDS_IN_BOX)
    delete = page.locator(".addr-actions button").evaluate(WORDS_IN_BOX)
    for words in (edit, delete):
        assert abs(words["top"] - words["bottom"]) <= 2, (edit, delete)  # centred top to bottom
    assert abs(edit["top"] - delete["top"]) <= 1, (edit, delete)  # side by side, on one line
    # the icon of "Add an address" sits level with its words, not above them
    icon, words = page.locator("a.button.block[href^='/m/addresses/new']").evaluate(ICON_AND_WORDS)
    assert abs(icon - words) <= 2, (icon, words)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_ways_to_get_a_gift_keep_their_words_off_the_edge(hq, db, phone, phone_page, lang):
    page = phone_page
    gift, store_id = f"G-{uuid.uuid4().hex[:8]}", f"s-{uuid.uuid4().hex[:8]}"
    hq.create_store(store_id, "南京路旗舰店")
    put_record(db, type_="gift", key=gift, now=now(), data={"name": "不锈钢保温杯", "points_cost": 180,
                                                           "image": "/m/pictures/GIFT-CUP.png"})
    for location in (store_id, "hq"):
        stock.allot_stock(db, Actor("op-chips", "operator"), gift_id=gift, location=location, qty=2, now=now())
    sign_up(page, db, phone)
    give_points(hq, store_id, member_of(db, phone), 500)
    page.context.add_cookies([{"name": "lang", "value": lang, "url": hq.url}])
    page.goto(f"/m/gift/{gift}")
    chips = page.locator(".chip span")
    assert chips.count() == 2
    for i in range(2):
        words = chips.nth(i).evaluate(WORDS_IN_BOX)
        assert min(words["left"], words["right"]) >= 8, (lang, i, words)  # not against the pill's rim
    heights = [chips.nth(i).bounding_box()["height"] for i in range(2)]
    assert abs(heights[0] - heights[1]) <= 1, (lang, heights)  # side by side, each on one line
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 360, "height": 740})  # a small phone: still one line each
    assert abs(chips.nth(0).bounding_box()["height"] - chips.nth(1).bounding_box()["height"]) <= 1, lang
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
