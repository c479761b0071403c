"""Whole checkout flows driven by keys, checked against the store through the services."""

from __future__ import annotations

from PySide6.QtCore import Qt

from pos_app.services import members as members_uc
from pos_app.services import reports as reports_uc
from tests.ui.conftest import WAIT_MS, idle, sign_in


def scan(qtbot, window, text: str) -> None:
    box = window.checkout.scan_box
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key_Return)
    idle(qtbot, window)


def test_wrong_pin_is_refused_and_stays_on_sign_in(qtbot, app_window):
    sign_in(qtbot, app_window, pin="0000")
    qtbot.waitUntil(lambda: "Wrong PIN" in app_window.signin.message.text(), timeout=WAIT_MS)
    assert app_window.staff is None
    assert app_window.pages.currentIndex() == 0


def test_scan_member_and_items_then_finish_with_enter(qtbot, cashier):
    view = cashier.checkout
    ctx = cashier.ctx
    before = members_uc.find_member(ctx, "13912345678")
    balance_before = members_uc.member_statement(ctx, before.member_id).balance
    sales_before = reports_uc.day_report(ctx).sales_count

    scan(qtbot, cashier, "13912345678")
    assert view.member_panel.statement.member.name == "李娜"
    scan(qtbot, cashier, "6901234567892")      # oolong by its EAN-13 barcode, ¥128
    scan(qtbot, cashier, "SNACK-DATES")        # by SKU, ¥39
    scan(qtbot, cashier, "SNACK-DATES")        # again: same line, qty 2
    assert [(r.sku, r.qty) for r in view.cart.rows] == [("TEA-OOLONG", 1), ("SNACK-DATES", 2)]
    assert view.current_quote.subtotal_fen == 12800 + 2 * 3900
    earn = view.current_quote.earn_points
    assert earn > 0

    qtbot.keyClick(view.scan_box, Qt.Key_Return)   # empty scan box: finish
    idle(qtbot, cashier)
    assert view.cart.rows == []
    assert "done" in view.message.text()
    assert reports_uc.day_report(ctx).sales_count == sales_before + 1
    assert members_uc.member_statement(ctx, before.member_id).balance == balance_before + earn


def test_enter_pressed_while_the_last_scan_is_priced_finishes_at_its_price(qtbot, cashier):
    """A fast cashier scans and presses Enter before the new total is back: the sale waits
    for that quote and is finished with it, not refused for the total before the scan."""
    view = cashier.checkout
    taken_before = reports_uc.day_report(cashier.ctx).sales_fen
    scan(qtbot, cashier, "SNACK-DATES")                 # priced: ¥39
    qtbot.keyClicks(view.scan_box, "6901234567892")     # oolong, ¥128 ...
    qtbot.keyClick(view.scan_box, Qt.Key_Return)
    qtbot.keyClick(view.scan_box, Qt.Key_Return)        # ... and Enter at once, before its quote is back
    idle(qtbot, cashier)
    qtbot.waitUntil(lambda: view.cart.rows == [], timeout=WAIT_MS)
    assert "done" in view.message.text()
    assert reports_uc.day_report(cashier.ctx).sales_fen == taken_before + 3900 + 12800


def test_quantity_keys_and_void_line(qtbot, cashier):
    view = cashier.checkout
    scan(qtbot, cashier, "MILKTEA-L")
    scan(qtbot, cashier, "LEMON-TEA")
    qtbot.keyClick(view.scan_box, Qt.Key_Plus)     # selected (last scanned) line + 1
    idle(qtbot, cashier)
    assert [(r.sku, r.qty) for r in view.cart.rows] == [("MILKTEA-L", 1), ("LEMON-TEA", 2)]
    qtbot.keyClick(view.scan_box, Qt.Key_Delete)
    idle(qtbot, cashier)
    assert [(r.sku, r.qty) for r in view.cart.rows] == [("MILKTEA-L", 1)]
    assert view.current_quote.subtotal_fen == 1800


def test_unknown_code_is_refused_and_records_nothing(qtbot, cashier):
    view = cashier.checkout
    sales_before = reports_uc.day_report(cashier.ctx).sales_count
    scan(qtbot, cashier, "NO-SUCH-THING")
    assert "No product has the code NO-SUCH-THING" in view.message.text()
    assert view.cart.rows == []
    qtbot.keyClick(view.scan_box, Qt.Key_Return)   # finishing an empty cart does nothing
    idle(qtbot, cashier)
    assert reports_uc.day_report(cashier.ctx).sales_count == sales_before


