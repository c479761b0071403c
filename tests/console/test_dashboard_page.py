"""The dashboard: a till's sale, a redemption and a new member show in today's figures, chain-wide and
for the store; the liability is the outstanding points at the cash rate, in yuan; the stores ranked
export as CSV; a store manager sees only their store; customer service is refused."""

from __future__ import annotations

import csv
import io
import re

from tests.console.client import Console
from tests.console.test_members_page import a_member


def figure(text: str, ident: str) -> str:
    return re.search(rf'id="{ident}">([^<]*)<', text).group(1)


def test_figures_move_with_a_day_of_work(web_hq, store_id, staff_user):
    with Console(web_hq) as admin:
        before = admin.get("/console/dashboard", params={"period": "today", "store": ""})
        assert before.status_code == 200 and "echarts.common.min.js" in before.text
        chain_new = int(figure(before.text, "new-members").replace(",", ""))
        chain_issued = int(figure(before.text, "points-issued").replace(",", ""))
        _m, _phone, _name, till = a_member(web_hq, store_id, points=240)
        after = admin.get("/console/dashboard", params={"period": "today"})
        assert int(figure(after.text, "new-members").replace(",", "")) == chain_new + 1
        assert int(figure(after.text, "points-issued").replace(",", "")) == chain_issued + 240
        mine = admin.get("/console/dashboard", params={"period": "7d", "store": store_id})
        assert figure(mine.text, "points-issued") == "240" and figure(mine.text, "new-members") == "1"
        assert figure(mine.text, "liability").startswith("¥")
        ranked = admin.get("/console/dashboard", params={"period": "30d", "format": "csv"})
        rows = list(csv.reader(io.StringIO(ranked.content.decode("utf-8-sig"))))
        assert rows[0] == ["门店", "名称", "发放积分", "事件数", "活跃会员"]
        assert [r for r in rows[1:] if r[0] == store_id][0][2] == "240"
        assert admin.get("/console/dashboard", params={"period": "1y"}).status_code == 422
        till.close()
    name, password = staff_user("store_manager", store_id=store_id)
    with Console(web_hq, name, password) as manager:
        own = manager.get("/console/dashboard", params={"period": "7d", "store": "someone-else"})
        assert own.status_code == 200 and figure(own.text, "points-issued") == "240"
    with Console(web_hq, *staff_user("customer_service")) as cs:
        assert cs.get("/console/dashboard").status_code == 403


def test_liability_uses_the_cash_rate(web_hq, store_id):
    a_member(web_hq, store_id, points=100)[3].close()
    with Console(web_hq) as admin:
        page = admin.get("/console/dashboard")
        outstanding = int(re.search(r'<div class="figure">([\d,]+)</div><div class="figure-label">未使用积分',
                                    page.text).group(1).replace(",", ""))
        # the tills' default rate: 100 points pay 1.00 yuan
        assert figure(page.text, "liability") == f"¥{outstanding // 100}.{outstanding % 100:02d}"
