"""Manager flows by keys and clicks: register, redeem with the manager's PIN, refund, print."""

from __future__ import annotations

from PySide6.QtCore import Qt

from pos_app.services import catalog as catalog_uc
from pos_app.services import members as members_uc
from pos_app.services import refunds as refunds_uc
from pos_app.services.demo import MANAGER_ID
from tests.ui.conftest import WAIT_MS, idle, sign_in


def open_screen(qtbot, window, key) -> object:
    qtbot.keyClick(window, key)
    idle(qtbot, window)
    return window.stack.currentWidget()


def manager(qtbot, window):
    sign_in(qtbot, window, MANAGER_ID, "9999")
    qtbot.waitUntil(lambda: window.staff is not None, timeout=WAIT_MS)


def test_register_a_member_then_find_them_at_checkout(qtbot, cashier):
    view = open_screen(qtbot, cashier, Qt.Key_F2)
    qtbot.keyClick(view, Qt.Key_N, Qt.ControlModifier)
    qtbot.keyClicks(view.f_phone, "139 0000 1234")
    view.f_name.insert("周杰")  # Chinese arrives through the input method; QTest types ASCII only
    qtbot.keyClicks(view.f_pin, "2468")
    qtbot.keyClick(view.f_pin, Qt.Key_Return)
    idle(qtbot, cashier)
    assert "Registered 周杰" in view.message.text()
    member = members_uc.find_member(cashier.ctx, "13900001234")
    assert member.name == "周杰" and member.pin_hash

    checkout = open_screen(qtbot, cashier, Qt.Key_F1)
    qtbot.keyClicks(checkout.scan_box, member.card_no)
    qtbot.keyClick(checkout.scan_box, Qt.Key_Return)
    idle(qtbot, cashier)
    assert checkout.member_panel.statement.member.member_id == member.member_id


def test_registering_a_bad_phone_is_refused_and_stores_nothing(qtbot, cashier):
    view = open_screen(qtbot, cashier, Qt.Key_F2)
    view.new_member()
    qtbot.keyClicks(view.f_phone, "12345")
    view.f_name.insert("某人")
    qtbot.keyClick(view.f_name, Qt.Key_Return)
    idle(qtbot, cashier)
    assert "not a mobile phone number" in view.message.text()
    assert members_uc.search_members(cashier.ctx, "某人") == []


def test_redeem_a_gift_needs_the_managers_pin_above_the_threshold(qtbot, app_window):
    manager(qtbot, app_window)
    view = open_screen(qtbot, app_window, Qt.Key_F3)
    ctx = app_window.ctx
    member = members_uc.find_member(ctx, "13800138000")
    before = members_uc.member_statement(ctx, member.member_id).balance
    qtbot.keyClicks(view.member_box, "13800138000")
    qtbot.keyClick(view.member_box, Qt.Key_Return)
    idle(qtbot, app_window)
    cup = next(i for i in range(view.grid.count()) if view.grid.item(i).data(Qt.UserRole) == "GIFT-CUP")
    view.grid.setCurrentRow(cup)
    qtbot.keyClicks(view.member_pin, "123456")
    qtbot.keyClick(view.manager_pin, Qt.Key_Return)         # 800 points: under the 3000 threshold
    idle(qtbot, app_window)
    assert "redeemed for 800 points" in view.message.text()
    assert members_uc.member_statement(ctx, member.member_id).balance == before - 800
    stock = {o.gift.gift_id: o.stock for o in catalog_uc.gift_offers(ctx)}
    assert stock["GIFT-CUP"] == 39


def test_a_wrong_member_pin_redeems_nothing(qtbot, cashier):
    view = open_screen(qtbot, cashier, Qt.Key_F3)
    ctx = cashier.ctx
    member = members_uc.find_member(ctx, "13800138000")
    before = members_uc.member_statement(ctx, member.member_id).balance
    qtbot.keyClicks(view.member_box, "13800138000")
    qtbot.keyClick(view.member_box, Qt.Key_Return)
    idle(qtbot, cashier)
    view.grid.setCurrentRow(0)
    qtbot.keyClicks(view.member_pin, "000000")
    qtbot.mouseClick(view.redeem_button, Qt.LeftButton)
    idle(qtbot, cashier)
    assert "Wrong member PIN" in view.message.text()
    assert members_uc.member_statement(ctx, member.member_id).balance == before


