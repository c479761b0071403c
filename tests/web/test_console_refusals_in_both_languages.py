"""The console's refusals that were English only: a label batch's bad input beside its field, and a use
case's refusal on the error page (what went wrong and what to do, whatever its own sentence says), in
Simplified Chinese (the default) and English (the `lang` cookie), on SQLite and PostgreSQL through the
HTTP client; nothing is stored."""

from __future__ import annotations

import html
import uuid

import pytest

from tests.console.client import Console
from tests.console.test_members_page import a_member


def in_lang(console: Console, lang: str) -> Console:
    console.http.cookies.set("lang", lang)
    return console


def says(response, words: tuple[str, str], lang: str) -> bool:
    """The page holds the sentence in `lang`, and not the other language's."""
    text = html.unescape(response.text)
    zh, en = words
    return (zh in text and en not in text) if lang == "zh" else (en in text and zh not in text)


def batches(web_hq) -> list[str]:
    return sorted(b["batch"] for b in web_hq.admin("GET", "/label-batches").json())


@pytest.mark.parametrize("typed, words", [
    ({"sku": "has space"}, ("SKU：须为 1 到 32 个字节，不含空格", "sku: a SKU is 1 to 32 bytes, without spaces")),
    ({"name": "名" * 41}, ("名称：商品名称须为 1 到 40 个可打印字符", "name: the product's name is 1 to 40 printable characters")),
    ({"count": "0"}, ("数量：每批标签为 1 到 100,000 张", "count: a batch has 1 to 100,000 labels")),
    ({"count": "3 labels"}, ("标签数量须为整数", "how many labels: a whole number")),
    ({"prizes": "8:50,big"}, ("奖项：填写“积分”或以逗号分隔的“积分:权重”", "prizes: POINTS, or POINTS:WEIGHT separated by commas")),
])
def test_a_bad_label_batch_is_refused_beside_its_field_in_both_languages(web_hq, staff_user, typed, words):
    before = batches(web_hq)
    with Console(web_hq, *staff_user("operator")) as op:
        for lang in ("zh", "en"):
            form = {"sku": "TEA", "name": "乌龙茶", "count": "3", "prizes": "8:1,28:2", **typed}
            r = in_lang(op, lang).post("/console/programme/labels", form)
            assert r.status_code == 422 and 'class="field-error"' in r.text and says(r, words, lang), (lang, r.text[-2000:])
    assert batches(web_hq) == before


def test_freezing_twice_and_a_bad_decision_say_what_to_do_in_both_languages(web_hq, staff_user):
    member, *_rest, till = a_member(web_hq, f"s-{uuid.uuid4().hex[:10]}", points=30)
    not_frozen = ("该会员未被冻结：未做任何更改", "This member is not frozen: nothing was changed.")
    frozen = ("该会员已被冻结：未做任何更改", "This member is frozen already: nothing was changed.")
    decision = ("请选择批准或拒绝", "approve or refuse")
    with Console(web_hq, *staff_user("customer_service")) as cs:
        for lang in ("zh", "en"):
            r = in_lang(cs, lang).post(f"/console/members/{member}/unfreeze")
            assert r.status_code == 409 and says(r, not_frozen, lang), (lang, r.status_code)
            r = cs.post("/console/members/approvals/no-such-approval", {"decision": "maybe"})
            assert r.status_code == 422 and says(r, decision, lang), (lang, r.status_code)
        assert cs.post(f"/console/members/{member}/freeze", {"freeze_reason": "a complaint"}).status_code == 303
        for lang in ("zh", "en"):
            r = in_lang(cs, lang).post(f"/console/members/{member}/freeze", {"freeze_reason": "second-freeze-q7"})
            assert r.status_code == 409 and says(r, frozen, lang), (lang, r.status_code)
        page = in_lang(cs, "en").get(f"/console/members/{member}")
        assert "a complaint" in page.text and "second-freeze-q7" not in page.text  # the second freeze stored nothing
    till.close()


def test_a_bad_user_beside_its_field_and_unlocking_an_unlocked_user_in_both_languages(web_hq):
    name = f"cs-{uuid.uuid4().hex[:8]}"
    long_name = ("用户名须为 1 到 36 个可打印字符，首尾不能有空格",
                 "the username must be 1 to 36 printable characters, without spaces around it")
    not_locked = ("该用户未被锁定：未做任何更改", "This user is not locked: nothing was changed.")
    with Console(web_hq) as admin:
        for lang in ("zh", "en"):
            user = {"new": "1", "username": "u" * 37, "role": "finance", "password": "pw-0123456789", "active": "1"}
            r = in_lang(admin, lang).post("/console/users/save", user)
            assert r.status_code == 422 and says(r, long_name, lang), (lang, r.status_code)
        assert web_hq.admin("PUT", f"/users/{name}", json={"role": "finance", "password": "pw-0123456789"}
                            ).status_code == 200
        for lang in ("zh", "en"):
            r = in_lang(admin, lang).post(f"/console/users/{name}/unlock")
            assert r.status_code == 409 and says(r, not_locked, lang), (lang, r.status_code)
        assert "u" * 37 not in admin.get("/console/users", params={"q": "uuuu"}).text


def test_a_sentence_with_values_the_catalogue_cannot_hold_is_set_in_the_readers_language(web_hq, staff_user):
    """A domain check's sentence with its figures (withdrawal policies) is said again in the reader's
    language; a fixed sentence (a charity's missing name) reads in Chinese as it is."""
    from hq_server.db import Database
    from hq_server.programme.withdrawals import point_policies
    db = Database(web_hq.db_url)
    before = point_policies(db)
    key = f"c-{uuid.uuid4().hex[:8]}"
    check = ("消费积分，单笔最少积分：须为不小于 1 的整数",
             "Consumer points, Least points a withdrawal: must be a whole number from 1 to")
    with Console(web_hq, *staff_user("operator")) as op:
        for lang in ("zh", "en"):
            policies = {"consumer.withdraw": "yes", "consumer.min_withdraw_points": "0",
                        "consumer.fen_per_100_points": "1"}
            r = in_lang(op, lang).post("/console/programme/point-types/policies", policies)
            assert r.status_code == 422 and says(r, check, lang), (lang, r.status_code)
            r = op.post("/console/programme/mall/charity", {"key": key, "name": "", "name_en": "x"})
            assert r.status_code == 422 and says(r, ("名称为必填项", "name is needed"), lang), (lang, r.status_code)
        assert key not in op.get("/console/programme/mall").text
    assert point_policies(db) == before
    db.dispose()
