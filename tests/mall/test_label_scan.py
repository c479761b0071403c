"""Scanning a product label in the mall, through the HTTP client against a real `hq-server serve` (SQLite
and PostgreSQL): the code's text (read by the phone) or a photo (read at HQ) credits the label's drawn
points once chain-wide; a label a till credited is refused, a label the mall credited is refused by a
till (it pulls the claim) and a till's later offline claim of it is reversed; every refusal says why
and changes nothing."""

from __future__ import annotations

import threading
import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from hq_server import models as M
from hq_server.programme.audit import Actor
from hq_server.programme.member_care import freeze, unfreeze
from hq_server.programme.member_signin import member_by_phone
from hq_server.programme.statement import home
from pos_app.domain import label_batches as LB
from tests.hq.wire_events import FakeDevice, now
from tests.mall.label_photo import blank_photo, label_photo
from tests.mall.test_mall_http import form_token, signed_in


def _member(db, phone: str) -> str:
    with db.read() as conn:
        return member_by_phone(conn, phone)


def points(db, member_id: str) -> int:
    return home(db, member_id, now()).points


def label_events(db, serial: str) -> list:
    e = M.events.c
    with db.read() as conn:
        return conn.execute(select(e.event_id, e.store_id, e.member_id, e.status).where(
            e.kind == "label_earn", e.payload.contains(serial))).all()


def other_phone() -> str:
    return "15" + f"{uuid.uuid4().int % 10 ** 9:09d}"


@pytest.fixture
def batch(hq):
    return hq.label_batch(sku="TEA", count=6, prizes="8:40,28:30,38:10,48:10,68:10", name="乌龙茶")


def test_a_scanned_label_credits_its_drawn_points_once(hq, db, phone, batch):
    c, token = signed_in(hq, db, phone)
    member_id = _member(db, phone)
    label = batch["labels"][0]
    before = points(db, member_id)
    r = c.post("/m/scan", data={"csrf": token, "code": label["payload"]})
    assert r.status_code == 303 and r.headers["location"] == f"/m/scan/done?serial={label['serial']}", r.text
    page = c.get(r.headers["location"])
    assert page.status_code == 200 and f"+{label['points']}" in page.text and "乌龙茶" in page.text
    assert label["points"] in (8, 28, 38, 48, 68)
    assert points(db, member_id) == before + label["points"]
    [event] = label_events(db, label["serial"])
    assert (event.store_id, event.member_id, event.status) == ("hq", member_id, "applied")
    with db.read() as conn:  # the serial is claimed chain-wide, as a till's scan claims it
        claim = conn.execute(select(M.label_serials).where(M.label_serials.c.serial == label["serial"])).first()
    assert claim.member_id == member_id and claim.points == label["points"]

    again = c.post("/m/scan", data={"csrf": token, "code": label["payload"]})
    assert again.status_code == 409 and "您已领取过此标签的积分" in again.text
    friend, friend_token = signed_in(hq, db, other_phone())
    theirs = friend.post("/m/scan", data={"csrf": friend_token, "code": label["payload"]})
    assert theirs.status_code == 409 and "此标签的积分已被领取" in theirs.text
    assert points(db, member_id) == before + label["points"] and len(label_events(db, label["serial"])) == 1
    # the result page is the member's own: another member's look at the serial is not found
    assert friend.get(f"/m/scan/done?serial={label['serial']}").status_code == 404


def test_a_photo_of_the_label_is_read_at_hq(hq, db, phone, batch):
    c, token = signed_in(hq, db, phone)
    member_id = _member(db, phone)
    label = batch["labels"][1]
    before = points(db, member_id)
    r = c.post("/m/scan/photo", data={"csrf": token},
               files={"photo": ("IMG_0001.jpg", label_photo(label["payload"]), "image/jpeg")})
    assert r.status_code == 303 and r.headers["location"].endswith(label["serial"]), r.text
    assert points(db, member_id) == before + label["points"]


