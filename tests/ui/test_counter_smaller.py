"""Issue 16's "Smaller" list at the counter: quantities, Esc, language, refunds, reports, F-keys,
the guide, a member's edit."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QShortcut
from PySide6.QtWidgets import QFileDialog, QMessageBox

from pos_app.services import members as members_uc
from pos_app.services import reports as reports_uc
from pos_app.ui.chart import nice_ticks
from tests.ui.conftest import idle


def scan(qtbot, window, text: str) -> None:
    box = window.checkout.scan_box
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key_Return)
    idle(qtbot, window)


def open_screen(qtbot, window, key) -> object:
    qtbot.keyClick(window, key)
    idle(qtbot, window)
    return window.stack.currentWidget()


def test_minus_on_a_one_item_line_keeps_it_and_quantities_can_be_typed(qtbot, cashier):
    view = cashier.checkout
    scan(qtbot, cashier, "LEMON-TEA")
    qtbot.keyClick(view.scan_box, Qt.Key_Minus)
    idle(qtbot, cashier)
    assert [(r.sku, r.qty) for r in view.cart.rows] == [("LEMON-TEA", 1)]   # not deleted silently
    assert "Delete" in view.message.text()
    scan(qtbot, cashier, "*5")                                               # the selected line: 5
    assert [(r.sku, r.qty) for r in view.cart.rows] == [("LEMON-TEA", 5)]
    scan(qtbot, cashier, "3*MILKTEA-L")                                      # three of a product
    assert [(r.sku, r.qty) for r in view.cart.rows] == [("LEMON-TEA", 5), ("MILKTEA-L", 3)]
    assert view.current_quote.subtotal_fen == 5 * 1200 + 3 * 1800
    assert not view.cart.setData(view.cart.index(0, 1), "abc")              # typed into the cell: refused
    assert "1 to 999" in view.message.text()
    assert view.cart.setData(view.cart.index(0, 1), "2")
    idle(qtbot, cashier)
    assert view.current_quote.subtotal_fen == 2 * 1200 + 3 * 1800
    scan(qtbot, cashier, "0*LEMON-TEA")                                      # never a line of nothing
    assert [(r.sku, r.qty) for r in view.cart.rows] == [("LEMON-TEA", 2), ("MILKTEA-L", 3)]


def test_esc_asks_before_clearing_and_no_is_the_default(qtbot, cashier, monkeypatch):
    asked = []

    def question(parent, title, text, buttons, default):
        asked.append(default)
        return QMessageBox.No

    monkeypatch.setattr(QMessageBox, "question", question)
    view = cashier.checkout
    scan(qtbot, cashier, "LEMON-TEA")
    qtbot.keyClick(view.scan_box, Qt.Key_Escape)
    assert asked == [QMessageBox.No] and len(view.cart.rows) == 1


def test_switching_language_with_a_sale_open_asks_and_keeps_it(qtbot, cashier, monkeypatch):
    from PySide6.QtCore import QProcess

    asked, restarted = [], []
    monkeypatch.setattr(QMessageBox, "question", lambda *a: asked.append(a[2]) or QMessageBox.No)
    monkeypatch.setattr(QProcess, "startDetached", lambda *a: restarted.append(a))
    scan(qtbot, cashier, "LEMON-TEA")
    settings = open_screen(qtbot, cashier, Qt.Key_F8)
    before = cashier.settings.value("language")
    settings.language.setCurrentIndex(settings.language.findData("zh_CN"))
    settings.apply_language()
    assert asked and "1 item" in asked[0]
    assert restarted == [] and cashier.settings.value("language") == before
    assert len(cashier.checkout.cart.rows) == 1


def test_a_refund_picks_a_sale_of_today_and_the_receipt_carries_its_qr(qtbot, cashier):
    view = cashier.checkout
    scan(qtbot, cashier, "LEMON-TEA")
    qtbot.keyClick(view.scan_box, Qt.Key_Return)
    idle(qtbot, cashier)
    receipt_no = view.last_sale.receipt_no
    pdf = view.print_receipt()
    assert pdf is not None and pdf.read_bytes().count(b"/Subtype /Image") >= 1   # the QR is on it
    refunds = open_screen(qtbot, cashier, Qt.Key_F4)
    idle(qtbot, cashier)
    assert refunds.today.count() >= 1
    first = refunds.today.item(0)
    assert first.data(Qt.UserRole) == receipt_no                              # newest first
    refunds.today.itemClicked.emit(first)
    idle(qtbot, cashier)
    assert refunds.sale is not None and refunds.sale["receipt_no"] == receipt_no
    refunds.scanned(receipt_no)                                               # a scan of the receipt's QR
    idle(qtbot, cashier)
    assert refunds.sale["receipt_no"] == receipt_no


def test_the_report_chart_has_a_value_axis_and_csv_goes_where_asked(qtbot, cashier, tmp_path, monkeypatch):
    assert nice_ticks(1171) == [0, 500, 1000, 1500]
    assert nice_ticks(0) == [0, 1] and nice_ticks(37) == [0, 10, 20, 30, 40]
    reports = open_screen(qtbot, cashier, Qt.Key_F7)
    image = reports.chart.grab().toImage()
    assert image.width() > 0
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: home))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **kw: ("", ""))   # the manager cancels
    assert reports.export_csv() is None and list(home.iterdir()) == []


def test_f_keys_work_from_anywhere_in_the_app(cashier):
    keys = {f"F{i}" for i in range(1, 9)}
    shortcuts = [s for s in cashier.findChildren(QShortcut) if s.key().toString() in keys]
    assert {s.key().toString() for s in shortcuts} == keys
    assert all(s.context() == Qt.ApplicationShortcut for s in shortcuts)     # also right after a dialog


def test_the_guide_who_served_the_customer_can_be_chosen(qtbot, cashier):
    from pos_app.services.demo import GUIDE_ID

    view = cashier.checkout
    qtbot.waitUntil(lambda: view.guide.findData(GUIDE_ID) >= 0)
    scan(qtbot, cashier, "13800138000")
    scan(qtbot, cashier, "6901234567892")
    view.guide.setCurrentIndex(view.guide.findData(GUIDE_ID))
    qtbot.keyClick(view.scan_box, Qt.Key_Return)
    idle(qtbot, cashier)
    assert view.last_sale.guide_points > 0
    assert view.guide.currentData() is None                                   # the next sale starts without


def test_a_members_name_is_edited_and_a_new_phone_needs_their_proof(qtbot, cashier):
    ctx = cashier.ctx
    member = members_uc.find_member(ctx, "15012340000")
    page = open_screen(qtbot, cashier, Qt.Key_F2)
    page.open_member(member.member_id)
    idle(qtbot, cashier)
    page.edit_button.click()
    assert page.pages.currentIndex() == 2 and page.e_name.text() == member.name
    page.e_phone.setText("15012349999")
    page.save_button.click()
    idle(qtbot, cashier)
    assert "PIN" in page.message.text()                                        # no proof: refused
    assert members_uc.find_member(ctx, "15012340000").member_id == member.member_id
    page.e_name.setText("陈静静")
    page.e_phone.setText("15012349999")
    page.e_proof.setText("123456")
    page.save_button.click()
    idle(qtbot, cashier)
    edited = members_uc.find_member(ctx, "15012349999")
    assert (edited.member_id, edited.name) == (member.member_id, "陈静静")
    assert page.e_proof.text() == ""
    assert reports_uc.check_ledger(ctx).ok


def test_every_side_menu_label_fits_its_button(qtbot, cashier):
    """The side menu is 180 pixels wide: a longer English name ("F11  My guide points") was cut off."""
    idle(qtbot, cashier)
    buttons = cashier.nav_group.buttons()
    assert len(buttons) >= 9 and "F11  Guide points" in [b.text() for b in buttons]
    assert [b.text() for b in buttons if b.sizeHint().width() > b.width()] == []
