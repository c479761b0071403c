"""The console's own error pages say all they say in the reader's language: a body over the size limit
(413, hq_server.guards) and a page the role may not open (403) name what went wrong and what to do, with
their detail said in Chinese on a Chinese page (the figures kept) and in English on an English one."""

from __future__ import annotations

import html

import pytest

from tests.console.client import Console
from tests.web.test_console_refusals_in_both_languages import in_lang, says

TOO_LARGE = ("请缩短填写的内容或换一个较小的文件后重新提交",
             "shorten what was typed, or choose a smaller file, and send it again")
TOO_LARGE_DETAIL = ("提交的内容超过 256 KB", "what was sent is over 256 kB")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_form_over_the_body_limit_gets_the_consoles_page_in_the_readers_language(web_hq, staff_user, lang):
    with Console(web_hq, *staff_user("operator")) as op:
        r = in_lang(op, lang).post("/console/programme/campaign/save",
                                   {"key": "big", "name": "x", "about": "x" * (300 * 1024)})
        assert r.status_code == 413 and r.headers["content-type"].startswith("text/html"), r.text[:300]
        assert says(r, TOO_LARGE, lang) and says(r, TOO_LARGE_DETAIL, lang), html.unescape(r.text)[-1500:]


@pytest.mark.parametrize("lang, words", [
    ("zh", ("你的角色（运营）无权打开此页面；需要以下角色之一：连锁管理员", "(operator)")),
    ("en", ("your role (Operator) may not open this page; it needs one of: Chain admin", "(operator)"))])
def test_a_page_not_for_the_role_names_the_roles_not_their_codes(web_hq, staff_user, lang, words):
    with Console(web_hq, *staff_user("operator")) as op:
        r = in_lang(op, lang).get("/console/users")
        text = html.unescape(r.text)
        assert r.status_code == 403 and words[0] in text and words[1] not in text, text[-1500:]


def test_the_roles_a_page_needs_are_joined_in_the_readers_language(web_hq, staff_user):
    with Console(web_hq, *staff_user("operator")) as op:
        for lang, names in (("zh", "需要以下角色之一：连锁管理员、客服、财务"),
                            ("en", "it needs one of: Chain admin, Customer service, Finance")):
            r = in_lang(op, lang).get("/console/members")
            text = html.unescape(r.text)
            assert r.status_code == 403 and names in text and "customer_service" not in text, text[-1500:]
