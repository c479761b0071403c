"""The admin API: login, catalogue to pull items, chain report, OpenAPI, `hq-server create-admin`."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
from datetime import timedelta
from zoneinfo import ZoneInfo

from pos_app.domain.ids import new_id
from tests.hq.server import ROOT
from tests.hq.wire_events import FakeDevice, now


def test_catalogue_changes_reach_every_store(hq, store_id):
    dev = FakeDevice(hq, store_id)
    _, cursor = dev.pull_all()
    gift = {"name": "保温杯", "points_cost": 1200}  # its stock is per location (tests/hq/test_stock.py)
    assert hq.admin("PUT", f"/catalog/gift/G-{store_id}", json=gift).status_code == 200
    assert hq.admin("DELETE", f"/catalog/gift/G-{store_id}").status_code == 204
    assert hq.admin("DELETE", f"/catalog/gift/G-{store_id}").status_code == 404
    items, _ = dev.pull_all(cursor)
    mine = [i for i in items if i["key"] == f"G-{store_id}"]
    assert [i["data"].get("deleted", False) for i in mine] == [False, True]
    assert mine[0]["data"]["name"] == "保温杯"


def test_chain_report_and_member_view(hq, store_id):
    dev = FakeDevice(hq, store_id)
    m = new_id()
    dev.push([dev.register(m, "13600000009"), dev.earn(m, 80), dev.earn(m, 20)])
    report = hq.admin("GET", "/reports/chain").json()
    mine = next(s for s in report["stores"] if s["store_id"] == store_id)
    assert mine["events"] == 3 and mine["points_issued"] == 100 and mine["last_seen"]
    assert report["ledger_sum"] == 0
    member = hq.admin("GET", f"/members/{m}").json()
    assert member["balances"][f"member:{m}:consumer"] == 100 and len(member["history"]) == 3
    assert hq.admin("GET", f"/members/{new_id()}").status_code == 404


def test_chain_report_for_a_range_of_local_days(hq, store_id):
    dev = FakeDevice(hq, store_id)
    m = new_id()
    earlier = now() - timedelta(days=3)
    reg = dev.register(m, "13600000019")
    old = dev.earn(m, 20, at=earlier)
    today = dev.earn(m, 80)
    assert dev.push([reg, old, today]).status_code == 200
    assert dev.push([dev.spend(m, 30, [(dev.lot_of(today), 80)])]).status_code == 200
    shanghai = ZoneInfo("Asia/Shanghai")

    def mine(**params) -> dict:
        r = hq.admin("GET", "/reports/chain", params=params)
        assert r.status_code == 200, r.text
        return next(s for s in r.json()["stores"] if s["store_id"] == store_id)

    day = now().astimezone(shanghai).date()
    got = mine(first=day.isoformat())
    assert got == mine(first=day.isoformat(), last=day.isoformat())
    assert (got["events"], got["points_issued"], got["points_redeemed"]) == (3, 80, 30)
    assert (got["points_reversed"], got["points_returned"]) == (0, 0)
    back = earlier.astimezone(shanghai).date()
    got = mine(first=back.isoformat(), last=back.isoformat())
    assert (got["events"], got["points_issued"], got["points_redeemed"]) == (1, 20, 0)
    both = mine(first=day.isoformat(), last=back.isoformat())  # given backwards: the days between, both ends in
    assert (both["events"], both["points_issued"], both["points_redeemed"]) == (4, 100, 30)
    whole = mine()
    assert (whole["events"], whole["points_issued"], whole["points_redeemed"]) == (4, 100, 30)
    assert hq.admin("GET", "/reports/chain", params={"first": day.isoformat(), "tz": "Mars/Base"}).status_code == 422
    assert hq.admin("GET", "/reports/chain", params={"last": day.isoformat()}).status_code == 422
    assert hq.admin("GET", "/reports/chain", params={"first": "yesterday"}).status_code == 422


def test_openapi_documents_both_apis(hq):
    doc = httpx.get(hq.url + "/openapi.json").json()
    paths = set(doc["paths"])
    assert {"/api/v1/enrol", "/api/v1/sync/handshake", "/api/v1/sync/push", "/api/v1/sync/pull",
            "/api/v1/members/lookup", "/api/v1/admin/login", "/api/v1/admin/conflicts"} <= paths
    assert "PushRequest" in doc["components"]["schemas"]


def test_create_admin_from_the_command_line(tmp_path):
    env = {**os.environ, "HQ_ADMIN_PASSWORD": "short", "PYTHONPATH": str(ROOT)}
    env.pop("HQ_DATABASE_URL", None)
    cmd = [sys.executable, "-m", "hq_server.cli", "--data", str(tmp_path), "create-admin", "boss"]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "at least" in r.stderr
    env["HQ_ADMIN_PASSWORD"] = "a long enough password"
    assert subprocess.run(cmd, env=env, capture_output=True, timeout=120).returncode == 0
    from hq_server.db import Database
    from hq_server.security import check_password
    from sqlalchemy import select
    from hq_server import models as M
    db = Database(f"sqlite:///{tmp_path / 'hq.db'}")
    with db.read() as conn:
        stored = conn.execute(select(M.admins.c.password_hash).where(M.admins.c.username == "boss")).scalar()
    db.dispose()
    assert stored.startswith("$argon2") and check_password(stored, "a long enough password")
