"""A member's refused help message or label scan reads in the member's language: through the HTTP client,
against a real `hq-server serve` on SQLite and PostgreSQL, each refusal is the same page again with a
sentence in Simplified Chinese (the default) or English (the `lang` cookie) that says what went wrong
and what to do, and nothing is stored."""

from __future__ import annotations

import html
import uuid

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete, select

from hq_server import models as M
from hq_server.ledger.key_rows import BATCH
from hq_server.programme import address_book as A
from hq_server.programme import help_tickets as H
from hq_server.programme.member_signin import member_by_phone
from hq_server.programme.statement import home
from pos_app.domain import label_batches as LB
from tests.hq.wire_events import now
from tests.mall.label_photo import blank_photo
from tests.mall.test_mall_http import signed_in

# (Chinese, English): the sentence each language shows for a refusal (a part of it)
MESSAGE_TOO_LONG = ("请填写留言：纯文本，1 到 1000 字", "Write your message as plain text, 1 to 1,000 characters.")
NO_TOPIC = ("请选择留言类别", "Choose what your message is about.")
TOO_MANY = ("您今天的留言已达上限：客服会逐一回复，明天可以再留言",
            "You have sent as many messages as a day allows: customer service will answer them; "
            "you can write again tomorrow.")
UNREADABLE = ("没有识别到二维码：请在光线充足处靠近重拍", "No code could be read: take the photo again closer")
NOT_A_LABEL = ("这不是商品积分标签的二维码：请扫描标签上的二维码", "This is not a product label's QR code: scan the QR code")
FORGED = ("此标签不是本连锁发行的，不能领取积分", "This label was not issued by the chain: it earns no points.")
UNISSUED = ("总部没有此标签的记录：请联系客服", "This label is not in the chain's records: ask customer service.")
CLAIMED = ("此标签的积分已被领取（在商城或门店）", "This label already earned its points, here or at a store.")
YOURS = ("您已领取过此标签的积分", "This label already earned you its points.")


def phone() -> str:
    return "13" + f"{uuid.uuid4().int % 10 ** 9:09d}"


def member_of(db, number: str) -> str:
    with db.read() as conn:
        return member_by_phone(conn, number)


def says(response, words: tuple[str, str], lang: str) -> bool:
    """The page holds the sentence in `lang`, and not the other language's."""
    text = html.unescape(response.text)
    zh, en = words
    return (zh in text and en not in text) if lang == "zh" else (en in text and zh not in text)


def post_in(client, lang: str, path: str, **kw):
    client.cookies.set("lang", lang)
    return client.post(path, **kw)


@pytest.mark.parametrize("topic, message, status, words", [
    ("points", "x" * (H.MAX_MESSAGE + 1), 422, MESSAGE_TOO_LONG),
    ("points", "长" * (H.MAX_MESSAGE + 500), 422, MESSAGE_TOO_LONG),  # longer than the form takes
    ("points", "a\u200bb", 422, MESSAGE_TOO_LONG),
    ("lottery", "my points are missing", 422, NO_TOPIC),
    ("t" * 40, "my points are missing", 422, NO_TOPIC),  # longer than any topic the form offers
])
def test_a_bad_help_message_is_refused_on_the_form_in_both_languages(hq, db, topic, message, status, words):
    c, token = signed_in(hq, db, number := phone())
    member = member_of(db, number)
    for lang in ("zh", "en"):
        r = post_in(c, lang, "/m/help", data={"csrf": token, "topic": topic, "message": message})
        assert r.status_code == status and says(r, words, lang), (lang, r.status_code, r.text[-3000:])
        assert 'action="/m/help"' in r.text  # the form again, to put it right
    assert H.member_tickets(db, member) == []


def test_too_many_help_messages_in_a_day_are_refused_in_both_languages(hq, db):
    c, token = signed_in(hq, db, number := phone())
    member = member_of(db, number)
    for i in range(H.PER_DAY):
        H.open_ticket(db, member, topic="other", message=f"message {i}", now=now())
    for lang in ("zh", "en"):
        r = post_in(c, lang, "/m/help", data={"csrf": token, "topic": "points", "message": "one more, 还有一条"})
        assert r.status_code == 429 and says(r, TOO_MANY, lang), (lang, r.status_code)
        assert "one more, 还有一条</textarea>" in r.text  # what the member wrote is kept
    assert len(H.member_tickets(db, member)) == H.PER_DAY


@pytest.fixture
def batch(hq):
    return hq.label_batch(sku="TEA", count=4, prizes="28", name="乌龙茶")


def points(db, member: str) -> int:
    return home(db, member, now()).points


def credits_of(db, serial: str) -> list:
    ls = M.label_serials.c
    with db.read() as conn:
        return conn.execute(select(ls.serial, ls.member_id).where(ls.serial == serial)).all()


