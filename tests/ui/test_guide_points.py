"""My guide points (F11): a guide signed in at the till sees their balance, what is held for withdrawals,
their recent earnings and each withdrawal's state, in English and in Chinese. The withdrawals arrive as
HQ's events through the pull applier, as they do from a real HQ (tests/sync/test_guide_points.py)."""

from __future__ import annotations

import uuid
from datetime import datetime

from PySide6.QtCore import Qt

from pos_app.domain import ledger as L
from pos_app.domain.ledger import payload_hash
from pos_app.services import guides as guides_uc
from pos_app.services.demo import CASHIER_ID, DEMO_PINS, GUIDE_ID
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
        assert view.heading.text() == "我的导购积分：赵敏 (导购)"
        assert view.refresh_button.text() == "刷新 (Ctrl+R)"
        assert {view.earnings.item(r, 1).text() for r in range(view.earnings.rowCount())} == {"导购销售"}
        assert "积分商城" in view.how_to_withdraw.text()
    finally:
        window.wedge.uninstall()
        window.shutdown()