def test_refund_one_line_with_the_managers_pin(qtbot, cashier):
    ctx = cashier.ctx
    checkout = cashier.checkout
    for code in ("13912345678", "TEA-JASMINE", "LEMON-TEA"):
        qtbot.keyClicks(checkout.scan_box, code)
        qtbot.keyClick(checkout.scan_box, Qt.Key_Return)
        idle(qtbot, cashier)
    qtbot.keyClick(checkout.scan_box, Qt.Key_Return)
    idle(qtbot, cashier)
    receipt_no = checkout.last_sale.receipt_no

    view = open_screen(qtbot, cashier, Qt.Key_F4)
    qtbot.keyClicks(view.receipt, receipt_no)
    qtbot.keyClick(view.receipt, Qt.Key_Return)
    idle(qtbot, cashier)
    lemon = next(i for i, s in enumerate(view.sold) if s.sku == "LEMON-TEA")
    view.table.cellWidget(lemon, 4).setValue(1)
    qtbot.keyClicks(view.reason, "spilled")
    qtbot.keyClicks(view.manager_pin, "1111")                # the cashier's PIN is not a manager's
    qtbot.keyClick(view.manager_pin, Qt.Key_Return)
    idle(qtbot, cashier)
    assert "manager" in view.message.text().lower()
    _sale, lines = refunds_uc.sale_lines(ctx, receipt_no)
    assert all(s.refunded_qty == 0 for s in lines)

    qtbot.keyClicks(view.manager_pin, "9999")
    qtbot.keyClick(view.manager_pin, Qt.Key_Return)
    idle(qtbot, cashier)
    assert "Refunded ¥12.00" in view.message.text()
    _sale, lines = refunds_uc.sale_lines(ctx, receipt_no)
    assert {s.sku: s.refunded_qty for s in lines} == {"TEA-JASMINE": 0, "LEMON-TEA": 1}


def test_print_the_last_receipt_to_pdf(qtbot, cashier, tmp_path):
    checkout = cashier.checkout
    checkout.receipt_dir = tmp_path / "receipts"
    for code in ("MILKTEA-M", ""):
        qtbot.keyClicks(checkout.scan_box, code)
        qtbot.keyClick(checkout.scan_box, Qt.Key_Return)
        idle(qtbot, cashier)
    qtbot.keyClick(checkout.scan_box, Qt.Key_F10)
    idle(qtbot, cashier)
    pdf = tmp_path / "receipts" / f"{checkout.last_sale.receipt_no}.pdf"
    assert pdf.exists()
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 1000


def test_settings_send_receipts_to_a_network_printer(qtbot, cashier):
    from tests.ui.test_receipt_printer import FakePrinter

    printer = FakePrinter()
    settings = open_screen(qtbot, cashier, Qt.Key_F8)
    settings.printer.setText("lpt1")
    assert not settings.save_printer()
    assert "unknown printer" in settings.message.text()
    settings.printer.setText(f"tcp://127.0.0.1:{printer.port}")
    settings.auto_print.setChecked(True)
    assert settings.save_printer()

    checkout = open_screen(qtbot, cashier, Qt.Key_F1)
    for code in ("SNACK-NUTS", ""):
        qtbot.keyClicks(checkout.scan_box, code)
        qtbot.keyClick(checkout.scan_box, Qt.Key_Return)
        idle(qtbot, cashier)
    qtbot.waitUntil(lambda: "printed" in checkout.message.text(), timeout=WAIT_MS)
    data = printer.wait()
    assert "每日坚果".encode("gb18030") in data
    assert checkout.last_sale.receipt_no.encode() in data


def test_print_a_label_batch_from_hq(qtbot, cashier, tmp_path):
    from datetime import datetime

    from pos_app.scanner.labels import create_batch, generate_key, load_private_key, write_batch

    key_file = tmp_path / "hq-label.pem"
    generate_key(key_file)
    batch = create_batch(sku="TEA-OOLONG", name="铁观音乌龙茶 250g", count=12, prizes="8:6,28:4,68:2",
                         key=load_private_key(key_file), now=datetime(2026, 11, 25, 8))
    view = open_screen(qtbot, cashier, Qt.Key_F6)
    path = write_batch(batch, view.folder)
    view.shown()
    listed = [view.files.item(i).data(Qt.UserRole) for i in range(view.files.count())]
    assert str(path) in listed and len(listed) == 2    # this batch and the demo's signed one
    view.files.itemClicked.emit(view.files.item(listed.index(str(path))))
    qtbot.waitUntil(view.print_button.isEnabled, timeout=WAIT_MS)
    assert "12" in view.summary.text() and "TEA-OOLONG" in view.summary.text()
    qtbot.mouseClick(view.print_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: "saved" in view.message.text(), timeout=WAIT_MS)
    pdf = view.folder / "print" / f"batch-{batch.batch}.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")


def test_a_tampered_batch_file_is_refused(qtbot, cashier, tmp_path):
    from datetime import datetime

    from pos_app.scanner.labels import create_batch, generate_key, load_private_key, write_batch

    generate_key(tmp_path / "k.pem")
    batch = create_batch(sku="MUG-LOGO", name="品牌马克杯", count=3, prizes="20", key=load_private_key(tmp_path / "k.pem"),
                         now=datetime(2026, 11, 25, 8))
    view = open_screen(qtbot, cashier, Qt.Key_F6)
    path = write_batch(batch, view.folder)
    text = path.read_text(encoding="utf-8")
    cut = text.rindex('"points": 20')                 # the last label's points, not the prize table's
    path.write_text(text[:cut] + '"points": 200' + text[cut + len('"points": 20'):], encoding="utf-8")
    view.open_batch(path)
    qtbot.waitUntil(lambda: view.message.text() != "", timeout=WAIT_MS)
    assert "does not verify: the file was altered" in view.message.text()
    assert not view.print_button.isEnabled()