def test_a_bad_label_code_is_refused_in_both_languages_and_credits_nothing(hq, db, batch):
    c, token = signed_in(hq, db, number := phone())
    member = member_of(db, number)
    label = batch["labels"][0]
    forged = LB.label_payload("TEA", label["serial"], 28, Ed25519PrivateKey.generate())  # a key HQ never had
    cases = [("", UNREADABLE), ("   ", UNREADABLE), ("6901234567892", NOT_A_LABEL),
             ("PM1:L:" + "A" * 2000, NOT_A_LABEL),  # longer than any label
             (label["payload"][:60], ("标签二维码损坏或未完整识别：请重新扫描", "The label's code is damaged")),
             (forged, FORGED)]
    for text, words in cases:
        for lang in ("zh", "en"):
            r = post_in(c, lang, "/m/scan", data={"csrf": token, "code": text})
            assert r.status_code == 422 and says(r, words, lang), (text[:40], lang, r.status_code)
            assert 'id="scan-error"' in r.text  # the scan page again, to scan once more
    for lang in ("zh", "en"):
        r = post_in(c, lang, "/m/scan/photo", data={"csrf": token},
                    files={"photo": ("blank.jpg", blank_photo(), "image/jpeg")})
        assert r.status_code == 422 and says(r, UNREADABLE, lang), lang
    assert points(db, member) == 0 and credits_of(db, label["serial"]) == []


def test_a_label_hq_has_no_record_of_is_refused_in_both_languages(hq, db):
    lost = hq.label_batch(sku="TEA", count=1, prizes="38", name="乌龙茶")
    label = lost["labels"][0]
    with db.side_write() as conn:  # the batch lost from HQ's database: its labels are signed but unknown
        conn.execute(delete(M.settings).where(M.settings.c.key == BATCH + label["serial"].split("-", 1)[0]))
    c, token = signed_in(hq, db, number := phone())
    member = member_of(db, number)
    for lang in ("zh", "en"):
        r = post_in(c, lang, "/m/scan", data={"csrf": token, "code": label["payload"]})
        assert r.status_code == 422 and says(r, UNISSUED, lang), (lang, r.status_code)
    assert points(db, member) == 0 and credits_of(db, label["serial"]) == []


def test_a_serial_already_used_is_refused_in_both_languages(hq, db, batch):
    label = batch["labels"][1]
    first, first_token = signed_in(hq, db, first_phone := phone())
    assert first.post("/m/scan", data={"csrf": first_token, "code": label["payload"]}).status_code == 303
    owner = member_of(db, first_phone)
    c, token = signed_in(hq, db, number := phone())
    member = member_of(db, number)
    for lang in ("zh", "en"):
        r = post_in(c, lang, "/m/scan", data={"csrf": token, "code": label["payload"]})
        assert r.status_code == 409 and says(r, CLAIMED, lang), (lang, r.status_code)
        again = post_in(first, lang, "/m/scan", data={"csrf": first_token, "code": label["payload"]})
        assert again.status_code == 409 and says(again, YOURS, lang), (lang, again.status_code)
    assert points(db, member) == 0 and points(db, owner) == 28
    assert [tuple(x) for x in credits_of(db, label["serial"])] == [(label["serial"], owner)]


def test_an_address_too_short_for_the_address_book_says_what_to_write(hq, db):
    c, token = signed_in(hq, db, number := phone())
    member = member_of(db, number)
    words = ("请填写完整地址，5 到 200 个字", "Write the whole address, 5 to 200 characters.")
    for lang in ("zh", "en"):
        r = post_in(c, lang, "/m/addresses", data={"csrf": token, "name": "王芳", "phone": number, "address": "一号"})
        assert r.status_code == 422 and says(r, words, lang), (lang, r.status_code)
    assert A.addresses(db, member) == []


def test_an_address_that_is_not_a_page_says_so_in_both_languages(hq, db):
    c, _token = signed_in(hq, db, phone())
    for lang in ("zh", "en"):
        c.cookies.set("lang", lang)
        r = c.get("/m/no-such-page")
        assert r.status_code == 404 and says(r, ("没有这个页面", "There is no such page."), lang), lang
        r = c.get("/m/scan/done", params={"serial": "S" * 41})  # longer than any serial: not read
        assert r.status_code == 422 and says(r, ("无法读取此网址或表单：请返回后重试", "This address or form could not be read"),
                                             lang), lang


PHOTO_TOO_LARGE = ("提交的内容太大：照片最大 8 MB", "What you sent is too large: a photo can be at most 8 MB.")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_photo_over_the_body_limit_gets_the_malls_page_in_the_members_language(hq, db, lang):
    """A photo far over 8 MB is refused as its bytes arrive (hq_server.guards), before the scan page reads
    it: the member still gets the mall's page in their language, not the JSON API's problem."""
    c, token = signed_in(hq, db, phone(), lang)
    try:
        r = post_in(c, lang, "/m/scan/photo", data={"csrf": token},
                    files={"photo": ("huge.jpg", b"\xff" * (9 * 1024 * 1024), "image/jpeg")})
        assert r.status_code == 413 and r.headers["content-type"].startswith("text/html"), r.text[:300]
        assert says(r, PHOTO_TOO_LARGE, lang)
    finally:
        c.close()


def test_a_push_over_the_body_limit_is_still_the_json_problem(hq):
    r = httpx.post(hq.url + "/api/v1/sync/push", content=b"{" + b" " * (9 * 1024 * 1024) + b"}",
                   headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["code"] == "body_too_large"
