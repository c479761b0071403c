"""The mall's campaigns through the HTTP client against a real `hq-server serve` (SQLite and PostgreSQL):
donating points to a charity HQ lists, the lottery within its daily limit, the points game "grab the
rice" whose award HQ decides and caps; every refusal says why and changes nothing."""

from __future__ import annotations

import re
import threading
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from hq_server import models as M
from hq_server.ledger.book import Book
from hq_server.programme import points_game as G
from hq_server.programme.audit import Actor
from hq_server.programme.member_care import freeze
from hq_server.programme.member_signin import member_by_phone
from hq_server.programme.statement import home
from pos_app.domain import entries as E
from pos_app.domain import ledger as L
from pos_app.domain.ledger import Kind
from pos_app.domain.lots import Lot
from tests.hq.wire_events import FakeDevice, now
from tests.mall.test_mall_http import signed_in

OPERATOR = Actor("op-test", "admin")


def member_of(db, phone: str) -> str:
    with db.read() as conn:
        return member_by_phone(conn, phone)


def points(db, member_id: str) -> int:
    return home(db, member_id, now()).points


def give_points(hq, store_id: str, member_id: str, n: int) -> dict:
    """A till's sale earned the member `n` points (the event, whose lot a till spends from)."""
    till = FakeDevice(hq, store_id)
    ev = till.earn(member_id, n)
    assert till.push([ev]).json()["answers"][0]["status"] == "ok"
    till.close()
    return ev


def events_of(db, member_id: str, kind: str) -> list:
    e = M.events.c
    with db.read() as conn:
        return conn.execute(select(e.event_id, e.store_id, e.payload).where(
            e.member_id == member_id, e.kind == kind).order_by(e.hq_seq)).all()


def charity_balance(db) -> int:
    with db.read() as conn:
        return Book(conn).balance(L.CHARITY)


def flash_or_error(html: str) -> str:
    found = re.search(r'class="flash flash-(?:error|ok)"[^>]*>([^<]+)<', html)
    return found.group(1) if found else ""


# --- donations -------------------------------------------------------------------------------------
@pytest.fixture
def charity(hq):
    key = f"hope-{uuid.uuid4().hex[:8]}"
    r = hq.admin("PUT", f"/mall/charities/{key}", json={"name": "希望小学", "name_en": "Hope School",
                                                         "about": "为山区孩子添置图书"})
    assert r.status_code == 200, r.text
    return key


def test_a_member_donates_points_to_a_listed_charity(hq, db, phone, store_id, charity):
    c, token = signed_in(hq, db, phone)
    member_id = member_of(db, phone)
    give_points(hq, store_id, member_id, 300)
    page = c.get("/m/donate")
    assert page.status_code == 200 and "希望小学" in page.text and "为山区孩子添置图书" in page.text
    before = charity_balance(db)
    r = c.post("/m/donate", data={"csrf": token, "charity": charity, "points": "120"})
    assert r.status_code == 303 and r.headers["location"] == "/m/donate"
    after = c.get("/m/donate")
    assert "感谢您的爱心：已捐赠 120 积分" in after.text and "我的捐赠" in after.text
    assert points(db, member_id) == 180 and charity_balance(db) == before + 120
    [ev] = events_of(db, member_id, "donation")
    assert ev.store_id == "hq" and f'"charity":"{charity}"' in ev.payload


def test_donation_refusals_change_nothing(hq, db, phone, store_id, charity):
    c, token = signed_in(hq, db, phone)
    member_id = member_of(db, phone)
    give_points(hq, store_id, member_id, 100)
    hidden = f"gone-{uuid.uuid4().hex[:8]}"
    assert hq.admin("PUT", f"/mall/charities/{hidden}", json={"name": "已结束", "listed": False}).status_code == 200
    assert "已结束" not in c.get("/m/donate").text
    cases = [({"charity": charity, "points": "0"}, 422, "请输入 1 至 100,000 的整数积分"),
             ({"charity": charity, "points": "-5"}, 422, "请输入 1 至 100,000 的整数积分"),
             ({"charity": charity, "points": "十"}, 422, "请输入 1 至 100,000 的整数积分"),
             ({"charity": charity, "points": "100001"}, 422, "请输入 1 至 100,000 的整数积分"),
             ({"charity": hidden, "points": "10"}, 422, "请选择列出的公益项目"),
             ({"charity": "no-such", "points": "10"}, 422, "请选择列出的公益项目"),
             ({"charity": "../x", "points": "10"}, 422, "请选择列出的公益项目"),
             ({"charity": charity, "points": "101"}, 409, "您的可用积分不足")]
    for form, status, words in cases:
        r = c.post("/m/donate", data={"csrf": token, **form})
        assert r.status_code == status and words in flash_or_error(r.text), (form, r.status_code)
    assert c.post("/m/donate", data={"charity": charity, "points": "10"}).status_code == 403  # no form token
    freeze(db, OPERATOR, member_id, "checking", now())
    r = c.post("/m/donate", data={"csrf": token, "charity": charity, "points": "10"})
    assert r.status_code == 403 and "冻结" in r.text
    assert points(db, member_id) == 100 and events_of(db, member_id, "donation") == []


