"""My guide points (F11): a guide signed in at the till sees their balance, what is held for withdrawals,
their recent earnings and each withdrawal's state, in English and in Chinese. The withdrawals arrive as
HQ's events through the pull applier, as they do from a real HQ (tests/sync/test_guide_points.py)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from pos_app.domain import ledger as L
from pos_app.domain.ledger import payload_hash
from pos_app.services import guides as guides_uc
from pos_app.services import refunds
from pos_app.services.demo import CASHIER_ID, DEMO_PINS, GUIDE_ID, MANAGER_ID
from pos_app.store import ledger_repo
from pos_app.sync import pull
from pos_app.sync.wire import PullItem, PullResponse
from pos_app.ui.app import build
from tests.ui.conftest import WAIT_MS, idle, sign_in

ACCOUNT = L.guide_account(GUIDE_ID)


def _hq_event(seq: int, kind: str, payload: dict) -> PullItem:
    event = {"event_id": str(uuid.uuid4()), "kind": kind, "store_id": "hq", "device_id": "hq", "device_seq": seq,
             "device_time": datetime(2026, 12, 7, 10, seq).isoformat(), "staff_id": None, "rule_version": 1,
             "member_id": None, "payload": payload, "payload_hash": payload_hash(payload), "hq_seq": seq,
             "status": "applied"}
    return PullItem(hq_seq=seq, type="event", key=event["event_id"], data=event)


def withdrawals_from_hq(ctx, held: int, paid: int, refused: int) -> dict[str, str]:
    """Three withdrawals as HQ writes them (hq_server.programme.withdrawals): each a hold of the guide's
    points into HQ's suspense; then one paid out, one refused (the points back into their lot)."""
    with ctx.db.read() as conn:
        lot = max(ledger_repo.lots_of(conn, ACCOUNT), key=lambda x: x.remaining)
    assert lot.remaining >= held + paid + refused, "the demo's sales paid the guide enough"
    ids = {"pending": str(uuid.uuid4()), "approved": str(uuid.uuid4()), "refused": str(uuid.uuid4())}
    items, seq = [], 0
    for state, points in (("pending", held), ("approved", paid), ("refused", refused)):
        seq += 1
        items.append(_hq_event(seq, "redeem_hold", {
            "purpose": "withdrawal", "withdrawal_id": ids[state], "points": points, "account": ACCOUNT,
            "lots": [[lot.lot_id, points]], "postings": [[ACCOUNT, -points], [L.suspense("hq"), points]]}))
    seq += 1
    items.append(_hq_event(seq, "redeem_post", {"purpose": "withdrawal", "withdrawal_id": ids["approved"],
                                                "postings": [[L.suspense("hq"), -paid],
                                                             [L.store_redeemed("hq"), paid]]}))
    seq += 1
    items.append(_hq_event(seq, "redeem_void", {"purpose": "withdrawal", "withdrawal_id": ids["refused"],
                                                "lots": [[lot.lot_id, -refused]],
                                                "postings": [[L.suspense("hq"), -refused], [ACCOUNT, refused]]}))
    result = pull.apply_page(ctx.db, PullResponse(items=items, cursor=seq, more=False))
    assert result.problems == [] and result.applied == len(items)
    return ids


def refund_a_guides_sale(ctx) -> tuple[str, int]:
    """A manager refunds one of the demo's sales the guide served, wholly: the guide's points for it go
    back (pos_app.services.refunds). Returns the sale's receipt number and the guide's points it took."""
    with ctx.db.read() as conn:
        receipt, points = conn.exec_driver_sql(
            "SELECT receipt_no, guide_points FROM sales WHERE guide_id = ? ORDER BY receipt_no LIMIT 1",
            (GUIDE_ID,)).one()
    refunds.refund(ctx, staff_id=MANAGER_ID, sale=receipt, reason="customer return",
                   approver_pin=DEMO_PINS["manager"])
    return receipt, points


def earnings_rows(view) -> list[tuple[str, str, str]]:
    """The earnings list as shown: (what, receipt, points) per row."""
    return [tuple(view.earnings.item(r, c).text() for c in (1, 2, 3)) for r in range(view.earnings.rowCount())]


def open_guide_points(qtbot, window):
    qtbot.keyClick(window, Qt.Key_F11)
    idle(qtbot, window)
    view = window.stack.currentWidget()
    assert type(view).__name__ == "GuidePointsView"
    return view


