"""The till and a real HQ process: enrol from Settings, the status bar online with the
pending count, then HQ killed: the offline banner over the screen (sales go on), and HQ
back: the banner gone and the sale acknowledged."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from pos_app.domain.catalog import Product
from pos_app.domain.staff import Role, Staff, hash_pin
from pos_app.services import members
from pos_app.services.demo import CASHIER_ID, DEMO_RULES, MANAGER_ID, PRODUCTS
from pos_app.services.setup import open_store
from pos_app.store import repos
from pos_app.ui.app import build
from tests.hq.server import HQServer, sqlite_url
from tests.ui.conftest import WAIT_MS, idle, sign_in


@pytest.fixture
def hq(tmp_path):
    with HQServer(sqlite_url(tmp_path / "hq"), log=tmp_path / "hq.log") as server:
        yield server


def fresh_till(folder) -> None:
    """A new till: staff and catalogue, no events yet (HQ enrols only a database with none)."""
    ctx = open_store(folder)
    with ctx.db.write() as conn:
        repos.save_rules(conn, DEMO_RULES, ctx.now())
        repos.save_staff(conn, Staff(CASHIER_ID, "王芳", Role.CASHIER, hash_pin("1111")))
        repos.save_staff(conn, Staff(MANAGER_ID, "李经理", Role.MANAGER, hash_pin("9999")))
        for sku, name, cat, price, barcode in PRODUCTS:
            repos.save_product(conn, Product(sku, name, cat, price, barcode))
    ctx.db.close()


def test_enrol_in_settings_then_the_offline_banner_while_hq_is_down(qtbot, tmp_path, hq, monkeypatch):
    from PySide6.QtCore import QThread

    from pos_app.sync import outbox
    written_on = []  # the thread each push's answers are written on: the DB worker, as every write
    real = outbox.record_answers

    def record_answers(*args, **kwargs):
        written_on.append(QThread.currentThread().objectName())
        return real(*args, **kwargs)
    monkeypatch.setattr(outbox, "record_answers", record_answers)
    fresh_till(tmp_path / "store")
    window, runner = build(tmp_path / "store", lang="en", demo=False)
    window.sync.interval = 0.5                                  # a counter syncs every 30 s; the test cannot wait
    window.sync.sched_kw = {"base_backoff": 0.2, "max_backoff": 1.0}
    qtbot.addWidget(window)
    window.show()
    window.wedge.enabled = False
    try:
        qtbot.waitUntil(lambda: window.ctx is not None and window.signin.staff_id is not None, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: window.sync.last is not None and window.sync.last.state == "not_enrolled",
                        timeout=WAIT_MS)
        assert window.status.sync.text() == "Not enrolled with HQ: working offline"
        assert window.banner.isHidden()  # a stand-alone till is not "offline"

        sign_in(qtbot, window, MANAGER_ID, "9999")
        qtbot.waitUntil(lambda: window.staff is not None, timeout=WAIT_MS)
        qtbot.keyClick(window, Qt.Key_F8)
        settings = window.stack.currentWidget()
        idle(qtbot, window)
        assert settings.enrol_form.enrol_button.isVisible()
        assert "Not enrolled" in settings.hq_state.text()

        # A bad token: HQ's refusal on screen, nothing enrolled.
        settings.enrol_form.hq_url.setText(hq.url)
        settings.enrol_form.hq_token.setText("not-a-token")
        qtbot.mouseClick(settings.enrol_form.enrol_button, Qt.LeftButton)
        qtbot.waitUntil(lambda: settings.enrol_form.message.text().startswith("Enrolment failed"), timeout=WAIT_MS)
        assert settings.enrol_form.enrol_button.isVisible()

        hq.create_store("s-ui", "UI store")
        settings.enrol_form.hq_token.setText(hq.enrolment_token("s-ui"))
        qtbot.mouseClick(settings.enrol_form.enrol_button, Qt.LeftButton)
        qtbot.waitUntil(lambda: settings.enrol_form.message.text().startswith("Enrolled as store s-ui"), timeout=WAIT_MS)
        qtbot.waitUntil(lambda: "as store s-ui" in settings.hq_state.text(), timeout=WAIT_MS)
        assert not settings.enrol_form.enrol_button.isVisible()
        assert "redeeming stops after 72 h" in settings.limits.text()
        # A member registered at the counter reaches HQ (the outbox empties).
        members.register_member(window.ctx, staff_id=MANAGER_ID, phone="13700001111", name="周杰")
        window.sync.nudge()
        qtbot.waitUntil(lambda: window.sync.last.state == "online" and window.sync.last.pending == 0
                        and window.sync.last.last_success is not None, timeout=WAIT_MS)
        assert window.status.sync.text().startswith("Online · 0 to send")
        assert window.banner.isHidden()

        # HQ goes down; the cashier sells on. The banner says so; the sale waits in the outbox.
        hq.kill()
        qtbot.keyClick(window, Qt.Key_F1)
        co = window.checkout
        co.handle_scan("13700001111")
        idle(qtbot, window)
        co.handle_scan(PRODUCTS[0][0])
        idle(qtbot, window)
        qtbot.keyClick(co.scan_box, Qt.Key_F12)
        qtbot.waitUntil(lambda: co.last_sale is not None, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=WAIT_MS)
        assert window.banner.text().startswith("Offline: sales and points are kept here")
        assert window.banner.property("state") == "offline"
        qtbot.waitUntil(lambda: "1 to send" in window.status.sync.text(), timeout=WAIT_MS)
        assert window.status.sync.text().startswith(("Offline", "Syncing"))
        assert "redeeming" in window.status.sync.text()

        # HQ is back: the next attempt pushes the sale; the banner goes.
        hq.start()
        qtbot.waitUntil(lambda: window.sync.last.state == "online" and window.sync.last.pending == 0,
                        timeout=WAIT_MS * 2)
        assert window.banner.isHidden()
        assert window.status.sync.text().startswith("Online · 0 to send")
        assert not window.status.attention.isVisible()
        assert written_on and set(written_on) == {"db-worker"}
    finally:
        window.wedge.uninstall()
        window.shutdown()


def test_a_new_till_without_staff_enrols_from_the_sign_in_screen_and_gets_its_staff_from_hq(qtbot, tmp_path, hq):
    hq.create_store("s-new", "New store")
    r = hq.admin("PUT", "/stores/s-new/staff/m-1", json={"name": "Manager Li", "role": "manager", "pin": "2468"})
    assert r.status_code == 200, r.text
    window, runner = build(tmp_path / "store", lang="en", demo=False)
    window.sync.interval = 0.5
    qtbot.addWidget(window)
    window.show()
    window.wedge.enabled = False
    try:
        signin = window.signin
        qtbot.waitUntil(lambda: window.ctx is not None and signin.enrol_form.isVisible(), timeout=WAIT_MS)
        assert not signin.ok.isEnabled() and signin.staff_id is None
        qtbot.keyClicks(signin.enrol_form.hq_url, hq.url)
        qtbot.keyClicks(signin.enrol_form.hq_token, hq.enrolment_token("s-new"))
        qtbot.keyClick(signin.enrol_form.hq_token, Qt.Key_Return)
        qtbot.waitUntil(lambda: signin.staff_id == "m-1", timeout=WAIT_MS * 2)
        assert signin.enrol_form.isHidden() and signin.ok.isEnabled()
        sign_in(qtbot, window, "m-1", "2468")
        qtbot.waitUntil(lambda: window.staff is not None and window.staff.name == "Manager Li", timeout=WAIT_MS)
    finally:
        window.wedge.uninstall()
        window.shutdown()


def test_a_member_of_another_store_is_fetched_from_hq_at_the_checkout(qtbot, tmp_path, hq):
    from pos_app.sync.cycle import client_for, sync_once
    from pos_app.sync.enrol import enrol

    home = tmp_path / "home"
    fresh_till(home)
    ctx = open_store(home)
    enrol(ctx.db, hq.url, hq.enrolment_token("s-home"), "till-1", who=ctx.who)
    members.register_member(ctx, staff_id=CASHIER_ID, phone="13600002222", name="吴磊")
    sync_once(ctx.db, client_for(ctx.db))
    ctx.db.close()

    fresh_till(tmp_path / "store")
    ctx = open_store(tmp_path / "store")
    enrol(ctx.db, hq.url, hq.enrolment_token("s-away"), "till-1", who=ctx.who)
    ctx.db.close()
    window, runner = build(tmp_path / "store", lang="en", demo=False)
    qtbot.addWidget(window)
    window.show()
    window.wedge.enabled = False
    try:
        qtbot.waitUntil(lambda: window.ctx is not None and window.signin.staff_id is not None, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: window.sync.last is not None and window.sync.last.state == "online", timeout=WAIT_MS)
        sign_in(qtbot, window)
        qtbot.waitUntil(lambda: window.staff is not None, timeout=WAIT_MS)
        co = window.checkout
        co.handle_scan("13600002222")
        qtbot.waitUntil(lambda: co.member_id() is not None, timeout=WAIT_MS)
        assert co.message.text() == "Member: 吴磊"
        co.handle_scan("13600009999")                       # nobody, here or at HQ
        qtbot.waitUntil(lambda: "No member found" in co.message.text(), timeout=WAIT_MS)
    finally:
        window.wedge.uninstall()
        window.shutdown()
