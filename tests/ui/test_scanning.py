"""Scans reach the screen in view: the keyboard-wedge scanner and the camera."""

from __future__ import annotations

from PySide6.QtCore import Qt

from bench.camera import write_video
from pos_app.services import members as members_uc
from tests.ui.conftest import WAIT_MS, idle


def wedge_scan(qtbot, widget, code: str) -> None:
    """A scanner's burst: every key within a few ms, then Enter (QTest types instantly)."""
    qtbot.keyClicks(widget, code)
    qtbot.keyClick(widget, Qt.Key_Return)


def test_a_wedge_scan_adds_the_item_whatever_field_has_focus(qtbot, cashier):
    cashier.wedge.enabled = True
    view = cashier.checkout
    view.received.setFocus()
    wedge_scan(qtbot, view.received, "6901234567953")       # lemon tea's EAN-13, into the cash field
    qtbot.waitUntil(lambda: len(view.cart.rows) == 1, timeout=WAIT_MS)
    idle(qtbot, cashier)
    assert view.cart.rows[0].sku == "LEMON-TEA"
    assert view.received.text() == ""                         # the digits did not land in the field
    assert cashier.checkout.cart.rows[0].qty == 1             # and Enter did not finish the sale


def test_a_wedge_scan_on_the_members_screen_opens_the_member_not_the_form(qtbot, cashier):
    cashier.wedge.enabled = True
    qtbot.keyClick(cashier, Qt.Key_F2)
    view = cashier.stack.currentWidget()
    view.new_member()
    member = members_uc.find_member(cashier.ctx, "15012340000")
    wedge_scan(qtbot, view.f_name, member.card_no)
    qtbot.waitUntil(lambda: view.statement is not None, timeout=WAIT_MS)
    assert view.statement.member.member_id == member.member_id
    assert view.f_name.text() == ""


def test_the_camera_feeds_the_cart(qtbot, cashier, tmp_path):
    video = write_video(tmp_path / "counter.avi", ["6901234567892", "6901234567977"])
    view = cashier.checkout
    view.camera_source = str(video)
    qtbot.keyClick(view.scan_box, Qt.Key_F9)
    assert view.camera.on and view.camera.isVisible()
    qtbot.waitUntil(lambda: len(view.cart.rows) == 2, timeout=WAIT_MS)
    idle(qtbot, cashier)
    assert [r.sku for r in view.cart.rows] == ["TEA-OOLONG", "SNACK-NUTS"]
    assert [r.qty for r in view.cart.rows] == [1, 1]          # each code once, though it filled 10 frames
    qtbot.keyClick(view.scan_box, Qt.Key_F9)
    assert not view.camera.on
