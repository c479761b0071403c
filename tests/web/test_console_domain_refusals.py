"""The refusals with values of the programme's settings (a domain parser's sentences, said again by
hq_server.programme.domain_said) and of their use cases, on the console's pages in Simplified Chinese (the
default) and English (the `lang` cookie), through the HTTP client on SQLite and PostgreSQL; nothing is
stored."""

from __future__ import annotations

import secrets

import pytest

from tests.console.client import Console
from tests.web.test_console_refusals_in_both_languages import in_lang, says


def refused_beside_a_field(op, path: str, form: dict, *sentences: tuple[str, str]) -> None:
    """The form posted in Chinese then English is refused (422) beside its field, saying each sentence
    (zh, en) in the page's language."""
    for lang in ("zh", "en"):
        r = in_lang(op, lang).post(path, form)
        assert r.status_code == 422 and 'class="field-error"' in r.text, (lang, r.status_code)
        assert all(says(r, words, lang) for words in sentences), (lang, r.text[-3000:])
        assert "请检查此项" not in r.text and "Check this field" not in r.text


def test_a_bad_withdrawal_policy_is_refused_with_its_figures_in_both_languages(web_hq, staff_user):
    from hq_server.db import Database
    from hq_server.programme.withdrawals import point_policies
    db = Database(web_hq.db_url)
    before = point_policies(db)
    # the field by its row and column on the form, not its code (consumer.min_withdraw_points)
    least = ("消费积分，单笔最少积分：须为不小于 1 的整数",
             "Consumer points, Least points a withdrawal: must be a whole number from 1 to 9223372036854775807")
    rate = ("导购积分，每 100 积分兑付（分）：须为 1 到 100000 的整数",
            "Guide points, Fen paid per 100 points: must be a whole number from 1 to 100000")
    with Console(web_hq, *staff_user("operator")) as op:
        policies = {"consumer.withdraw": "yes", "consumer.min_withdraw_points": "0",
                    "consumer.fen_per_100_points": "1", "guide.withdraw": "yes",
                    "guide.min_withdraw_points": "1000", "guide.fen_per_100_points": "200000"}
        refused_beside_a_field(op, "/console/programme/point-types/policies", policies, least, rate)
    assert point_policies(db) == before
    db.dispose()


def test_an_unknown_withdrawal_is_named_in_both_languages(web_hq, staff_user):
    with Console(web_hq, *staff_user("finance")) as fin:
        for lang, words in (("zh", ("没有提现申请 no-such-w", "no withdrawal no-such-w")),
                            ("en", ("没有提现申请 no-such-w", "no withdrawal no-such-w"))):
            r = in_lang(fin, lang).get("/console/withdrawals/no-such-w")
            assert r.status_code == 404 and says(r, words, lang), (lang, r.status_code, r.text[-2000:])


def test_bad_network_rewards_are_refused_with_their_figures_in_both_languages(web_hq, staff_user):
    from hq_server.db import Database
    from hq_server.programme.network import level_rewards
    db = Database(web_hq.db_url)
    before = level_rewards(db)
    # the field is named by the label the form shows (not its code, guide_pct)
    deep = ("导购（百分比，第 2 级，第 3 级）：奖励最多覆盖 3 级，不能是 4 级",
            "Shopping guides (percent, level 2, level 3): rewards reach at most 3 levels, not 4")
    percent = ("代理（百分比，第 2 级，第 3 级）：须为 0 到 100 的百分比",
               "Agents (percent, level 2, level 3): a list of percents 0..100")
    with Console(web_hq, *staff_user("operator")) as op:
        refused_beside_a_field(op, "/console/programme/point-types/level-rewards",
                               {"guide_pct": "10, 5, 2", "agent_pct": "20, 101"}, deep, percent)
    assert level_rewards(db) == before
    db.dispose()


def test_bad_game_settings_are_refused_with_their_limits_in_both_languages(web_hq, staff_user):
    from hq_server.db import Database
    from hq_server.programme.points_game import game_settings
    db = Database(web_hq.db_url)
    before = game_settings(db)
    plays = ("每日次数 须为 1 到 50 的整数", "Plays a day is a whole number from 1 to 50")
    seconds = ("每局秒数 须为 10 到 120 的整数", "Seconds a play is a whole number from 10 to 120")
    with Console(web_hq, *staff_user("operator")) as op:
        game = {"plays_per_day": "51", "seconds": "5", "points_per_catch": "2", "max_points_per_play": "50",
                "active": "yes"}
        refused_beside_a_field(op, "/console/programme/mall/game", game, plays, seconds)
    assert game_settings(db) == before
    db.dispose()


def test_bad_rules_are_refused_naming_the_field_in_both_languages(web_hq, staff_user):
    import json
    from hq_server.db import Database
    from hq_server.programme.listing import ListQuery
    from hq_server.programme.rules_admin import versions
    db = Database(web_hq.db_url)
    before = versions(db, ListQuery(per=1)).total
    pct = ("规则字段 'cash_max_pct'：最大为 100", "rules field 'cash_max_pct': must be at most 100")
    lock = ("规则字段 'lock_days'：须小于 expiry_days", "rules field 'lock_days': must be less than expiry_days")
    not_json = ("规则不是有效的 JSON：Expecting", "the rules are not JSON: Expecting")
    with Console(web_hq, *staff_user("operator")) as op:
        for lang in ("zh", "en"):
            doc = json.dumps({"cash_max_pct": 150, "lock_days": 30, "expiry_days": 10})
            r = in_lang(op, lang).post("/console/programme/rules", {"doc": doc, "effective_at": ""})
            assert r.status_code == 422 and 'class="field-error"' in r.text, (lang, r.status_code)
            assert says(r, pct, lang) and says(r, lock, lang), (lang, r.text[-3000:])
            r = op.post("/console/programme/rules", {"doc": "{base", "effective_at": ""})
            assert r.status_code == 422 and says(r, not_json, lang), (lang, r.text[-3000:])
    assert versions(db, ListQuery(per=1)).total == before
    db.dispose()