def test_charities_are_hq_s_to_list(hq):
    key = f"c-{uuid.uuid4().hex[:8]}"
    assert hq.admin("PUT", f"/mall/charities/{key}", json={"name": "  "}).status_code == 422
    assert hq.admin("PUT", f"/mall/charities/{key}", json={"name": "x", "colour": "red"}).status_code == 422
    assert hq.admin("PUT", "/mall/charities/Bad_Key", json={"name": "x"}).status_code == 422
    assert hq.admin("PUT", f"/mall/charities/{key}", json={"name": "绿色行动"}).status_code == 200
    listed = {c["key"]: c for c in hq.admin("GET", "/mall/charities").json()}
    assert listed[key]["name"] == "绿色行动" and listed[key]["listed"] is True
    import httpx
    assert httpx.put(hq.url + f"/api/v1/admin/mall/charities/{key}", json={"name": "x"}).status_code == 401


# --- the lottery -----------------------------------------------------------------------------------
def make_lottery(hq, *, cost: int = 20, prizes=None, **more) -> str:
    key = f"L-{uuid.uuid4().hex[:8]}"
    prizes = prizes or [{"code": "A", "name": "一等奖", "weight": 1, "points": 88},
                        {"code": "T", "name": "谢谢参与", "weight": 0, "points": 0}]
    r = hq.admin("PUT", f"/catalog/lottery/{key}", json={"name": "新春抽奖", "points_per_draw": cost,
                                                          "prizes": prizes, "active": True, **more})
    assert r.status_code == 200, r.text
    return key


def test_a_draw_pays_its_points_and_shows_the_prize_not_the_seed(hq, db, phone, store_id):
    lottery = make_lottery(hq)
    c, token = signed_in(hq, db, phone)
    member_id = member_of(db, phone)
    give_points(hq, store_id, member_id, 100)
    page = c.get("/m/lottery")
    assert page.status_code == 200 and "一等奖" in page.text and "今日剩余 3/3 次" in page.text
    r = c.post("/m/lottery/draw", data={"csrf": token, "lottery": lottery})
    assert r.status_code == 303 and r.headers["location"].startswith("/m/lottery/drawn/"), r.text
    shown = c.get(r.headers["location"])
    assert shown.status_code == 200 and "+88" in shown.text and "一等奖" in shown.text
    [draw] = events_of(db, member_id, "lottery_draw")
    seed = re.search(r'"seed":(\d+)', draw.payload).group(1)
    assert draw.store_id == "hq" and seed not in shown.text and "seed" not in shown.text.lower()
    prize = [e for e in events_of(db, member_id, "earn") if "lottery_prize" in e.payload]
    assert len(prize) == 1 and prize[0].store_id == "hq"
    assert points(db, member_id) == 100 - 20 + 88
    statement = c.get("/m/statement").text  # the prize is named as one, not as a purchase
    assert "抽奖奖励" in statement and "+88" in statement and "-20" in statement
    # someone else's draw is not shown to this member
    other, _ = signed_in(hq, db, "15" + f"{uuid.uuid4().int % 10 ** 9:09d}")
    assert other.get(r.headers["location"]).status_code == 404