@pytest.mark.parametrize("photo, status, words", [
    (blank_photo(), 422, "没有识别到二维码"),
    (b"%PDF-1.4 not a picture at all", 422, "该文件不是照片"),
    (b"", 422, "该文件不是照片"),
])
def test_a_photo_without_a_label_is_refused(hq, db, phone, photo, status, words):
    c, token = signed_in(hq, db, phone)
    member_id = _member(db, phone)
    r = c.post("/m/scan/photo", data={"csrf": token}, files={"photo": ("x.jpg", photo, "image/jpeg")})
    assert r.status_code == status and words in r.text
    assert points(db, member_id) == 0


def test_a_photo_over_the_limit_is_refused_before_it_is_read(hq, db, phone):
    c, token = signed_in(hq, db, phone)
    r = c.post("/m/scan/photo", data={"csrf": token}, files={"photo": ("big.jpg", b"\xff" * (9 * 1024 * 1024),
                                                                        "image/jpeg")})
    assert r.status_code == 413
    assert points(db, _member(db, phone)) == 0


def test_codes_that_are_not_a_good_label_are_refused_and_change_nothing(hq, db, phone, batch):
    c, token = signed_in(hq, db, phone)
    member_id = _member(db, phone)
    label = batch["labels"][2]
    forged = LB.label_payload("TEA", label["serial"], 68, Ed25519PrivateKey.generate())
    body = label["payload"][6:]
    flip = "A" if body[20] != "A" else "B"
    tampered = "PM1:L:" + body[:20] + flip + body[21:]
    cases = [(forged, 422, "此标签不是本连锁发行的"), (tampered, 422, "此标签不是本连锁发行的"),
             (label["payload"][:60], 422, "标签二维码损坏"), ("PM1:M:123456789012", 422, "这不是商品积分标签的二维码"),
             ("6901234567892", 422, "这不是商品积分标签的二维码"), ("", 422, "没有识别到二维码"),
             ("PM1:L:" + "A" * 2000, 422, "")]
    for text, status, words in cases:
        r = c.post("/m/scan", data={"csrf": token, "code": text})
        assert r.status_code == status and words in r.text, (text, r.status_code)
    assert points(db, member_id) == 0 and label_events(db, label["serial"]) == []


def test_a_label_a_till_credited_is_refused_in_the_mall(hq, db, phone, batch, store_id):
    label = batch["labels"][3]
    till = FakeDevice(hq, store_id)
    shopper = str(uuid.uuid4())
    answers = till.push([till.register(shopper, other_phone()), till.label_earn(shopper, label["serial"],
                                                                                  label["points"])]).json()["answers"]
    assert [a["status"] for a in answers] == ["ok", "ok"]
    c, token = signed_in(hq, db, phone)
    r = c.post("/m/scan", data={"csrf": token, "code": label["payload"]})
    assert r.status_code == 409 and "此标签的积分已被领取" in r.text
    assert points(db, _member(db, phone)) == 0 and len(label_events(db, label["serial"])) == 1


def test_a_label_the_mall_credited_is_pulled_by_the_tills_and_a_later_offline_claim_is_reversed(
        hq, db, phone, batch, store_id):
    label = batch["labels"][4]
    c, token = signed_in(hq, db, phone)
    assert c.post("/m/scan", data={"csrf": token, "code": label["payload"]}).status_code == 303
    till = FakeDevice(hq, store_id)
    items, _ = till.pull_all()
    claims = [i for i in items if i["type"] == "label_claim" and i["key"] == label["serial"]]
    assert claims and claims[-1]["data"]["member_id"] == _member(db, phone)  # a till refuses it from now on
    # a till that scanned it offline before it pulled: its claim came later, so it loses (merge rule 2)
    shopper = str(uuid.uuid4())
    late = till.label_earn(shopper, label["serial"], label["points"])
    answers = till.push([till.register(shopper, other_phone()), late]).json()["answers"]
    assert [a["status"] for a in answers] == ["ok", "ok"]
    statuses = {e.event_id: e.status for e in label_events(db, label["serial"])}
    assert statuses[late["event_id"]] == "duplicate_serial"
    assert points(db, shopper) == 0 and points(db, _member(db, phone)) == label["points"]


