"""The mall's charities and points game set from the console (operators), and the dev SMS outbox
(customer service), on SQLite and PostgreSQL: a wrong field named beside it, saved and audited; other
roles and a stale form change nothing."""

from __future__ import annotations

import secrets

import pytest

from hq_server.db import Database
from hq_server.programme import charities, points_game, sms
from tests.console.client import Console, flash_of


@pytest.fixture
def db(web_hq):
    database = Database(web_hq.db_url)
    yield database
    database.dispose()


def test_charities_and_the_game(web_hq, db, staff_user):
    key = f"c-{secrets.token_hex(3)}"
    was = points_game.game_settings(db).to_doc()
    with Console(web_hq, *staff_user("operator")) as op:
        assert "公益捐赠与积分游戏" in op.get("/console/programme").text
        bad = op.post("/console/programme/mall/charity", {"key": "Has Space", "name": "希望工程", "listed": "yes"})
        assert bad.status_code == 422 and 'value="希望工程"' in bad.text
        assert "编号为 1 到 32 个小写字母、数字或“-”" in bad.text.split('id="charity-form"')[1]
        made = op.post("/console/programme/mall/charity", {"key": key, "name": "希望工程", "name_en": "Project Hope",
                                                           "about": "资助贫困地区儿童上学", "listed": "yes"})
        assert made.status_code == 303 and flash_of(op.get(made.headers["location"])) == [f"公益机构 {key} 已保存。"]
        form = op.get("/console/programme/mall", params={"charity": key})
        assert 'name="name_en" value="Project Hope"' in form.text
        assert op.post("/console/programme/mall/charity", {"key": key, "name": "希望工程"}).status_code == 303
        assert [c.listed for c in charities.charities(db, listed_only=False) if c.key == key] == [False]

        game = {"plays_per_day": "5", "seconds": "3", "points_per_catch": "2", "max_points_per_play": "40",
                "active": "yes"}
        short = op.post("/console/programme/mall/game", game)
        assert short.status_code == 422 and 'value="3"' in short.text
        assert "每局秒数 须为 10 到 120 的整数" in short.text.split('id="game-form"')[1]
        assert op.post("/console/programme/mall/game", {**game, "seconds": "20"}).status_code == 303
        got = points_game.game_settings(db)
        assert (got.plays_per_day, got.seconds, got.max_points_per_play, got.active) == (5, 20, 40, True)
        stale = op.post("/console/programme/mall/game", {**game, "seconds": "25"}, csrf="0" * 64)
        assert stale.status_code == 403 and points_game.game_settings(db).seconds == 20
    with Console(web_hq, *staff_user("customer_service")) as cs:
        assert cs.get("/console/programme/mall").status_code == 200 and "charity-form" not in \
            cs.get("/console/programme/mall").text
        assert cs.post("/console/programme/mall/game", {**game, "seconds": "25"}).status_code == 403
    with Console(web_hq) as admin:
        assert "charity.put" in admin.get("/console/audit", params={"target": f"charity:{key}"}).text
        assert "game.put" in admin.get("/console/audit", params={"action": "game.put"}).text
        restore = {k: str(v) for k, v in was.items() if k != "active"} | ({"active": "yes"} if was["active"] else {})
        assert admin.post("/console/programme/mall/game", restore).status_code == 303  # as it was
    assert points_game.game_settings(db).to_doc() == was


def test_dev_sms_codes(web_hq, db, staff_user):
    phone = f"139{secrets.randbelow(10**8):08d}"
    sms.DevSender(db).send(phone, "482913", 5)
    with Console(web_hq, *staff_user("customer_service")) as cs:
        page = cs.get("/console/sms-codes", params={"phone": phone})
        assert page.status_code == 200 and "482913" in page.text.split('id="sms"')[1]
        other = cs.get("/console/sms-codes", params={"phone": "13900000000"})
        assert "482913" not in other.text and "暂无验证码。" in other.text
    for role in ("operator", "finance"):
        with Console(web_hq, *staff_user(role)) as reader:
            assert reader.get("/console/sms-codes").status_code == 403