def test_the_daily_limit_counts_the_tills_draws_too_and_a_double_tap_draws_no_more(hq, db, phone, store_id):
    lottery = make_lottery(hq, cost=10, prizes=[{"code": "T", "name": "谢谢参与", "weight": 1, "points": 0}])
    c, token = signed_in(hq, db, phone)
    member_id = member_of(db, phone)
    earned = give_points(hq, store_id, member_id, 100)
    # a till drew once today for this member (its event reached HQ): one of the day's three
    till = FakeDevice(hq, store_id, name="till-2")
    lot = Lot(FakeDevice.lot_of(earned), L.member_account(member_id), 100, now() - timedelta(days=1),
              now() + timedelta(days=300))
    spend = E.spend(Kind.LOTTERY_DRAW, member_id=member_id, lots=[lot], points=10,
                    to_account=L.store_redeemed(store_id), now=now(),
                    payload={"lottery_id": lottery, "seed": 7, "prize": "T", "prize_points": 0})
    assert till.push([till.event(spend)]).json()["answers"][0]["status"] == "ok"
    assert "今日剩余 2/3 次" in c.get("/m/lottery").text
    answers = []

    def tap():
        answers.append(c.post("/m/lottery/draw", data={"csrf": token, "lottery": lottery}).status_code)

    taps = [threading.Thread(target=tap) for _ in range(5)]
    for t in taps:
        t.start()
    for t in taps:
        t.join()
    assert sorted(answers) == [303, 303, 409, 409, 409]
    r = c.post("/m/lottery/draw", data={"csrf": token, "lottery": lottery})
    assert r.status_code == 409 and "今天的抽奖次数已用完" in r.text
    assert len(events_of(db, member_id, "lottery_draw")) == 3 and points(db, member_id) == 100 - 30


def test_a_lottery_s_own_daily_draws_and_its_prize_budget(hq, db, phone, store_id):
    lottery = make_lottery(hq, cost=10, daily_draws=5, daily_prize_points=100)  # 88 points a draw, 100 a day
    c, token = signed_in(hq, db, phone)
    member_id = member_of(db, phone)
    give_points(hq, store_id, member_id, 100)
    assert "今日剩余 5/5 次" in c.get("/m/lottery").text
    assert c.post("/m/lottery/draw", data={"csrf": token, "lottery": lottery}).status_code == 303
    r = c.post("/m/lottery/draw", data={"csrf": token, "lottery": lottery})  # 12 points left of the day's 100
    assert r.status_code == 409 and "今天的奖品已全部送出" in r.text
    assert len(events_of(db, member_id, "lottery_draw")) == 1 and points(db, member_id) == 100 - 10 + 88


def test_lottery_refusals_change_nothing(hq, db, phone, store_id):
    dear = make_lottery(hq, cost=500)
    closed = make_lottery(hq, active=False)
    c, token = signed_in(hq, db, phone)
    member_id = member_of(db, phone)
    give_points(hq, store_id, member_id, 100)
    r = c.post("/m/lottery/draw", data={"csrf": token, "lottery": dear})
    assert r.status_code == 409 and "您的可用积分不足" in r.text
    for key in (closed, "no-such-lottery", ""):
        r = c.post("/m/lottery/draw", data={"csrf": token, "lottery": key})
        assert r.status_code == 404 and "此抽奖已结束" in r.text, key
    assert closed not in c.get("/m/lottery").text
    assert c.post("/m/lottery/draw", data={"csrf": "x", "lottery": dear}).status_code == 403
    assert c.get("/m/lottery/drawn/not-an-event").status_code == 404
    assert points(db, member_id) == 100 and events_of(db, member_id, "lottery_draw") == []


# --- the points game -------------------------------------------------------------------------------
@pytest.fixture
def game(hq):
    settings = {"plays_per_day": 2, "seconds": 10, "points_per_catch": 2, "max_points_per_play": 30, "active": True}
    r = hq.admin("PUT", "/mall/game", json=settings)
    assert r.status_code == 200, r.text
    return settings


def _ticket(html: str) -> str:
    return re.search(r'name="ticket" value="([^"]+)"', html).group(1)


def test_hq_counts_the_award_and_caps_it_whatever_the_page_sends(hq, db, phone, game):
    c, token = signed_in(hq, db, phone)
    member_id = member_of(db, phone)
    assert "今日剩余 2/2 次" in c.get("/m/game").text
    r = c.post("/m/game/start", data={"csrf": token})
    assert r.status_code == 303 and r.headers["location"].startswith("/m/game/play/")
    play_page = c.get(r.headers["location"])
    ticket = _ticket(play_page.text)
    started = time.monotonic()
    time.sleep(2)
    sent = c.post("/m/game/finish", data={"csrf": token, "ticket": ticket, "catches": "999999"})
    elapsed = time.monotonic() - started
    assert sent.status_code == 303 and sent.headers["location"] == r.headers["location"]
    result = c.get(sent.headers["location"])
    won = int(re.search(r'id="prize-points">\+(\d+)<', result.text).group(1))
    # no more grains than 2 a second of the play's real time, 2 points each: 999,999 says nothing
    assert 2 * 2 * 1 <= won <= 2 * 2 * (elapsed + 1) and "总部按本局时长" in result.text
    assert points(db, member_id) == won
    [award] = [e for e in events_of(db, member_id, "earn") if "game_award" in e.payload]
    assert award.store_id == "hq"
    assert "接米粒" in c.get("/m/statement").text
    # the same ticket again: the result was taken, nothing changes
    again = c.post("/m/game/finish", data={"csrf": token, "ticket": ticket, "catches": "5"})
    assert again.status_code == 409 and "这局的成绩已经计过分了" in again.text
    assert points(db, member_id) == won


