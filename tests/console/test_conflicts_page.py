"""Conflicts in the console: the list filtered by kind, store and state (and as CSV), a task with its
events, resolving it with a note (audited); refusals for the wrong role, an empty note, a stale form
and a second resolve."""

from __future__ import annotations

import csv
import io
import secrets

from hq_server.web.csrf import token_for
from pos_app.domain.ids import new_id
from tests.console.client import Console, flash_of
from tests.hq.wire_events import FakeDevice


def open_task(hq, store_id: str) -> str:
    """A label HQ never issued, scanned at a till: an open label_unverified task."""
    till = FakeDevice(hq, store_id)
    m = new_id()
    assert till.push([till.register(m, f"139{secrets.randbelow(10**8):08d}"),
                      till.label_earn(m, f"NOPE-{secrets.token_hex(5)}", 28)]).status_code == 200
    till.close()
    tasks = hq.admin("GET", "/conflicts", params={"status": "open", "limit": 1000}).json()
    return next(t["conflict_id"] for t in tasks if t["store_id"] == store_id and t["kind"] == "label_unverified")


def test_list_filter_csv_and_resolve_with_a_note(web_hq, store_id):
    task = open_task(web_hq, store_id)
    with Console(web_hq) as admin:
        page = admin.get("/console/conflicts", params={"store": store_id, "state": "open"})
        # the kind in the reader's language, not its code
        assert page.status_code == 200 and task in page.text and "标签非总部发放" in page.text
        assert "label_unverified" not in page.text.split("<table")[1]
        assert admin.get("/console/conflicts", params={"store": store_id, "state": "resolved"}).text.count(
            f"/console/conflicts/{task}") == 0
        exported = admin.get("/console/conflicts", params={"store": store_id, "format": "csv"})
        rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
        assert rows[0][:3] == ["发现时间", "类型", "规则"] and rows[1][1] == "标签非总部发放"
        detail = admin.get(f"/console/conflicts/{task}")
        assert "冲突：标签非总部发放" in detail.text and "label_unverified" not in detail.text and 'action="/console/conflicts/' in detail.text

        empty = admin.post(f"/console/conflicts/{task}/resolve", {"note": "  "})
        assert empty.status_code == 422 and "field-error" in empty.text
        stale = admin.post(f"/console/conflicts/{task}/resolve", {"note": "ok"}, csrf=token_for("old-session"))
        assert stale.status_code == 403 and "表单已过期" in stale.text
        assert "open" in admin.get(f"/console/conflicts/{task}").text

        done = admin.post(f"/console/conflicts/{task}/resolve", {"note": "checked with the store: a misprint"})
        assert done.status_code == 303
        page = admin.get(done.headers["location"])
        assert flash_of(page) == ["任务已解决。"] and "checked with the store" in page.text
        again = admin.post(f"/console/conflicts/{task}/resolve", {"note": "twice"})
        assert again.status_code == 409
        log = admin.get("/console/audit", params={"target": f"conflict:{task}"})
        assert "conflict.resolve" in log.text and "checked with the store: a misprint" in log.text


def test_wrong_role_is_refused_and_changes_nothing(web_hq, store_id, staff_user):
    task = open_task(web_hq, store_id)
    name, password = staff_user("finance")
    with Console(web_hq, name, password) as finance:
        assert finance.get(f"/console/conflicts/{task}").status_code == 200  # finance reads them
        refused = finance.post(f"/console/conflicts/{task}/resolve", {"note": "not mine to close"})
        assert refused.status_code == 403 and "你的角色" in refused.text
        assert finance.get("/console/audit").status_code == 403
    name, password = staff_user("customer_service")
    with Console(web_hq, name, password) as cs:
        assert cs.post(f"/console/conflicts/{task}/resolve", {"note": "closed by cs"}).status_code == 303
    with Console(web_hq) as admin:
        still_open = admin.get("/console/conflicts", params={"store": store_id, "state": "open"})
        assert f"/console/conflicts/{task}" not in still_open.text and "待处理" not in still_open.text.split(
            "<tbody>")[1]


def test_no_session_goes_to_sign_in_and_bad_paging_is_a_clear_422(web_hq):
    with Console(web_hq, sign_in=False) as anon:
        r = anon.http.get("/console/conflicts?state=open")
        assert r.status_code == 303 and r.headers["location"] == "/console/login?next=/console/conflicts%3Fstate%3Dopen"
        assert anon.http.post("/console/conflicts/x/resolve", data={"note": "n"}).status_code == 303
    with Console(web_hq) as admin:
        bad = admin.get("/console/conflicts", params={"page": "0"})
        assert bad.status_code == 422 and "page 须为 1 到 10000000 之间的整数" in bad.text
        assert admin.get("/console/conflicts", params={"sort": "password"}).status_code == 422


def test_same_phone_task_is_closed_by_merging_from_the_page(web_hq, store_id):
    """Two members registered offline with one phone at two stores: the task offers a merge (not a
    note), and merging moves the points to the member kept."""
    a, b = FakeDevice(web_hq, store_id), FakeDevice(web_hq, store_id + "-b")
    phone, m1, m2 = f"137{secrets.randbelow(10**8):08d}", new_id(), new_id()
    assert a.push([a.register(m1, phone), a.earn(m1, 40)]).status_code == 200
    assert b.push([b.register(m2, phone), b.earn(m2, 60)]).status_code == 200
    tasks = web_hq.admin("GET", "/conflicts", params={"status": "open", "limit": 1000}).json()
    task = next(t["conflict_id"] for t in tasks if t["kind"] == "same_phone" and m2 in t["detail"]["members"])
    with Console(web_hq) as admin:
        page = admin.get(f"/console/conflicts/{task}")
        assert f'value="{m1}"' in page.text and 'name="note"' not in page.text  # merged, never closed by a note
        assert admin.post(f"/console/conflicts/{task}/resolve", {"note": "just close it"}).status_code == 409
        assert admin.post(f"/console/conflicts/{task}/merge", {"keep": new_id()}).status_code == 422
        merged = admin.post(f"/console/conflicts/{task}/merge", {"keep": m1})
        assert merged.status_code == 303
        assert "已合并到" in flash_of(admin.get(merged.headers["location"]))[0]
        kept = admin.get(f"/console/members/{m1}").text
        assert kept.split('id="balance-consumer">')[1].split("<")[0] == "100"
        assert "member.merge" in admin.get("/console/audit", params={"target": f"conflict:{task}"}).text
    a.close()
    b.close()
