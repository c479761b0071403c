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
        assert 'id="liability"' not in own.text  # the chain's figures are not a store's
        rows = list(csv.reader(io.StringIO(manager.get("/console/dashboard", params={"format": "csv"})
                                           .content.decode("utf-8-sig"))))
        assert [r[0] for r in rows[1:]] == [store_id]  # no other store's figures
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


def test_sales_and_top_gifts_are_read_from_the_payloads(web_hq, store_id):
    from pos_app.domain import entries as E
    from pos_app.domain.ids import new_id
    cup, bag = f"CUP{new_id()[-6:]}", f"BAG{new_id()[-6:]}"
    assert web_hq.admin("PUT", f"/catalog/gift/{cup}", json={"name": "青花瓷茶杯", "points_cost": 800}).status_code == 200
    m, _phone, _name, till = a_member(web_hq, store_id, points=12000)
    sale = till.earn(m, 123, payload={"sale_id": new_id(), "paid_fen": 12345})
    gifts = [till.event(E.post_hold(member_id=m, points=5, store_id=store_id,
                                    payload={"redemption_id": new_id(), "gift_id": gift, "qty": qty}))
             for gift, qty in ((cup, 2), (bag, 1), (cup, 1))]
    assert till.push([sale, *gifts]).status_code == 200
    with Console(web_hq) as admin:
        page = admin.get("/console/dashboard", params={"period": "today", "store": store_id})
        assert figure(page.text, "sales") == "¥123.45"
        top = page.text.split("热门礼品")[1].split("</table>")[0]
        # a gift by its name (its code beside it), one no longer in the catalogue by its code
        assert re.findall(r"<td>([^<]*)(?:<span class=\"code muted\">(\w+)</span>)?</td><td class=\"kind-points\">(\d+)</td>",
                          top) == [("青花瓷茶杯 ", cup, "3"), (bag, "", "1")]
        ranked = page.text.split("门店排名 <a")[1].split("</table>")[0]
        assert ">12,123<" in ranked  # the stores' figures grouped in thousands, as the cards above are
    till.close()