def test_forged_and_other_members_tickets_and_a_bad_count_change_nothing(hq, db, phone, game):
    c, token = signed_in(hq, db, phone)
    member_id = member_of(db, phone)
    ticket = _ticket(c.get(c.post("/m/game/start", data={"csrf": token}).headers["location"]).text)
    play_id, sig = ticket.split(".")
    forged = [f"{play_id}.{sig[:-1]}{'A' if sig[-1] != 'A' else 'B'}", f"{uuid.uuid4()}.{sig}", "not-a-ticket", ""]
    for bad in forged:
        r = c.post("/m/game/finish", data={"csrf": token, "ticket": bad, "catches": "3"})
        assert r.status_code == 403 and "这局游戏无效" in r.text, bad
    other, other_token = signed_in(hq, db, "15" + f"{uuid.uuid4().int % 10 ** 9:09d}")
    assert other.post("/m/game/finish", data={"csrf": other_token, "ticket": ticket, "catches": "3"}).status_code == 403
    for count in ("-1", "3.5", "many", "1234567"):
        r = c.post("/m/game/finish", data={"csrf": token, "ticket": ticket, "catches": count})
        assert r.status_code == 422 and "无法读取本局成绩" in r.text, count
    assert c.post("/m/game/finish", data={"ticket": ticket, "catches": "3"}).status_code == 403  # no form token
    assert other.get(f"/m/game/play/{play_id}").status_code == 404
    assert points(db, member_id) == 0
    # the play is still open: its own result is still taken
    assert c.post("/m/game/finish", data={"csrf": token, "ticket": ticket, "catches": "0"}).status_code == 303


def test_plays_a_day_and_a_closed_game(hq, db, phone, game):
    c, token = signed_in(hq, db, phone)
    answers = []

    def tap():
        answers.append(c.post("/m/game/start", data={"csrf": token}).status_code)

    taps = [threading.Thread(target=tap) for _ in range(4)]
    for t in taps:
        t.start()
    for t in taps:
        t.join()
    assert sorted(answers) == [303, 303, 409, 409]
    r = c.post("/m/game/start", data={"csrf": token})
    assert r.status_code == 409 and "今天的游戏次数已用完" in r.text
    assert hq.admin("PUT", "/mall/game", json={**game, "active": False}).status_code == 200
    c2, token2 = signed_in(hq, db, "15" + f"{uuid.uuid4().int % 10 ** 9:09d}")
    r = c2.post("/m/game/start", data={"csrf": token2})
    assert r.status_code == 409 and "游戏暂未开放" in r.text


def test_the_game_s_settings_are_checked(hq, game):
    for bad in ({**game, "seconds": 5}, {**game, "plays_per_day": 0}, {**game, "points_per_catch": "2"},
                {**game, "max_points_per_play": 10**6}, {**game, "speed": 3}):
        assert hq.admin("PUT", "/mall/game", json=bad).status_code == 422, bad
    assert hq.admin("GET", "/mall/game").json() == game


def test_the_award_of_a_whole_play(hq, db, phone, game):
    """The use case with its clock: a play that lasted its 10 seconds, 999 catches said -> the cap; 4 said -> 4."""
    c, _ = signed_in(hq, db, phone)
    member_id = member_of(db, phone)
    t0 = now()
    first, second = G.start_play(db, member_id, t0), G.start_play(db, member_id, t0)
    capped = G.finish_play(db, member_id, first.ticket, "999", t0 + timedelta(seconds=40))
    assert (capped.catches_counted, capped.award) == (15, 30)  # max 30 points at 2 a catch
    honest = G.finish_play(db, member_id, second.ticket, "4", t0 + timedelta(seconds=10))
    assert (honest.catches_counted, honest.award) == (4, 8)
    assert points(db, member_id) == 38
