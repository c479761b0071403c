"""Issue 16's ten counter items, as a cashier meets them (each failed on the main of its day)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit

from pos_app.services import members as members_uc
from pos_app.services import reports as reports_uc
from pos_app.services.demo import MANAGER_ID
from tests.ui.conftest import WAIT_MS, idle, sign_in

ROOT = Path(__file__).resolve().parents[2]


def scan(qtbot, window, text: str) -> None:
    box = window.checkout.scan_box
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key_Return)
    idle(qtbot, window)


def open_screen(qtbot, window, key) -> object:
    qtbot.keyClick(window, key)
    idle(qtbot, window)
    return window.stack.currentWidget()


def type_ahead(text: str) -> None:
    """Keys as a person types them: each to whatever has focus at that moment, with no
    event processing between them (the DB worker's answers wait in the queue)."""
    for ch in text:
        QTest.keyClick(QApplication.focusWidget(), ch)


def events_of(ctx, member_id: str, kind: str) -> int:
    return sum(h.kind == kind for h in members_uc.member_statement(ctx, member_id, history_limit=500).history)


@pytest.fixture
def zh_cashier(qtbot, tmp_path):
    from pos_app.ui.app import build

    window, _runner = build(tmp_path / "store", lang="zh_CN")
    qtbot.addWidget(window)
    window.show()
    window.wedge.enabled = False
    qtbot.waitUntil(lambda: window.ctx is not None and window.signin.staff_id is not None, timeout=WAIT_MS)
    sign_in(qtbot, window)
    qtbot.waitUntil(lambda: window.staff is not None, timeout=WAIT_MS)
    yield window
    window.wedge.uninstall()
    window.shutdown()
    from pos_app.ui import i18n

    i18n.install(QApplication.instance(), "en")


# 1 ---------------------------------------------------------------------------------------------
def test_the_finished_sale_shows_change_points_and_balance_big_until_the_next_scan(qtbot, cashier):
    view = cashier.checkout
    scan(qtbot, cashier, "13912345678")
    scan(qtbot, cashier, "SNACK-DATES")                   # ¥39
    qtbot.keyClicks(view.received, "100")
    qtbot.keyClick(view.received, Qt.Key_Return)
    idle(qtbot, cashier)
    sale = view.last_sale
    assert sale is not None and view.cart.rows == []
    assert view.done.isVisible() and not view.totals.isVisible()
    assert "¥61.00" in view.done.change.text()
    view.done.change.ensurePolished()
    assert view.done.change.font().pixelSize() >= 36       # big: read from across the counter
    assert f"balance {sale.balance_after:,}" in view.done.points.text()
    assert f"+{sale.points_earned}" in view.done.points.text()
    # the receipt is offered (the setting does not print every one): one click prints it
    assert view.done.print_button.isVisible()
    view.done.print_button.click()
    assert (cashier.checkout.receipt_dir / f"{sale.receipt_no}.pdf").exists()
    scan(qtbot, cashier, "LEMON-TEA")                     # the next customer
    assert not view.done.isVisible() and view.totals.isVisible()


def test_the_receipt_setting_prints_every_receipt(qtbot, cashier):
    from pos_app.ui.app import configure_printer

    view = cashier.checkout
    configure_printer(cashier, "", True)
    scan(qtbot, cashier, "LEMON-TEA")
    qtbot.keyClick(view.scan_box, Qt.Key_Return)
    idle(qtbot, cashier)
    assert (view.receipt_dir / f"{view.last_sale.receipt_no}.pdf").exists()
    assert not view.done.print_button.isVisible()


# 2 ---------------------------------------------------------------------------------------------
def test_a_refused_points_amount_shows_no_stale_total_and_f12_says_why(qtbot, cashier):
    view = cashier.checkout
    ctx = cashier.ctx
    sales_before = reports_uc.day_report(ctx).sales_count
    scan(qtbot, cashier, "13800138000")                   # 1,171 points
    scan(qtbot, cashier, "6901234567892")                 # oolong, ¥128
    view.cash_points.setValue(200)                         # a fine quote first: −¥2.00
    idle(qtbot, cashier)
    assert view.current_quote is not None and view.current_quote.cash_fen == 200, view.message.text()
    view.cash_points.setValue(200000)                      # then more points than the member has
    idle(qtbot, cashier)
    assert view.current_quote is None and view.due.text() == "—"
    assert "¥2.00" not in view.discounts.text()           # not the quote of the keystroke before
    assert "Not enough points" in view.message.text() and "200,000 needed" in view.message.text()
    view.message.setText("")
    qtbot.keyClick(view.scan_box, Qt.Key_F12)
    idle(qtbot, cashier)
    assert "Not enough points" in view.message.text()     # never silently
    assert reports_uc.day_report(ctx).sales_count == sales_before


# 3 ---------------------------------------------------------------------------------------------
def test_a_mistyped_barcode_is_a_wrong_check_digit_and_an_unknown_one_says_so(qtbot, zh_cashier):
    view = zh_cashier.checkout
    scan(qtbot, zh_cashier, "6901234567893")               # one digit off
    assert "校验位" in view.message.text() and "篡改" not in view.message.text()
    scan(qtbot, zh_cashier, "6900000000007")               # a good EAN-13 no product has
    assert "没有编码为 6900000000007 的商品" in view.message.text()
    assert view.cart.rows == []


# 4 ---------------------------------------------------------------------------------------------
def test_one_click_draws_once_and_the_members_pin_clears_after_each_use(qtbot, cashier):
    ctx = cashier.ctx
    member = members_uc.find_member(ctx, "13800138000")
    desk = open_screen(qtbot, cashier, Qt.Key_F5)
    qtbot.keyClicks(desk.member_box, "13800138000")
    qtbot.keyClick(desk.member_box, Qt.Key_Return)
    idle(qtbot, cashier)
    qtbot.keyClicks(desk.member_pin, "123456")
    draws = events_of(ctx, member.member_id, "lottery_draw")
    qtbot.mouseDClick(desk.draw_button, Qt.LeftButton)     # a double click ...
    qtbot.mouseClick(desk.draw_button, Qt.LeftButton)      # ... and one more for luck
    idle(qtbot, cashier)
    assert events_of(ctx, member.member_id, "lottery_draw") == draws + 1
    assert desk.member_pin.text() == ""
    assert "seed" not in desk.message.text().lower()       # the member hears the prize, not the seed
    donations = events_of(ctx, member.member_id, "donation")
    desk.donation.setValue(100)
    qtbot.mouseClick(desk.donate_button, Qt.LeftButton)     # no PIN typed again: refused
    idle(qtbot, cashier)
    assert "PIN" in desk.message.text()
    assert events_of(ctx, member.member_id, "donation") == donations


# 5 ---------------------------------------------------------------------------------------------
def test_sign_in_shows_which_staff_member_is_chosen(qtbot, app_window):
    signin = app_window.signin
    names = signin._names
    signin.choose(MANAGER_ID)
    assert names[MANAGER_ID] in signin.chosen.text() and signin.chosen.isVisible()
    assert names[MANAGER_ID] in signin.pin.placeholderText()
    chosen = signin._staff_buttons[MANAGER_ID]
    other = next(b for sid, b in signin._staff_buttons.items() if sid != MANAGER_ID)
    # the chosen button looks different from the others, not only "checked" in the code
    def colour(button) -> QColor:
        return button.grab().toImage().pixelColor(QPoint(button.width() // 2, 6))
    assert colour(chosen) != colour(other)


# 6 ---------------------------------------------------------------------------------------------
def test_a_held_gift_prints_a_pickup_slip_with_its_qr_and_the_grid_keeps_its_room(qtbot, app_window):
    sign_in(qtbot, app_window, MANAGER_ID, "9999")
    qtbot.waitUntil(lambda: app_window.staff is not None, timeout=WAIT_MS)
    app_window.resize(1366, 768)
    view = open_screen(qtbot, app_window, Qt.Key_F3)
    grid_before = view.grid.width()
    qtbot.keyClicks(view.member_box, "13800138000")
    qtbot.keyClick(view.member_box, Qt.Key_Return)
    idle(qtbot, app_window)
    cup = next(i for i in range(view.grid.count()) if view.grid.item(i).data(Qt.UserRole) == "GIFT-CUP")
    view.grid.setCurrentRow(cup)
    view.hand_over.setChecked(False)
    qtbot.keyClicks(view.member_pin, "123456")
    qtbot.keyClick(view.manager_pin, Qt.Key_Return)
    idle(qtbot, app_window)
    held = view.last
    assert held.status == "held"
    assert "PM1:" not in view.message.text() and len(view.message.text()) < 160
    slip = view.slip_dir / f"pickup-{held.redemption_id}.pdf"
    assert slip.exists() and slip.read_bytes().startswith(b"%PDF")
    assert view.pickup_qr.isVisible() and view.pickup_qr.pixmap() is not None
    qtbot.wait(50)
    assert view.grid.width() >= grid_before - 20           # not squeezed into a strip
    # and the held gift can be voided here, with the manager's PIN
    assert view.held.count() == 1
    qtbot.keyClicks(view.manager_pin, "9999")
    view.void_button.click()
    idle(qtbot, app_window)
    assert "voided" in view.message.text()
    assert view.held_panel.isHidden()


# 7 ---------------------------------------------------------------------------------------------
def test_the_highlighted_item_of_a_drop_down_is_readable(qtbot, cashier):
    desk = open_screen(qtbot, cashier, Qt.Key_F5)
    combo = desk.coupon_type
    qtbot.waitUntil(lambda: combo.count() >= 2, timeout=WAIT_MS)
    combo.showPopup()
    view = combo.view()
    qtbot.waitUntil(view.isVisible, timeout=WAIT_MS)
    view.setCurrentIndex(combo.model().index(1, 0))
    rect = view.visualRect(combo.model().index(1, 0))
    image = view.viewport().grab(rect).toImage()
    colours = {image.pixelColor(x, y).lightness() for x in range(image.width()) for y in range(image.height())}
    combo.hidePopup()
    # text and background differ: dark text on light, or light text on a coloured bar
    background = image.pixelColor(2, image.height() // 2)
    assert background.lightness() < 200, background.name()  # the highlight is a bar, not white
    assert max(colours) - min(colours) > 110, sorted(colours)


# 8 ---------------------------------------------------------------------------------------------
def clipped_labels(root) -> list[str]:
    """Visible one-line labels narrower than their text, and wrapped ones shorter than it."""
    from PySide6.QtWidgets import QLabel

    out = []
    for lb in root.findChildren(QLabel):
        if not lb.isVisible() or not lb.text() or lb.pixmap() is not None and not lb.pixmap().isNull():
            continue
        if lb.wordWrap():
            if lb.heightForWidth(lb.width()) > lb.height() + 2:
                out.append(lb.text())
        elif lb.sizeHint().width() > lb.width() + 2:
            out.append(lb.text())
    return out


def test_the_window_starts_maximised(app_window):
    assert app_window.windowState() & Qt.WindowMaximized


@pytest.mark.parametrize("size", [(1366, 768), (1024, 768)])
def test_the_checkout_reads_fully_with_a_big_sale(qtbot, cashier, size):
    cashier.setWindowState(Qt.WindowNoState)
    cashier.resize(*size)
    view = cashier.checkout
    scan(qtbot, cashier, "13800138000")                   # 1,171 points: the comma must show
    for _ in range(3):
        scan(qtbot, cashier, "6901234567892")
    view.table.selectRow(0)
    view.cart.set_qty(0, 999)                               # ¥127,872.00
    view.requote()
    idle(qtbot, cashier)
    qtbot.wait(50)
    assert clipped_labels(cashier) == []
    balance = view.member_panel.balance
    assert "," in balance.text() and balance.sizeHint().width() <= balance.width()


def test_refund_quantity_boxes_and_gift_tiles_are_not_cut(qtbot, zh_cashier):
    window = zh_cashier
    window.setWindowState(Qt.WindowNoState)
    window.resize(1366, 768)
    scan(qtbot, window, "13800138000")
    scan(qtbot, window, "6901234567892")
    qtbot.keyClick(window.checkout.scan_box, Qt.Key_Return)
    idle(qtbot, window)
    refunds = open_screen(qtbot, window, Qt.Key_F4)
    refunds.receipt.setText(window.checkout.last_sale.receipt_no)
    refunds.load_sale()
    idle(qtbot, window)
    qtbot.wait(50)
    spin = refunds.table.cellWidget(0, 4)
    assert spin.height() >= spin.minimumSizeHint().height() and spin.width() >= spin.minimumSizeHint().width()
    gifts = open_screen(qtbot, window, Qt.Key_F3)
    qtbot.waitUntil(lambda: gifts.grid.count() > 0, timeout=WAIT_MS)
    fm, cell = gifts.grid.fontMetrics(), gifts.grid.gridSize()
    for i in range(gifts.grid.count()):
        lines = gifts.grid.item(i).text().split("\n")
        assert all(fm.horizontalAdvance(ln) <= cell.width() - 8 for ln in lines), lines  # no "银…"
        assert gifts.grid.iconSize().height() + len(lines) * fm.lineSpacing() <= cell.height(), lines


# 9 ---------------------------------------------------------------------------------------------
def test_every_refusal_the_services_can_give_has_a_translated_sentence():
    from pos_app.domain.codes import Reason
    from pos_app.ui.messages import _TEXTS

    codes = {f"scan.{r.value}" for r in Reason}
    for path in (ROOT / "pos_app").rglob("*.py"):
        if "ui" not in path.parts:
            codes |= set(re.findall(r'(?:problem|refuse)\(\s*"([a-z_]+\.[a-z_]+)"', path.read_text(encoding="utf-8")))
    assert sorted(codes - set(_TEXTS)) == []


def test_the_chinese_counter_shows_no_english(qtbot, zh_cashier, tmp_path, monkeypatch):
    view = zh_cashier.checkout
    scan(qtbot, zh_cashier, "13912345678")
    scan(qtbot, zh_cashier, "LEMON-TEA")
    view.cash_points.setValue(150)                          # not a whole step of 100
    idle(qtbot, zh_cashier)
    assert "100" in view.message.text() and not re.search(r"[A-Za-z]{3,}", view.message.text())
    view.cash_points.setValue(0)
    qtbot.keyClicks(view.received, "99999999999")           # out of range
    qtbot.keyClick(view.received, Qt.Key_Return)
    idle(qtbot, zh_cashier)
    assert view.message.text() and not re.search(r"[A-Za-z]{3,}", view.message.text())
    view.received.clear()
    qtbot.keyClick(view.scan_box, Qt.Key_Return)
    idle(qtbot, zh_cashier)
    from pos_app.ui.receipt import receipt_lines

    lines = receipt_lines(view.last_sale, "店", "收银员")
    assert any("现金" in ln for ln in lines) and not any("cash" in ln.lower() for ln in lines)
    reports = open_screen(qtbot, zh_cashier, Qt.Key_F7)
    assert not [k for k, _v in reports.rows() if "cash" in k.lower()]
    target = tmp_path / "报表.csv"
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **kw: (str(target), "CSV (*.csv)"))
    assert reports.export_csv() == target
    header, first = target.read_text(encoding="utf-8-sig").splitlines()[:2]
    assert "销售额" in header and not re.search(r"[A-Za-z]{3,}", header)
    assert re.search(r"\d+\.\d\d", first)                   # money in yuan, not in fen


# 10 --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("key", [Qt.Key_F3, Qt.Key_F5])
def test_a_pin_typed_while_the_member_is_looked_up_goes_to_the_pin_field(qtbot, cashier, key):
    view = open_screen(qtbot, cashier, key)
    view.member_box.setFocus()
    qtbot.keyClicks(view.member_box, "13912345678")
    qtbot.keyClick(view.member_box, Qt.Key_Return)
    type_ahead("123456")                                     # before the lookup is answered
    idle(qtbot, cashier)
    assert view.member_box.text() == "13912345678"          # never the PIN, in clear
    assert view.member_pin.text() == "123456" and view.member_pin.echoMode() == QLineEdit.EchoMode.Password
    assert QApplication.focusWidget() is view.member_pin


def test_digits_typed_after_finishing_stay_in_the_field_they_were_typed_in(qtbot, cashier):
    view = cashier.checkout
    scan(qtbot, cashier, "LEMON-TEA")
    qtbot.keyClick(view.scan_box, Qt.Key_Return)            # finish ...
    view.member_pin.setFocus()                               # ... and the next member starts their PIN
    type_ahead("1234")
    idle(qtbot, cashier)
    assert QApplication.focusWidget() is view.member_pin    # the answer did not pull focus away
    assert view.scan_box.text() == "" and view.received.text() == ""
