"""The audit log page (the chain's admin alone): filters by who, what, record and days; a bad day is a
clear 422; CSV with the record before and after."""

from __future__ import annotations

import csv
import io
import json
import secrets

from tests.console.client import Console


def test_search_and_export(web_hq):
    sid = f"s-{secrets.token_hex(4)}"
    with Console(web_hq) as admin:
        assert admin.post("/console/stores/create", {"store_id": sid, "name": "审计店"}).status_code == 303
        by_target = admin.get("/console/audit", params={"target": f"store:{sid}"})
        assert by_target.status_code == 200 and "store.create" in by_target.text
        # the action in the reader's language, in the table and the filter (its value stays the code)
        table = by_target.text.split("<tbody>")[1].split("</tbody>")[0]
        assert ">新建门店<" in table and "store.create" not in table
        assert '<option value="store.create">新建门店</option>' in by_target.text
        assert f"store:{sid}" in admin.get("/console/audit", params={"q": sid}).text
        assert f"store:{sid}" in admin.get("/console/audit", params={"actor": "admin", "action": "store.create"}).text
        assert f"store:{sid}" not in admin.get("/console/audit", params={"actor": "somebody-else"}).text
        assert f"store:{sid}" not in admin.get("/console/audit", params={"until": "2000-01-01"}).text
        bad = admin.get("/console/audit", params={"since": "yesterday"})
        assert bad.status_code == 422 and "YYYY-MM-DD" in bad.text
        rows = list(csv.reader(io.StringIO(admin.get("/console/audit", params={"target": f"store:{sid}",
                                                                                "format": "csv"})
                                           .content.decode("utf-8-sig"))))
        assert rows[0][:5] == ["时间", "操作人", "角色", "操作", "记录"]
        assert json.loads(rows[1][6]) == {"store_id": sid, "name": "审计店"} and rows[1][2] == "连锁管理员"
        assert rows[1][3] == "store.create"  # the CSV keeps the action's code
