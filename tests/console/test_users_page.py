"""Users and roles in the console (the chain's admin alone): create a user, who can then sign in with
the role given; change a role; a bad field named beside it; unlock and end sessions; every change in
the audit log, without the password; other roles refused."""

from __future__ import annotations

import secrets

from tests.console.client import Console, flash_of


def test_create_change_and_audit_a_user(web_hq):
    name = f"op-{secrets.token_hex(4)}"
    with Console(web_hq) as admin:
        assert admin.get("/console/users/new").status_code == 200
        short = admin.post("/console/users/save", {"new": "1", "username": name, "role": "operator",
                                                   "password": "short", "active": "1"})
        assert short.status_code == 422 and "密码至少需要 10 个字符" in short.text and name in short.text
        manager = admin.post("/console/users/save", {"new": "1", "username": name, "role": "store_manager",
                                                     "password": "a-long-password", "active": "1"})
        assert manager.status_code == 422 and "店长必须选择所属门店" in manager.text
        made = admin.post("/console/users/save", {"new": "1", "username": name, "role": "operator",
                                                  "password": "a-long-password", "active": "1"})
        assert made.status_code == 303
        assert flash_of(admin.get(made.headers["location"])) == [f"用户 {name} 已保存。"]
        listed = admin.get("/console/users", params={"q": name, "role": "operator"})
        assert f"/console/users/{name}" in listed.text
    with Console(web_hq, name, "a-long-password") as op:
        assert op.get("/console/users").status_code == 403  # an operator is not the admin
        assert op.get("/console/").status_code == 200
        with Console(web_hq) as admin:
            assert admin.post("/console/users/save", {"username": name, "role": "finance",
                                                      "active": ""}).status_code == 303
        # deactivated: the session ended with it
        assert op.get("/console/", follow_redirects=False).status_code == 303
    with Console(web_hq) as admin:
        log = admin.get("/console/audit", params={"target": f"user:{name}", "format": "csv"}).content.decode("utf-8-sig")
        assert "user.create" in log and "user.change" in log and "a-long-password" not in log
        assert '""password"": ""changed""' in log or '"password": "changed"' in log


def test_unlock_and_end_sessions(web_hq, staff_user):
    name, password = staff_user("finance")
    with Console(web_hq, name, password) as fin:
        with Console(web_hq) as admin:
            assert admin.post(f"/console/users/{name}/unlock").status_code == 409  # not locked
            ended = admin.post(f"/console/users/{name}/end-sessions")
            assert ended.status_code == 303
            assert flash_of(admin.get(ended.headers["location"])) == ["已结束 1 个会话。"]
        assert fin.get("/console/", follow_redirects=False).status_code == 303


def test_admin_cannot_demote_themself(web_hq):
    with Console(web_hq) as admin:
        r = admin.post("/console/users/save", {"username": "admin", "role": "finance", "active": "1"})
        assert r.status_code == 422 and "不能取消自己的管理员角色" in r.text
