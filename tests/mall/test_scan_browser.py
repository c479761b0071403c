"""Scanning a label in a real browser at a phone's size (Debian's Chromium, 390x844): the member takes a
photo of a label; Chromium on Linux has no BarcodeDetector, so the page makes the photo smaller and HQ
reads it; where the browser reads codes itself (a BarcodeDetector, stood in for here as Chrome on
Android has it) only the code's text goes to HQ. Either way the prize drawn shows."""

from __future__ import annotations

import json

from hq_server.programme.member_signin import member_by_phone
from hq_server.programme.statement import home
from tests.hq.wire_events import now
from tests.mall.label_photo import label_photo
from tests.mall.phone import sign_up


def _posts(page) -> list[tuple[str, int]]:
    sent: list[tuple[str, int]] = []
    page.on("request", lambda r: sent.append((r.url.split("/m/", 1)[1], len(r.post_data_buffer or b"")))
            if r.method == "POST" else None)
    return sent


def test_a_photo_of_a_label_is_made_smaller_read_at_hq_and_shows_the_prize(hq, db, phone_page, phone):
    page = phone_page
    sign_up(page, db, phone)
    label = hq.label_batch(sku="TEA", count=1, prizes="48", name="乌龙茶")["labels"][0]
    photo = label_photo(label["payload"], size=(4000, 3000), qr_px=700)
    page.click("a.svc-scan")  # from the home page's services
    page.wait_for_url("**/m/scan")
    sent = _posts(page)
    page.set_input_files("#photo", files=[{"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": photo}])
    page.wait_for_url("**/m/scan/done?serial=*")
    assert page.inner_text("#prize-points") == "+48"
    assert "乌龙茶" in page.inner_text("#prize")
    [(path, size)] = sent
    assert path == "scan/photo" and size < len(photo) / 2, (size, len(photo))  # shrunk before it went
    with db.read() as conn:
        member_id = member_by_phone(conn, phone)
    assert home(db, member_id, now()).points == 48
    page.click("text=继续扫码")
    page.set_input_files("#photo", files=[{"name": "IMG_2042.jpg", "mimeType": "image/jpeg", "buffer": photo}])
    page.wait_for_selector("#scan-error")
    assert "您已领取过此标签的积分" in page.inner_text("#scan-error")
    assert home(db, member_id, now()).points == 48


def test_where_the_browser_reads_the_code_only_its_text_goes_to_hq(hq, db, phone_page, phone):
    page = phone_page
    label = hq.label_batch(sku="TEA", count=1, prizes="68")["labels"][0]
    # Chrome on Android's BarcodeDetector, stood in for: it reads the photo's QR code as the label's text
    page.add_init_script("window.BarcodeDetector = class { constructor(o) { this.o = o; } "
                         "static getSupportedFormats() { return Promise.resolve(['qr_code']); } "
                         f"detect() {{ return Promise.resolve([{{rawValue: {json.dumps(label['payload'])}, "
                         "format: 'qr_code'}]); } };")
    sign_up(page, db, phone)
    page.goto("/m/scan")
    assert page.is_visible("#live-start")  # the live camera is offered where codes are read in the browser
    sent = _posts(page)
    page.set_input_files("#photo", files=[{"name": "a.jpg", "mimeType": "image/jpeg",
                                           "buffer": label_photo(label["payload"])}])
    page.wait_for_url("**/m/scan/done?serial=*")
    assert page.inner_text("#prize-points") == "+68"
    assert [p for p, _ in sent] == ["scan"]
