"""The mall's pages through the HTTP client, against a real `hq-server serve` (SQLite and PostgreSQL):
every action and its refusals, each refusal a page that says why in the member's language and changes
nothing; a stale or forged form is refused; pages need a session."""

from __future__ import annotations

import re
import secrets

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from hq_server import models as M
from hq_server.label_keys import member_key
from hq_server.programme import help_tickets as H
from hq_server.programme.member_signin import member_by_phone
from pos_app.domain.label_batches import public_bytes
from pos_app.domain.staff import verify_pin
from pos_app.scanner import formats
from tests.hq.wire_events import now
from tests.mall.phone import dev_code


def browser_like(hq, lang: str = "zh") -> httpx.Client:
    c = httpx.Client(base_url=hq.url, timeout=30, headers={
        "X-Forwarded-For": f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"})
    c.cookies.set("lang", lang)
    return c


def form_token(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def signed_in(hq, db, phone: str, lang: str = "zh") -> tuple[httpx.Client, str]:
    """A client signed in by phone and SMS code, and the token of its pages' forms."""
    c = browser_like(hq, lang)
    token = form_token(c.get("/m/login").text)
    assert c.post("/m/login/code", data={"csrf": token, "phone": phone}).status_code == 200
    r = c.post("/m/login", data={"csrf": token, "phone": phone, "code": dev_code(db, phone), "next": "/m/me"})
    assert r.status_code == 303 and r.headers["location"] == "/m/me", r.text
    return c, form_token(c.get("/m/me").text)


def test_pages_need_a_session_and_send_the_member_to_sign_in_and_back(hq):
    c = browser_like(hq)
    for path in ("/m/", "/m/code", "/m/statement", "/m/invite", "/m/help", "/m/me"):
        r = c.get(path)
        assert r.status_code == 303 and r.headers["location"] == f"/m/login?next={path}", path
    r = c.post("/m/pin", data={"new_pin": "1234", "new_pin_again": "1234"})
    assert r.status_code == 303 and r.headers["location"].startswith("/m/login")


def test_sign_in_by_code_then_every_page_and_sign_out(hq, db, phone):
    c, token = signed_in(hq, db, phone)
    member_id = _member(db, phone)
    for path, words in (("/m/", "积分"), ("/m/code", "会员码"), ("/m/statement", "积分明细"),
                        ("/m/invite", "邀请好友"), ("/m/help", "联系客服"), ("/m/me", "设置会员密码")):
        r = c.get(path)
        assert r.status_code == 200 and words in r.text, path
    assert member_id in c.get("/m/code").text  # the page hands the phone its member id for the code
    r = c.post("/m/logout", data={"csrf": token})
    assert r.status_code == 303 and r.headers["location"] == "/m/login?bye=1"
    assert c.get("/m/").status_code == 303


def test_english_pages_are_english(hq, db, phone):
    c, _ = signed_in(hq, db, phone, lang="en")
    html = c.get("/m/").text
    assert "How to earn and use points" in html and "积分" not in html.split("<body")[1].replace("积分商城", "")


def test_a_wrong_code_shows_why_and_signs_nobody_in(hq, db, phone):
    c = browser_like(hq)
    token = form_token(c.get("/m/login").text)
    c.post("/m/login/code", data={"csrf": token, "phone": phone})
    wrong = f"{(int(dev_code(db, phone)) + 1) % 10 ** 6:06d}"
    r = c.post("/m/login", data={"csrf": token, "phone": phone, "code": wrong})
    assert r.status_code == 401 and "验证码错误" in r.text and 'id="code-form"' in r.text
    assert "pm_member" not in c.cookies and _member(db, phone) is None


def test_asking_again_too_soon_is_refused_but_keeps_the_code_form(hq, db, phone):
    c = browser_like(hq)
    token = form_token(c.get("/m/login").text)
    assert c.post("/m/login/code", data={"csrf": token, "phone": phone}).status_code == 200
    r = c.post("/m/login/code", data={"csrf": token, "phone": phone})
    assert r.status_code == 429 and "验证码刚刚已发送" in r.text and 'id="code-form"' in r.text


@pytest.mark.parametrize("phone_in, words", [("12345", "手机号为以 1 开头的 11 位数字"), ("", "手机号为以 1 开头")])
def test_a_bad_phone_number_is_refused_on_the_form(hq, phone_in, words):
    c = browser_like(hq)
    token = form_token(c.get("/m/login").text)
    r = c.post("/m/login/code", data={"csrf": token, "phone": phone_in})
    assert r.status_code == 422 and words in r.text


def test_a_sign_in_form_without_its_token_is_refused(hq, db, phone):
    c = browser_like(hq)
    c.get("/m/login")
    r = c.post("/m/login/code", data={"csrf": "forged", "phone": phone})
    assert r.status_code == 403
    assert _messages(db, phone) == []


def test_an_invitation_link_brings_the_friend_to_sign_in_with_the_code(hq, db, phone):
    c, _ = signed_in(hq, db, phone)
    invite = c.get("/m/invite").text
    link = re.search(r'value="(http[^"]+/m/join\?ref=(R[0-9A-Z]{8}))"', invite)
    assert link, invite
    friend = browser_like(hq)
    r = friend.get(link.group(1).replace(hq.url, ""))
    assert r.status_code == 303 and r.headers["location"] == f"/m/login?ref={link.group(2)}"
    assert f'value="{link.group(2)}"' in friend.get(r.headers["location"]).text


def test_setting_a_pin_and_its_refusals(hq, db, phone):
    c, token = signed_in(hq, db, phone)
    member_id = _member(db, phone)
    r = c.post("/m/pin", data={"csrf": token, "new_pin": "2468", "new_pin_again": "2486"})
    assert r.status_code == 422 and "两次输入的新密码不一致" in r.text
    r = c.post("/m/pin", data={"csrf": token, "new_pin": "24x8", "new_pin_again": "24x8"})
    assert r.status_code == 422 and "密码为 4 到 8 位数字" in r.text
    assert _pin_hash(db, member_id) is None
    r = c.post("/m/pin", data={"csrf": "stale", "new_pin": "2468", "new_pin_again": "2468"})
    assert r.status_code == 403 and _pin_hash(db, member_id) is None
    r = c.post("/m/pin", data={"csrf": token, "new_pin": "2468", "new_pin_again": "2468"})
    assert r.status_code == 303 and r.headers["location"] == "/m/me"
    assert verify_pin(_pin_hash(db, member_id), "2468")
    assert "密码已保存" in c.get("/m/me").text and "修改会员密码" in c.get("/m/me").text


def test_the_phone_key_endpoint_registers_a_key_signed_for_and_refuses_a_bad_one(hq, db, phone):
    c, token = signed_in(hq, db, phone)
    member_id = _member(db, phone)
    key, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    bad = c.post("/m/phone-key", data={"csrf": token, "public_key": public_bytes(key).hex(),
                                       "proof": formats.dynamic_member_payload(member_id, other, now())})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_proof"
    assert c.post("/m/phone-key", data={"csrf": "x", "public_key": public_bytes(key).hex()}).status_code == 403
    ok = c.post("/m/phone-key", data={"csrf": token, "public_key": public_bytes(key).hex(),
                                      "proof": formats.dynamic_member_payload(member_id, key, now())})
    assert ok.status_code == 200, ok.text
    with db.read() as conn:
        assert member_key(conn, member_id)["key_id"] == ok.json()["key_id"]
    assert f'data-hq-key="{ok.json()["key_id"]}"' in c.get("/m/code").text


def test_the_statement_filters_and_a_bad_date(hq, db, phone):
    c, _ = signed_in(hq, db, phone)
    assert c.get("/m/statement?dir=in&type=consumer&start=2026-01-01").status_code == 200
    r = c.get("/m/statement?start=yesterday")
    assert r.status_code == 422 and "筛选条件有误" in r.text
    assert c.get("/m/statement?dir=sideways").status_code == 422


def test_a_help_message_becomes_a_ticket_and_a_bad_one_is_refused(hq, db, phone):
    c, token = signed_in(hq, db, phone)
    member_id = _member(db, phone)
    r = c.post("/m/help", data={"csrf": token, "topic": "lottery", "message": "hi"})
    assert r.status_code == 422 and "请选择留言类别" in r.text
    r = c.post("/m/help", data={"csrf": token, "topic": "points", "message": "   "})
    assert r.status_code == 422 and "请填写留言" in r.text
    assert H.member_tickets(db, member_id) == []
    r = c.post("/m/help", data={"csrf": token, "topic": "points", "message": "积分没到账"})
    assert r.status_code == 303
    page = c.get("/m/help").text
    assert "谢谢：客服会尽快在此回复" in page and "积分没到账" in page and "等待回复" in page
    [ticket] = H.member_tickets(db, member_id)
    H.answer_ticket(db, ticket.ticket_id, staff="cs-wang", answer="已补录", close=False, now=now())
    assert "已补录" in c.get("/m/help").text


def test_the_pwa_files(hq):
    c = browser_like(hq)
    sw = c.get("/m/sw.js")
    assert sw.status_code == 200 and sw.headers["service-worker-allowed"] == "/m/"
    assert "__VERSION__" not in sw.text and "/static/mall/membercode.js" in sw.text
    manifest = c.get("/m/manifest.webmanifest").json()
    assert manifest["start_url"] == "/m/" and manifest["display"] == "standalone" and manifest["name"] == "积分商城"
    for icon in manifest["icons"]:
        assert c.get(icon["src"]).status_code == 200
    assert abs(c.get("/m/time").json()["ms"] / 1000 - now().timestamp() - _utc_offset()) < 60


def _utc_offset() -> float:
    # now() is naive UTC: .timestamp() reads it as local time
    from datetime import datetime
    return datetime.now().astimezone().utcoffset().total_seconds()


def _member(db, phone: str) -> str | None:
    with db.read() as conn:
        return member_by_phone(conn, phone)


def _pin_hash(db, member_id: str) -> str | None:
    with db.read() as conn:
        return conn.execute(select(M.members.c.pin_hash).where(M.members.c.member_id == member_id)).scalar()


def _messages(db, phone: str) -> list:
    from hq_server.programme import sms
    return sms.dev_messages(db, now(), phone)


def test_a_session_of_a_member_merged_into_another_shows_the_one_kept(hq, db, phone, store_id):
    """Two stores registered one person twice; HQ merged them. A mall session the merged record still holds
    (its cookie was set before the merge) is the kept member's: their card, their points."""
    from hq_server.programme.member_sessions import open_session
    from pos_app.domain.ids import new_id
    from pos_app.domain.members import card_no_for
    from tests.hq.test_merges import all_conflicts
    from tests.hq.wire_events import FakeDevice
    a, b = FakeDevice(hq, store_id), FakeDevice(hq, store_id + "-b")
    kept, merged = new_id(), new_id()
    a.push([a.register(kept, phone), a.earn(kept, 70)])
    b.push([b.register(merged, phone), b.earn(merged, 30)])
    with db.side_write() as conn:
        token = open_session(conn, merged, None, now(), 1)
    task = next(c for c in all_conflicts(hq) if c["kind"] == "same_phone" and merged in c["detail"]["members"])
    assert hq.admin("POST", f"/conflicts/{task['conflict_id']}/merge", json={"keep": kept}).status_code == 200
    c = browser_like(hq)
    c.cookies.set("pm_member", token)
    me = c.get("/m/me")
    assert me.status_code == 200 and card_no_for(kept) in me.text and card_no_for(merged) not in me.text
    assert '<span class="num">100</span>' in c.get("/m/").text  # 70 + the merged record's 30
    c.cookies.set("pm_member", token[:-1] + ("A" if token[-1] != "A" else "B"))  # a token nobody holds
    assert c.get("/m/me").status_code == 303
