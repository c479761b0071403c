"""Screenshots of every main screen, from the running app on a real (virtual) X screen.

    bash scripts/screenshots.sh        # runs this under Xvfb: both languages, 1366x768, 1024x768, 1920x1080

Each screen is filled the way a cashier would fill it (demo data), then the whole X
screen is captured with QScreen.grabWindow, so what is saved is what was drawn. The
window starts maximised, as at the counter, so the X screen's size (xvfb-run -s
"-screen 0 WxHx24") is the size shot; `--size` names the files after it.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/ (the camera video) is not installed

from pos_app.services.demo import MANAGER_ID
from pos_app.ui.app import build


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lang", default="zh_CN")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--all", action="store_true", help="every screen (else the checkout only)")
    parser.add_argument("--size", default="", help="the X screen's size, e.g. 1366x768: part of each file name")
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    tmp = Path(tempfile.mkdtemp())
    window, runner = build(tmp / "store", lang=args.lang)
    window.show()  # maximised from the start, as at the counter: the whole screen
    args.out.mkdir(parents=True, exist_ok=True)

    def settle(pred=lambda: True, timeout=20.0):
        end = time.monotonic() + timeout
        while (not pred() or runner.pending) and time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)
        for _ in range(50):  # let paint events land
            app.processEvents()
            time.sleep(0.005)

    def shot(name: str):
        settle()
        path = args.out / (f"{name}-{args.lang}-{args.size}.png" if args.size else f"{name}-{args.lang}.png")
        app.primaryScreen().grabWindow(0).save(str(path))
        print(path)

    settle(lambda: window.signin.staff_id is not None)
    window.signin.choose(MANAGER_ID)
    if args.all:
        shot("01-sign-in")
    window.signin.pin.setText("9999")
    window.signin.submit()
    settle(lambda: window.staff is not None)

    co = window.checkout
    for code in ("13800138000", "6901234567908", "SNACK-NUTS", "MILKTEA-L", "MILKTEA-L"):
        co.handle_scan(code)
        settle()
    co.cash_points.setValue(1000)
    shot("02-checkout")
    if args.all:
        screens = {key: widget for key, _title, widget in window.screens}
        window.show_screen(1)
        members = screens["F2"]
        members.search.setText("138")
        members.do_search()
        settle()
        shot("03-members")
        members.new_member()
        members.f_phone.setText("139 0000 1234")
        members.f_name.setText("周杰")
        shot("04-member-register")
        window.show_screen(2)
        gifts = screens["F3"]
        gifts.member_box.setText("13800138000")
        gifts.find_member()
        settle()
        gifts.grid.setCurrentRow(1)
        shot("05-gifts")
        # a gift held for later (another member's points: the checkout's member pays with hers next):
        # its pickup slip is printed, the screen shows the QR
        gifts.member_box.setText("18600001111")
        gifts.find_member()
        settle()
        cup = next(i for i in range(gifts.grid.count()) if gifts.grid.item(i).data(Qt.UserRole) == "GIFT-CUP")
        gifts.grid.setCurrentRow(cup)
        gifts.hand_over.setChecked(False)
        gifts.member_pin.setText("123456")
        gifts.redeem()
        settle()
        shot("05b-gifts-pickup-slip")
        window.show_screen(0)
        co.member_pin.setText("123456")  # the demo member's PIN: paying with points needs it
        co.received.setText("500")
        co.finish()
        settle()
        shot("02b-checkout-sale-done")
        window.show_screen(3)
        refunds = screens["F4"]
        refunds.receipt.setText(co.last_sale.receipt_no)
        refunds.load_sale()
        settle()
        shot("06-refunds")
        window.show_screen(4)
        points = screens["F5"]
        points.member_box.setText("13912345678")
        points.find_member()
        shot("07-points-desk")
        window.show_screen(5)
        labels_view = screens["F6"]
        settle(lambda: labels_view.files.count() > 0)
        labels_view.open_batch(Path(labels_view.files.item(0).data(Qt.UserRole)))
        settle(lambda: labels_view.batch is not None)
        shot("08-labels")
        window.show_screen(6)
        shot("09-reports")
        window.show_screen(7)
        shot("10-settings")
        # The live camera preview on the checkout, fed a generated counter video (no webcam here).
        from bench.camera import write_video
        from pos_app.services.demo import demo_member_code

        video = write_video(tmp / "counter.avi", [demo_member_code(window.ctx, "13800138000"), "6901234567908"],
                            frames_each=40, gap_frames=10, fps=15)
        window.show_screen(0)
        co.camera_source = str(video)
        co.camera_button.setChecked(True)
        settle(lambda: co.camera.view.pixmap() is not None and not co.camera.view.pixmap().isNull(), timeout=10)
        time.sleep(1.2)
        shot("11-checkout-camera")
        co.camera_button.setChecked(False)
    window.shutdown()
    window.close()
    app.processEvents()
    shutil.rmtree(tmp, ignore_errors=True)
    app.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