def test_a_bad_amount_is_refused_with_what_was_typed_in_both_languages(web_hq, staff_user):
    import secrets
    from hq_server.db import Database
    from hq_server.programme import catalogue_admin
    db = Database(web_hq.db_url)
    key = f"TEA-{secrets.token_hex(3)}"
    cases = [("12.345", ("价格（元）：'12.345' 超过两位小数", "Price (yuan): more than two decimals: '12.345'")),
             ("12元", ("价格（元）：'12元' 不是有效的金额", "Price (yuan): not an amount: '12元'"))]
    with Console(web_hq, *staff_user("operator")) as op:
        for typed, words in cases:
            product = {"key": key, "name": "乌龙", "category": "tea", "price_fen": typed, "active": "1"}
            refused_beside_a_field(op, "/console/programme/product/save", product, words)
        for lang, words in (("zh", ("没有 product no-such-tea", "no product no-such-tea")),
                            ("en", ("没有 product no-such-tea", "no product no-such-tea"))):
            r = in_lang(op, lang).post("/console/programme/product/no-such-tea/remove")
            assert r.status_code == 404 and says(r, words, lang), (lang, r.status_code, r.text[-2000:])
    assert catalogue_admin.item(db, "product", key) is None
    db.dispose()


@pytest.mark.parametrize("typed, words", [
    ({"name": "名" * 41}, ("名称最多 40 个可打印字符", "name is at most 40 printable characters")),
    ({"name_en": "x" * 61}, ("英文名称最多 60 个可打印字符", "name_en is at most 60 printable characters")),
    ({"about": "很" * 301}, ("简介最多 300 个可打印字符", "about is at most 300 printable characters")),
    ({"about_en": "y" * 301}, ("英文简介最多 300 个可打印字符", "about_en is at most 300 printable characters")),
])
def test_a_too_long_charity_text_is_refused_with_its_limit_in_both_languages(web_hq, staff_user, typed, words):
    import secrets
    from hq_server.db import Database
    from hq_server.programme.charities import charities
    db = Database(web_hq.db_url)
    key = f"c-{secrets.token_hex(4)}"
    with Console(web_hq, *staff_user("operator")) as op:
        charity = {"key": key, "name": "希望工程", "listed": "yes", **typed}
        refused_beside_a_field(op, "/console/programme/mall/charity", charity, words)
    assert key not in [c.key for c in charities(db, listed_only=False)]
    db.dispose()


def test_staff_of_another_store_and_an_unknown_store_are_named_in_both_languages(web_hq):
    import secrets
    from hq_server.db import Database
    from hq_server.programme.store_staff import staff_of
    home, other, gone = (f"s-{secrets.token_hex(5)}" for _ in range(3))
    web_hq.create_store(home)
    web_hq.create_store(other)
    db = Database(web_hq.db_url)
    sid = f"c-{secrets.token_hex(3)}"
    cashier = {"staff_id": sid, "name": "李娜", "role": "cashier", "pin": "4821", "active": "yes"}
    elsewhere = (f"店员 {sid} 属于门店 {home}", f"staff {sid} belongs to store {home}")
    unknown = (f"没有门店 {gone}", f"no store {gone}")
    with Console(web_hq) as admin:
        assert admin.post(f"/console/stores/{home}/staff", cashier).status_code == 303
        for lang in ("zh", "en"):
            r = in_lang(admin, lang).post(f"/console/stores/{other}/staff", {**cashier, "name": "王五"})
            assert r.status_code == 409 and says(r, elsewhere, lang), (lang, r.status_code, r.text[-2000:])
            r = admin.post(f"/console/stores/{gone}/staff", cashier)
            assert r.status_code == 404 and says(r, unknown, lang), (lang, r.status_code, r.text[-2000:])
    assert [s["name"] for s in staff_of(db, home)] == ["李娜"] and staff_of(db, other) == staff_of(db, gone) == []
    db.dispose()


def test_too_many_points_taken_away_is_refused_with_its_figures_in_one_language(web_hq, staff_user):
    """The till's own sentence inside the refusal ("only 100 points can be spent now, 500 needed") is said
    in the page's language too: no English inside the Chinese sentence."""
    from tests.console.test_members_page import a_member
    m, _phone, _name, till = a_member(web_hq, "s-take-" + secrets.token_hex(3), points=100)
    till.close()
    few = ("会员可扣除的积分不足（现在只有 100 积分可用，需要 500）",
           "the member has fewer points to take away (only 100 points can be spent now, 500 needed)")
    with Console(web_hq, *staff_user("customer_service")) as cs:
        refused_beside_a_field(cs, f"/console/members/{m}/adjust", {"points": "-500", "reason": "typo"}, few)
        assert "can be spent now" not in in_lang(cs, "zh").get(f"/console/members/{m}").text