def test_adjust_then_a_large_redemption_needs_and_gets_the_managers_pin(qtbot, cashier):
    ctx = cashier.ctx
    member = members_uc.find_member(ctx, "13688889999")
    desk = open_screen(qtbot, cashier, Qt.Key_F5)
    qtbot.keyClicks(desk.member_box, "13688889999")
    qtbot.keyClick(desk.member_box, Qt.Key_Return)
    idle(qtbot, cashier)
    desk.adjust_points.setValue(5000)
    qtbot.keyClicks(desk.adjust_reason, "store opening gift")
    qtbot.keyClicks(desk.manager_pin, "9999")
    desk.adjust()
    idle(qtbot, cashier)
    assert "Adjustment recorded" in desk.message.text()
    before = members_uc.member_statement(ctx, member.member_id).balance

    gifts = open_screen(qtbot, cashier, Qt.Key_F3)
    qtbot.keyClicks(gifts.member_box, "13688889999")
    qtbot.keyClick(gifts.member_box, Qt.Key_Return)
    idle(qtbot, cashier)
    cup = next(i for i in range(gifts.grid.count()) if gifts.grid.item(i).data(Qt.UserRole) == "GIFT-CUP")
    gifts.grid.setCurrentRow(cup)
    gifts.qty.setValue(4)                                    # 3,200 points: over the 3,000 threshold
    qtbot.keyClicks(gifts.member_pin, "123456")
    qtbot.keyClick(gifts.manager_pin, Qt.Key_Return)         # no manager PIN typed
    idle(qtbot, cashier)
    assert "manager" in gifts.message.text().lower()
    assert members_uc.member_statement(ctx, member.member_id).balance == before

    qtbot.keyClicks(gifts.member_pin, "123456")
    qtbot.keyClicks(gifts.manager_pin, "9999")
    qtbot.keyClick(gifts.manager_pin, Qt.Key_Return)
    idle(qtbot, cashier)
    assert "redeemed for 3,200 points" in gifts.message.text()
    assert members_uc.member_statement(ctx, member.member_id).balance == before - 3200


def test_a_coupon_bought_with_points_applies_at_checkout(qtbot, cashier):
    ctx = cashier.ctx
    desk = open_screen(qtbot, cashier, Qt.Key_F5)
    qtbot.keyClicks(desk.member_box, "13800138000")
    qtbot.keyClick(desk.member_box, Qt.Key_Return)
    idle(qtbot, cashier)
    desk.coupon_type.setCurrentIndex(desk.coupon_type.findData("CPN-5"))   # ¥5 off ¥50, 400 points
    qtbot.keyClicks(desk.member_pin, "123456")
    desk.buy_coupon()
    idle(qtbot, cashier)
    assert "issued" in desk.message.text()

    checkout = open_screen(qtbot, cashier, Qt.Key_F1)
    for code in ("13800138000", "SNACK-NUTS"):               # ¥99
        qtbot.keyClicks(checkout.scan_box, code)
        qtbot.keyClick(checkout.scan_box, Qt.Key_Return)
        idle(qtbot, cashier)
    assert checkout.coupons.count() == 1
    checkout.coupons.item(0).setCheckState(Qt.Checked)
    idle(qtbot, cashier)
    assert checkout.current_quote.discount_fen == 500
    assert checkout.current_quote.due_fen == 9900 - 500
    qtbot.keyClick(checkout.scan_box, Qt.Key_F12)
    idle(qtbot, cashier)
    assert checkout.last_sale.quote.due_fen == 9400
    member = members_uc.find_member(ctx, "13800138000")
    from pos_app.services import catalog as catalog_uc
    assert catalog_uc.member_coupons(ctx, member.member_id) == []     # used: no longer offered


def test_the_members_phone_code_replaces_the_pin_once_and_a_replayed_code_is_refused(qtbot, cashier):
    from pos_app.services.demo import demo_member_code

    view = open_screen(qtbot, cashier, Qt.Key_F3)
    ctx = cashier.ctx
    member = members_uc.find_member(ctx, "13800138000")
    before = members_uc.member_statement(ctx, member.member_id).balance
    code = demo_member_code(ctx, "13800138000")
    view.scanned(code)                                       # the wedge scanner reads the member's phone
    idle(qtbot, cashier)
    assert view.member is not None and view.member.member_id == member.member_id and view.member_code
    bags = next(i for i in range(view.grid.count()) if view.grid.item(i).data(Qt.UserRole) == "GIFT-TEABAG")
    view.grid.setCurrentRow(bags)
    qtbot.mouseClick(view.redeem_button, Qt.LeftButton)      # no member PIN typed
    idle(qtbot, cashier)
    assert "redeemed for 300 points" in view.message.text()
    assert members_uc.member_statement(ctx, member.member_id).balance == before - 300

    view.scanned(code)                                       # the same code shown again
    idle(qtbot, cashier)
    assert "already used" in view.message.text()
    qtbot.mouseClick(view.redeem_button, Qt.LeftButton)      # the proof was good for one redemption
    idle(qtbot, cashier)
    assert members_uc.member_statement(ctx, member.member_id).balance == before - 300
