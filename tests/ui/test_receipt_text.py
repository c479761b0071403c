"""The receipt's text shows the sale's time on the store's clock, the clock its number's
day follows (a sale at 01:30 in Shanghai is on the 26th, not at 17:30 UTC on the 25th)."""

from __future__ import annotations

from datetime import UTC
from zoneinfo import ZoneInfo

from pos_app.services import checkout as checkout_uc
from pos_app.services.demo import CASHIER_ID
from pos_app.ui.receipt import receipt_lines
from pos_app.ui.times import minute


def test_receipt_time_is_the_stores_local_time(cashier):
    shanghai = ZoneInfo("Asia/Shanghai")
    sale = checkout_uc.checkout(cashier.ctx, staff_id=CASHIER_ID, items=[("SNACK-DATES", 1)])
    lines = receipt_lines(sale, "门店", "王芳", shanghai)
    local = sale.created_at.replace(tzinfo=UTC).astimezone(shanghai)
    assert lines[2] == f"{local:%Y-%m-%d %H:%M} · 王芳"
    assert local.strftime("%Y%m%d") in sale.receipt_no  # the same day as the receipt number's
    assert minute(sale.created_at, shanghai) == f"{local:%Y-%m-%d %H:%M}"