def test_points_as_cash_lowers_the_amount_due(qtbot, cashier):
    view = cashier.checkout
    scan(qtbot, cashier, "13800138000")
    scan(qtbot, cashier, "TEA-JASMINE")           # ¥48
    st = view.member_panel.statement
    assert st.spendable >= 1000
    view.cash_points.setValue(1000)               # 1000 points pay ¥10 at the demo rate (100 pts = ¥1)
    idle(qtbot, cashier)
    assert view.current_quote.cash_fen == 1000
    assert view.current_quote.due_fen == 4800 - 1000
    earn = view.current_quote.earn_points
    qtbot.keyClick(view.finish_button, Qt.Key_Space)  # a phone number found the member: no proof yet
    idle(qtbot, cashier)
    assert view.cart.rows and "PIN" in view.message.text()
    assert members_uc.member_statement(cashier.ctx, st.member.member_id).balance == st.balance
    qtbot.keyClicks(view.member_pin, "123456")        # the member types their PIN
    qtbot.keyClick(view.finish_button, Qt.Key_Space)
    idle(qtbot, cashier)
    assert view.cart.rows == []
    after = members_uc.member_statement(cashier.ctx, st.member.member_id)
    assert after.balance == st.balance - 1000 + earn


def test_the_phones_dynamic_code_lets_the_member_pay_with_points_without_a_pin(qtbot, cashier):
    from pos_app.services.demo import demo_member_code

    view = cashier.checkout
    scan(qtbot, cashier, demo_member_code(cashier.ctx, "13800138000"))
    st = view.member_panel.statement
    scan(qtbot, cashier, "TEA-JASMINE")
    view.cash_points.setValue(1000)
    idle(qtbot, cashier)
    earn = view.current_quote.earn_points
    qtbot.keyClick(view.finish_button, Qt.Key_Space)
    idle(qtbot, cashier)
    assert view.cart.rows == [] and "done" in view.message.text()
    assert members_uc.member_statement(cashier.ctx, st.member.member_id).balance == st.balance - 1000 + earn


def test_points_over_the_bill_share_are_refused_with_a_message(qtbot, cashier):
    view = cashier.checkout
    scan(qtbot, cashier, "13800138000")
    scan(qtbot, cashier, "LEMON-TEA")             # ¥12: points may pay at most half
    view.cash_points.setValue(1000)
    idle(qtbot, cashier)
    assert "Points can pay at most ¥6.00 of this bill" in view.message.text()


def test_scanning_a_guides_badge_names_the_sales_guide(qtbot, cashier):
    """The guide's badge (G:<staff id>) picks the guide, who earns guide points on the sale."""
    from pos_app.domain import ledger as L
    from pos_app.services.demo import GUIDE_ID
    from pos_app.services.scan import guide_badge
    from pos_app.store import ledger_repo

    view = cashier.checkout
    with cashier.ctx.db.read() as conn:
        before = ledger_repo.balance(conn, L.guide_account(GUIDE_ID))
    scan(qtbot, cashier, guide_badge(GUIDE_ID))
    assert view.guide.currentData() == GUIDE_ID
    scan(qtbot, cashier, "13912345678")
    scan(qtbot, cashier, "6901234567892")
    guide_points = view.current_quote.guide_points
    assert guide_points > 0
    qtbot.keyClick(view.scan_box, Qt.Key_Return)
    idle(qtbot, cashier)
    assert "done" in view.message.text()
    with cashier.ctx.db.read() as conn:
        assert ledger_repo.balance(conn, L.guide_account(GUIDE_ID)) == before + guide_points
    scan(qtbot, cashier, "G:nobody-here")
    assert "no shopping guide" in view.message.text().lower() or "导购" in view.message.text()

def test_a_coupons_signed_code_scanned_at_the_counter_is_taken_with_the_sale(qtbot, cashier):
    """A coupon of any store (DESIGN.md 11), scanned as its signed code: it joins the sale's coupons,
    checked, and the sale takes it off; scanned again for another sale, it is refused as used."""
    from datetime import timedelta

    from pos_app.domain.chain_codes import coupon_payload
    from pos_app.store import device_key

    view, ctx = cashier.checkout, cashier.ctx
    with ctx.db.write() as conn:  # a general coupon (any member, or none), as HQ hands them out
        _, key = device_key.signing_key(conn, ctx.who.store_id)
    qr = coupon_payload("GTESTCOUPON1", None, "CPN-5", ctx.now() + timedelta(days=7), 0, ctx.who.store_id, key)
    scan(qtbot, cashier, "6901234567892")      # oolong, ¥128
    scan(qtbot, cashier, qr)
    assert view.chosen_coupons() == [qr]
    assert view.current_quote.discount_fen == 500
    qtbot.keyClick(view.scan_box, Qt.Key_Return)
    idle(qtbot, cashier)
    assert "done" in view.message.text()
    scan(qtbot, cashier, "6901234567892")
    scan(qtbot, cashier, qr)
    assert "already used" in view.message.text()