def test_a_guide_sees_their_points_earnings_and_withdrawal_states(qtbot, app_window):
    sign_in(qtbot, app_window, GUIDE_ID, DEMO_PINS["guide"])
    qtbot.waitUntil(lambda: app_window.staff is not None, timeout=WAIT_MS)
    ctx = app_window.ctx
    view = open_guide_points(qtbot, app_window)
    before = guides_uc.guide_points(ctx, GUIDE_ID)
    assert before.balance > 0 and before.earnings, "the demo's sales named this guide"
    assert view.balance.text() == f"{before.balance:,}" and view.held.text() == "0"
    assert view.earnings.rowCount() == len(before.earnings)
    assert {view.earnings.item(r, 1).text() for r in range(view.earnings.rowCount())} == {"Sale served"}
    receipts = {view.earnings.item(r, 2).text() for r in range(view.earnings.rowCount())}
    assert receipts == {e.receipt_no for e in before.earnings} and "—" not in receipts
    assert sum(int(view.earnings.item(r, 3).text().replace(",", "")) for r in range(view.earnings.rowCount())) \
        == sum(e.points for e in before.earnings)
    assert view.withdrawals.rowCount() == 0 and view.no_withdrawals.isVisible()
    assert "points mall" in view.how_to_withdraw.text()  # the till asks for no withdrawal: it says where

    ids = withdrawals_from_hq(ctx, held=30, paid=20, refused=10)
    qtbot.keyClick(view, Qt.Key_R, Qt.ControlModifier)  # Ctrl+R reads it again
    idle(qtbot, app_window)
    assert view.balance.text() == f"{before.balance - 30 - 20:,}"
    assert view.held.text() == "30"
    shown = {view.withdrawals.item(r, 1).text(): (view.withdrawals.item(r, 2).text(), view.withdrawals.item(r, 3).text())
             for r in range(view.withdrawals.rowCount())}
    assert shown == {ids["pending"][-8:].upper(): ("30", "Waiting for HQ"),
                     ids["approved"][-8:].upper(): ("20", "Approved: paid out"),
                     ids["refused"][-8:].upper(): ("10", "Refused: points back")}
    assert not view.no_withdrawals.isVisible()
    qtbot.keyClick(view, Qt.Key_2, Qt.ControlModifier)
    assert view.withdrawals.hasFocus()
    qtbot.keyClick(view, Qt.Key_1, Qt.ControlModifier)
    assert view.earnings.hasFocus()


def test_a_refund_names_the_receipt_of_the_sale_it_refunded(qtbot, app_window):
    sign_in(qtbot, app_window, GUIDE_ID, DEMO_PINS["guide"])
    qtbot.waitUntil(lambda: app_window.staff is not None, timeout=WAIT_MS)
    receipt, points = refund_a_guides_sale(app_window.ctx)
    view = open_guide_points(qtbot, app_window)
    rows = earnings_rows(view)
    assert ("Refund: taken back", receipt, f"-{points:,}") in rows  # was "—": the refund's event names no receipt
    assert ("Sale served", receipt, f"+{points:,}") in rows
    row = next(r for r in range(view.earnings.rowCount()) if view.earnings.item(r, 1).text() == "Refund: taken back")
    assert view.earnings.item(row, 2).toolTip() == f"Refund of receipt {receipt}"


def test_a_refund_made_at_another_till_of_the_store_names_its_receipt(app_window):
    """The sale and its refund were made at another till: this till has no row of that sale, only the
    guide's points for it and their take-back, pulled as that till's events."""
    ctx = app_window.ctx
    with ctx.db.read() as conn:
        earn = conn.exec_driver_sql("SELECT * FROM events WHERE kind = 'guide_earn' ORDER BY device_seq LIMIT 1").one()
    doc = json.loads(earn.payload)
    sale, lot, points = str(uuid.uuid4()), str(uuid.uuid4()), doc["postings"][1][1]
    earn_doc = {**doc, "sale_id": sale, "receipt_no": "B-20261207-0042", "grants": [[lot, *doc["grants"][0][1:]]]}
    back_doc = {"sale_id": sale, "refund_id": str(uuid.uuid4()), "of": "guide", "points": points, "debt_added": 0,
                "lots": [[lot, points]], "postings": [[doc["postings"][0][0], points], [ACCOUNT, -points]]}
    items = []
    for seq, (kind, payload) in enumerate((("guide_earn", earn_doc), ("reverse", back_doc)), start=1):
        event = {"event_id": str(uuid.uuid4()), "kind": kind, "store_id": earn.store_id, "device_id": "till-b",
                 "device_seq": seq, "device_time": datetime(2026, 12, 7, 11, seq).isoformat(), "staff_id": CASHIER_ID,
                 "rule_version": earn.rule_version, "member_id": None, "payload": payload,
                 "payload_hash": payload_hash(payload), "hq_seq": seq, "status": "applied"}
        items.append(PullItem(hq_seq=seq, type="event", key=event["event_id"], data=event))
    result = pull.apply_page(ctx.db, PullResponse(items=items, cursor=len(items), more=False))
    assert result.problems == [] and result.applied == 2
    refund = next(e for e in guides_uc.guide_points(ctx, GUIDE_ID).earnings if e.source == "refund")
    assert (refund.receipt_no, refund.points) == ("B-20261207-0042", -points)


