"""Staff login and sessions as an attacker meets them (issue 11): throttling, lockout, roles, logout,
revocation, a password reset ending old sessions. A real `hq-server serve` on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.hq.server import ROOT, HQServer

PASSWORD = "a good long password"


def new_user(hq, role: str = "operator", store_id: str | None = None, password: str = PASSWORD) -> str:
    name = f"u-{secrets.token_hex(4)}"
    body = {"role": role, "password": password, **({"store_id": store_id} if store_id else {})}
    r = hq.admin("PUT", f"/users/{name}", json=body)
    assert r.status_code == 200, r.text
    return name


def address() -> str:
    return f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"


def login(hq, username: str, password: str, addr: str | None = None) -> httpx.Response:
    return httpx.post(hq.url + "/api/v1/admin/login", json={"username": username, "password": password},
                      headers={"X-Forwarded-For": addr or address()}, timeout=60)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def get(hq, path: str, token: str) -> httpx.Response:
    return httpx.get(hq.url + "/api/v1/admin" + path, headers=bearer(token), timeout=30)


def test_wrong_passwords_are_throttled_per_username_and_then_even_the_right_one_waits(hq):
    name = new_user(hq)
    for _ in range(5):
        assert login(hq, name, "wrong password!").status_code == 401
    r = login(hq, name, PASSWORD)  # from yet another address: the username's own throttle
    assert r.status_code == 429 and r.json()["code"] == "too_many_attempts"
    assert 1 <= int(r.headers["Retry-After"]) <= 900


def test_an_unknown_username_is_answered_exactly_as_a_known_one(hq):
    known, unknown = new_user(hq), f"u-{secrets.token_hex(4)}"
    answers = {}
    for name in (known, unknown):
        answers[name] = [(r.status_code, r.json()["code"]) for r in (login(hq, name, "wrong password!")
                                                                     for _ in range(6))]
    assert answers[known] == answers[unknown] == [(401, "bad_login")] * 5 + [(429, "too_many_attempts")]


def test_one_address_trying_many_usernames_is_throttled(hq):
    addr = address()
    codes = [login(hq, f"u-{secrets.token_hex(4)}", "guess", addr).status_code for _ in range(31)]
    assert codes[:30] == [401] * 30 and codes[30] == 429
    # another address is not held up by it
    assert login(hq, new_user(hq), PASSWORD).status_code == 200


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def strict_hq(request, tmp_path_factory):
    """An HQ whose lock comes after 3 wrong passwords, and that hashes one password at a time with none
    waiting (the settings a flood meets, made small enough to see in a test)."""
    from tests.hq.server import need_postgres, postgres_database, sqlite_url
    env = {"HQ_LOGIN_LOCK_AFTER": "3", "HQ_LOGIN_USER_FAILURES": "50", "HQ_LOGIN_HASH_SLOTS": "1",
           "HQ_LOGIN_QUEUE": "0"}
    if request.param == "sqlite":
        with HQServer(sqlite_url(tmp_path_factory.mktemp("strict")), env=env) as server:
            yield server
    else:
        need_postgres()
        with postgres_database() as url, HQServer(url, env=env) as server:
            yield server


def test_wrong_passwords_in_a_row_lock_the_account_until_an_admin_unlocks_it(strict_hq):
    hq = strict_hq
    name, ghost = new_user(hq), f"u-{secrets.token_hex(4)}"
    for who in (name, ghost):
        assert [login(hq, who, "wrong password!").status_code for _ in range(3)] == [401] * 3
        r = login(hq, who, PASSWORD)
        assert r.status_code == 423 and r.json()["code"] == "account_locked"  # a made-up name locks alike
    assert [u["locked"] for u in hq.admin("GET", "/users").json() if u["username"] == name] == [True]
    assert hq.admin("POST", f"/users/{name}/unlock").status_code == 204
    assert login(hq, name, PASSWORD).status_code == 200
    assert hq.admin("POST", f"/users/{name}/unlock").status_code == 404  # nothing to lift now
    # a right password clears the count: two wrong ones after it do not lock
    assert [login(hq, name, "wrong password!").status_code for _ in range(2)] == [401, 401]
    assert login(hq, name, PASSWORD).status_code == 200


def test_logins_beyond_the_hash_slots_are_turned_away_not_queued_without_bound(strict_hq):
    hq = strict_hq
    names = [f"u-{secrets.token_hex(4)}" for _ in range(12)]
    with ThreadPoolExecutor(12) as pool:
        codes = list(pool.map(lambda n: login(hq, n, "wrong password!").status_code, names))
    assert set(codes) <= {401, 429} and codes.count(429) >= 1 and codes.count(401) >= 1, codes
    busy = login(hq, names[0], "x")  # and the server still answers
    assert busy.status_code in (401, 429)


def test_logout_ends_the_session(hq):
    name = new_user(hq)
    token = login(hq, name, PASSWORD).json()["token"]
    assert get(hq, "/me", token).json()["username"] == name
    assert httpx.post(hq.url + "/api/v1/admin/logout", headers=bearer(token)).status_code == 204
    r = get(hq, "/me", token)
    assert r.status_code == 401 and r.headers["WWW-Authenticate"] == "Bearer"


def test_an_admin_revokes_every_session_of_a_user(hq):
    name = new_user(hq)
    tokens = [login(hq, name, PASSWORD).json()["token"] for _ in range(2)]
    r = hq.admin("POST", f"/users/{name}/revoke-sessions")
    assert r.status_code == 200 and r.json() == {"sessions_ended": 2}
    assert [get(hq, "/me", t).status_code for t in tokens] == [401, 401]


def test_a_password_change_or_reset_ends_every_older_session(hq):
    name = new_user(hq)
    old = login(hq, name, PASSWORD).json()["token"]
    other = login(hq, name, PASSWORD).json()["token"]
    r = httpx.post(hq.url + "/api/v1/admin/password", headers=bearer(old),
                   json={"old_password": PASSWORD, "new_password": "another long password"})
    assert r.status_code == 200, r.text
    fresh = r.json()["token"]
    assert [get(hq, "/me", t).status_code for t in (old, other, fresh)] == [401, 401, 200]
    assert httpx.post(hq.url + "/api/v1/admin/password", headers=bearer(fresh),
                      json={"old_password": "not it", "new_password": "a third long password"}).status_code == 403
    # the admin resets it: the fresh session ends too
    assert hq.admin("PUT", f"/users/{name}", json={"role": "operator", "password": "reset by the admin"}
                    ).status_code == 200
    assert get(hq, "/me", fresh).status_code == 401
    assert login(hq, name, "reset by the admin").status_code == 200


def test_create_admin_on_the_command_line_ends_the_admins_older_sessions(tmp_path):
    from tests.hq.server import sqlite_url
    url = sqlite_url(tmp_path)
    with HQServer(url) as hq:
        token = hq.admin_headers()["Authorization"].split()[1]
        assert get(hq, "/me", token).status_code == 200
        env = {**os.environ, "HQ_DATABASE_URL": url, "HQ_ADMIN_PASSWORD": "a brand new admin password",
               "PYTHONPATH": str(ROOT)}
        r = subprocess.run([sys.executable, "-m", "hq_server.cli", "create-admin", "admin"], env=env,
                           capture_output=True, timeout=120)
        assert r.returncode == 0, r.stderr
        assert get(hq, "/me", token).status_code == 401


def test_a_deactivated_user_can_neither_log_in_nor_use_a_session(hq):
    name = new_user(hq)
    token = login(hq, name, PASSWORD).json()["token"]
    assert hq.admin("PUT", f"/users/{name}", json={"role": "operator", "active": False}).status_code == 200
    assert get(hq, "/me", token).status_code == 401
    assert login(hq, name, PASSWORD).status_code == 401


def test_every_route_checks_the_role(hq, store_id):
    hq.create_store(store_id)
    other = f"{store_id}-b"
    hq.create_store(other)
    tokens = {role: login(hq, new_user(hq, role, store_id if role == "store_manager" else None),
                          PASSWORD).json()["token"]
              for role in ("operator", "customer_service", "finance", "store_manager")}

    def code(role: str, method: str, path: str, **kw) -> int:
        return httpx.request(method, hq.url + "/api/v1/admin" + path, headers=bearer(tokens[role]), timeout=30,
                             **kw).status_code

    gift = {"json": {"name": "杯", "points_cost": 10}}
    staff = {"json": {"name": "小王", "role": "cashier", "pin": "4711"}}
    expected = [  # (role, method, path, kwargs, status)
        ("operator", "PUT", f"/catalog/gift/G-{store_id}", gift, 200),
        ("customer_service", "PUT", f"/catalog/gift/G-{store_id}", gift, 403),
        ("finance", "PUT", f"/catalog/gift/G-{store_id}", gift, 403),
        ("store_manager", "PUT", f"/catalog/gift/G-{store_id}", gift, 403),
        ("operator", "GET", "/members?q=13800000000", {}, 403),
        ("customer_service", "GET", "/members?q=13800000000", {}, 200),
        ("finance", "GET", "/members?q=13800000000", {}, 200),
        ("finance", "GET", "/reports/chain", {}, 200),
        ("customer_service", "GET", "/reports/chain", {}, 403),
        ("store_manager", "PUT", f"/stores/{store_id}/staff/st-{store_id}", staff, 200),
        ("store_manager", "PUT", f"/stores/{other}/staff/st-{other}", staff, 403),
        ("store_manager", "GET", f"/stores/{other}/staff", {}, 403),
        ("store_manager", "POST", f"/stores/{store_id}/enrolment-tokens", {"json": {"hours": 1}}, 201),
        ("store_manager", "POST", f"/stores/{other}/enrolment-tokens", {"json": {"hours": 1}}, 403),
        ("operator", "GET", "/users", {}, 403),
        ("operator", "POST", "/label-keys", {}, 403),
        ("customer_service", "POST", "/stores", {"json": {"name": "x"}}, 403),
        ("finance", "GET", "/conflicts", {}, 200),
        ("finance", "POST", "/conflicts/none/resolve", {"json": {"note": "x"}}, 403),
    ]
    got = [(role, method, path, code(role, method, path, **kw)) for role, method, path, kw, _ in expected]
    assert got == [(role, method, path, status) for role, method, path, _, status in expected]


def test_a_store_manager_needs_a_store_and_only_a_store_manager_has_one(hq, store_id):
    hq.create_store(store_id)
    name = f"u-{secrets.token_hex(4)}"
    assert hq.admin("PUT", f"/users/{name}", json={"role": "store_manager", "password": PASSWORD}).status_code == 422
    assert hq.admin("PUT", f"/users/{name}", json={"role": "operator", "store_id": store_id,
                                                   "password": PASSWORD}).status_code == 422
    assert hq.admin("PUT", f"/users/{name}", json={"role": "store_manager", "store_id": "nowhere",
                                                   "password": PASSWORD}).status_code == 404
    assert hq.admin("GET", "/users").json() and name not in [u["username"] for u in hq.admin("GET", "/users").json()]