def test_a_double_tap_credits_once(hq, db, phone, batch):
    c, token = signed_in(hq, db, phone)
    label = batch["labels"][5]
    answers = []

    def tap():
        answers.append(c.post("/m/scan", data={"csrf": token, "code": label["payload"]}).status_code)

    taps = [threading.Thread(target=tap) for _ in range(3)]
    for t in taps:
        t.start()
    for t in taps:
        t.join()
    assert sorted(answers) == [303, 409, 409]
    assert points(db, _member(db, phone)) == label["points"] and len(label_events(db, label["serial"])) == 1


def test_a_frozen_member_scans_nothing_and_a_stale_form_changes_nothing(hq, db, phone):
    label = hq.label_batch(sku="TEA", count=1, prizes="38")["labels"][0]
    c, token = signed_in(hq, db, phone)
    member_id = _member(db, phone)
    assert c.post("/m/scan", data={"csrf": "forged", "code": label["payload"]}).status_code == 403
    assert c.post("/m/scan", data={"code": label["payload"]}).status_code == 403
    freeze(db, Actor("cs-test", "admin"), member_id, "checking a complaint", now())
    r = c.post("/m/scan", data={"csrf": token, "code": label["payload"]})
    assert r.status_code == 403 and "您的账户已被冻结" in r.text
    assert points(db, member_id) == 0 and label_events(db, label["serial"]) == []
    unfreeze(db, Actor("cs-test", "admin"), member_id, now())
    assert c.post("/m/scan", data={"csrf": token, "code": label["payload"]}).status_code == 303
    assert points(db, member_id) == 38


def test_the_scan_pages_need_a_session(hq):
    from tests.mall.test_mall_http import browser_like
    c = browser_like(hq)
    assert c.get("/m/scan").headers["location"] == "/m/login?next=/m/scan"
    r = c.post("/m/scan", data={"code": "PM1:L:X"})
    assert r.status_code == 303 and r.headers["location"].startswith("/m/login")
    with_token = form_token(c.get("/m/login").text)
    assert c.post("/m/scan/photo", data={"csrf": with_token}, files={"photo": ("x.jpg", b"x", "image/jpeg")}
                  ).status_code == 303


def test_the_english_scan_page(hq, db, phone):
    c, _ = signed_in(hq, db, phone, lang="en")
    html = c.get("/m/scan").text
    assert "Take a photo of the label" in html and 'capture="environment"' in html




def test_a_real_till_refuses_a_label_the_mall_credited_once_it_pulls(hq, db, phone, make_store):
    from pos_app.domain.problems import Refused
    from pos_app.services.scan import ScannedLabel, resolve_scan
    from pos_app.sync.cycle import sync_once

    first, second = hq.label_batch(sku="TEA", count=2, prizes="28")["labels"]
    till = make_store("till", demo=False)
    assert not sync_once(till.db).pulled.problems  # the label keys: the till trusts HQ's labels
    assert isinstance(resolve_scan(till, first["payload"]), ScannedLabel)
    c, token = signed_in(hq, db, phone)
    assert c.post("/m/scan", data={"csrf": token, "code": first["payload"]}).status_code == 303
    assert not sync_once(till.db).pulled.problems  # the mall's claim of the serial reaches the till
    with pytest.raises(Refused) as err:
        resolve_scan(till, first["payload"])
    assert "label.claimed" in err.value.codes
    assert isinstance(resolve_scan(till, second["payload"]), ScannedLabel)  # another label still earns