SIZES = [(1024, 768), (1366, 768), (1920, 1080)]


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_two_figure_cards_line_up(qtbot, app_window, size):
    """The balance and the held points: cards of one height, top and width, their captions and figures
    on the same baselines, at each screen size the till runs at."""
    sign_in(qtbot, app_window, GUIDE_ID, DEMO_PINS["guide"])
    qtbot.waitUntil(lambda: app_window.staff is not None, timeout=WAIT_MS)
    app_window.setWindowState(Qt.WindowNoState)
    app_window.resize(*size)
    view = open_guide_points(qtbot, app_window)
    qtbot.wait(50)
    cards = [figure.parentWidget() for figure in (view.balance, view.held)]
    a, b = (card.geometry() for card in cards)
    assert (a.top(), a.height(), a.width()) == (b.top(), b.height(), b.width())
    captions = [card.findChildren(QLabel, options=Qt.FindDirectChildrenOnly)[0] for card in cards]
    assert [c.text() for c in captions] == ["Balance", "Held for withdrawals"]
    for x, y in ((view.balance, view.held), captions):
        assert x.geometry().top() == y.geometry().top() and x.height() == y.height()
        assert x.fontMetrics().ascent() == y.fontMetrics().ascent()  # the same baseline
    assert view.balance.sizeHint().width() <= view.balance.width()
    # and the lists below show every column whole (at 1024x768 one above the other)
    assert view.earnings.rowCount() and not view.earnings.horizontalScrollBar().isVisible()
    assert not view.withdrawals.horizontalScrollBar().isVisible()


def test_a_cashier_who_served_no_sale_sees_none_and_is_told_how_to_earn(qtbot, app_window):
    sign_in(qtbot, app_window, CASHIER_ID, DEMO_PINS["cashier"])
    qtbot.waitUntil(lambda: app_window.staff is not None, timeout=WAIT_MS)
    view = open_guide_points(qtbot, app_window)
    assert view.balance.text() == "0" and view.earnings.rowCount() == 0 and view.withdrawals.rowCount() == 0
    assert "name yourself as the sale's guide" in view.message.text()


def test_the_screen_speaks_chinese(qtbot, tmp_path):
    window, _runner = build(tmp_path / "store", lang="zh_CN")
    qtbot.addWidget(window)
    window.show()
    window.wedge.enabled = False
    try:
        qtbot.waitUntil(lambda: window.ctx is not None and window.signin.staff_id is not None, timeout=WAIT_MS)
        sign_in(qtbot, window, GUIDE_ID, DEMO_PINS["guide"])
        qtbot.waitUntil(lambda: window.staff is not None, timeout=WAIT_MS)
        view = open_guide_points(qtbot, window)
        assert window.nav_group.button(window.stack.currentIndex()).text() == "F11  我的导购积分"
        assert [b.text() for b in window.nav_group.buttons() if b.sizeHint().width() > b.width()] == []
        assert view.heading.text() == "我的导购积分：赵敏 (导购)"
        assert view.refresh_button.text() == "刷新 (Ctrl+R)"
        assert {view.earnings.item(r, 1).text() for r in range(view.earnings.rowCount())} == {"导购销售"}
        assert "积分商城" in view.how_to_withdraw.text()
        receipt, points = refund_a_guides_sale(window.ctx)
        qtbot.keyClick(view, Qt.Key_R, Qt.ControlModifier)
        idle(qtbot, window)
        assert ("退款扣回", receipt, f"-{points:,}") in earnings_rows(view)
        row = next(r for r in range(view.earnings.rowCount()) if view.earnings.item(r, 1).text() == "退款扣回")
        assert view.earnings.item(row, 2).toolTip() == f"退款对应小票 {receipt}"
    finally:
        window.wedge.uninstall()
        window.shutdown()
