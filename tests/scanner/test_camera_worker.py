"""The camera worker on generated video files: each code once, in order, off the GUI thread."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bench.camera import write_video
from pos_app.domain.codes import serial_for
from pos_app.scanner.camera import OUTLINE, CameraWorker, parse_source
from pos_app.scanner.decoding import decode
from pos_app.scanner.formats import dynamic_member_payload, label_payload

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
MEMBER = "01936b2e-7c4a-7def-8a11-0123456789ab"
LABEL_1 = label_payload("TEA-OOLONG", serial_for("K7QF2M3A", 1), 28, KEY)
LABEL_2 = label_payload("CUP-SET-01", serial_for("K7QF2M3A", 2), 8, KEY)
MEMBER_CODE = dynamic_member_payload(MEMBER, KEY, datetime(2026, 11, 25, 8))
EAN = "6901234567892"


class Recorder:
    def __init__(self, worker: CameraWorker):
        self.texts, self.states, self.previews, self.threads = [], [], [], set()
        worker.decoded.connect(lambda d: self.texts.append(d.text))
        worker.status.connect(lambda state, message: self.states.append((state, message)))
        worker.preview.connect(self.previews.append)


@pytest.fixture
def worker_for(qtbot):
    made = []

    def make(source, **kw) -> tuple[CameraWorker, Recorder]:
        worker = CameraWorker(source, **kw)
        made.append(worker)
        return worker, Recorder(worker)

    yield make
    for w in made:
        w.stop()


def ended(rec: Recorder) -> bool:
    return any(state == "ended" for state, _ in rec.states)


def test_each_code_in_a_video_is_reported_once_in_order(qtbot, tmp_path, worker_for):
    shown = [LABEL_1, MEMBER_CODE, EAN, LABEL_2]
    video = write_video(tmp_path / "counter.avi", shown, frames_each=12, gap_frames=4)
    threads = set()

    def recording_decode(frame, **kw):
        threads.add(threading.get_ident())
        return decode(frame, **kw)

    worker, rec = worker_for(str(video), realtime=False, cooldown_s=30, decoder=recording_decode)
    worker.start()
    qtbot.waitUntil(lambda: ended(rec), timeout=20000)
    assert rec.texts == shown
    assert worker.frames == 4 * 16
    assert threads and threading.get_ident() not in threads  # never decoded on the GUI thread
    assert rec.states[0][0] == "opening" and ("running", f"camera {video} is on") in rec.states


def test_a_code_that_comes_back_after_the_cooldown_is_reported_again(qtbot, tmp_path, worker_for):
    video = write_video(tmp_path / "again.avi", [LABEL_1, LABEL_1], frames_each=6, gap_frames=6)
    clock = iter(range(1000))  # one "second" per decoded frame: the gap frames outlast the cooldown
    worker, rec = worker_for(str(video), realtime=False, cooldown_s=3, clock=lambda: next(clock))
    worker.start()
    qtbot.waitUntil(lambda: ended(rec), timeout=20000)
    assert rec.texts == [LABEL_1, LABEL_1]


def test_previews_show_the_code_outlined(qtbot, tmp_path, worker_for):
    video = write_video(tmp_path / "one.avi", [LABEL_1], frames_each=20, gap_frames=0)
    worker, rec = worker_for(str(video), realtime=False, preview_fps=1000)
    worker.start()
    qtbot.waitUntil(lambda: ended(rec), timeout=20000)
    assert rec.previews and all((p.width(), p.height()) == (640, 480) for p in rec.previews)
    # the outline's exact colour never occurs in a camera frame: count its pixels
    outlined = [int((_to_bgr(p) == OUTLINE).all(axis=2).sum()) for p in rec.previews]
    assert sum(n > 400 for n in outlined) >= len(outlined) // 2, outlined


def test_the_outline_follows_the_decoded_points():
    import numpy as np

    from pos_app.scanner.camera import _outlined
    from pos_app.scanner.decoding import Decoded

    frame = np.full((480, 640), 128, np.uint8)
    image = _outlined(frame, [Decoded("x", "QRCODE", ((100, 100), (300, 100), (300, 300), (100, 300)), b"x")])
    bgr = _to_bgr(image)
    assert tuple(bgr[100, 200]) == OUTLINE and tuple(bgr[200, 300]) == OUTLINE
    assert tuple(bgr[200, 200]) == (128, 128, 128) and tuple(bgr[10, 10]) == (128, 128, 128)


def test_previews_at_a_low_rate_are_fewer_than_frames(qtbot, tmp_path, worker_for):
    video = write_video(tmp_path / "rate.avi", [LABEL_1], frames_each=30, gap_frames=0)
    worker, rec = worker_for(str(video), realtime=True, preview_fps=5)  # paced at 30 fps: one second
    worker.start()
    qtbot.waitUntil(lambda: ended(rec), timeout=20000)
    assert 1 <= len(rec.previews) <= 12 and worker.frames == 30


def test_a_missing_camera_says_so_and_the_worker_recovers_when_it_appears(qtbot, tmp_path, worker_for):
    later = tmp_path / "plugged-in-later.avi"
    worker, rec = worker_for(str(later), realtime=False, reconnect_s=0.05)
    worker.start()
    qtbot.waitUntil(lambda: any(s == "no_camera" for s, _ in rec.states), timeout=10000)
    assert "cannot be opened" in [m for s, m in rec.states if s == "no_camera"][0]
    assert rec.texts == []
    write_video(tmp_path / "tmp.avi", [LABEL_2], frames_each=8, gap_frames=0).rename(later)
    qtbot.waitUntil(lambda: ended(rec), timeout=20000)
    assert rec.texts == [LABEL_2]
    assert [s for s, _ in rec.states].count("running") == 1


def test_a_missing_device_index_reports_no_camera_and_stops_cleanly(qtbot, worker_for):
    worker, rec = worker_for("57", reconnect_s=0.05)  # no /dev/video57 on a till, nor here
    worker.start()
    qtbot.waitUntil(lambda: any(s == "no_camera" for s, _ in rec.states), timeout=10000)
    assert "camera 57" in [m for s, m in rec.states if s == "no_camera"][0]
    worker.stop()
    assert not worker.running
    qtbot.waitUntil(lambda: rec.states[-1][0] == "stopped", timeout=5000)


class UnpluggableCamera:
    """A webcam stand-in built on real video files: it gives `frames` pictures, then is
    unplugged (reads fail, opening fails `away` times), then is plugged back in."""

    def __init__(self, first, second, frames: int, away: int):
        self.videos, self.frames, self.away = [str(first), str(second)], frames, away
        self.opened = 0

    def __call__(self, source):
        import cv2

        if self.opened == 1 and self.away > 0:
            self.away -= 1
            return cv2.VideoCapture(str(self.videos[0]) + ".missing")
        cap = cv2.VideoCapture(self.videos[min(self.opened, 1)])
        self.opened += 1
        return _Limited(cap, self.frames) if self.opened == 1 else cap


class _Limited:
    def __init__(self, cap, frames):
        self.cap, self.left = cap, frames

    def isOpened(self):
        return self.cap.isOpened()

    def read(self):
        self.left -= 1
        return self.cap.read() if self.left >= 0 else (False, None)

    def get(self, prop):
        return self.cap.get(prop)

    def set(self, prop, value):
        return self.cap.set(prop, value)

    def release(self):
        self.cap.release()


def test_an_unplugged_camera_is_reported_and_the_worker_recovers_when_it_is_back(qtbot, tmp_path, worker_for):
    first = write_video(tmp_path / "before.avi", [LABEL_1], frames_each=8, gap_frames=0)
    second = write_video(tmp_path / "after.avi", [LABEL_2], frames_each=8, gap_frames=0)
    camera = UnpluggableCamera(first, second, frames=8, away=2)
    worker, rec = worker_for(0, realtime=False, reconnect_s=0.05, open_capture=camera)
    worker.start()
    qtbot.waitUntil(lambda: LABEL_2 in rec.texts, timeout=20000)
    states = [s for s, _ in rec.states]
    assert rec.texts[:2] == [LABEL_1, LABEL_2]
    lost = states.index("no_camera")
    assert states[:lost].count("running") == 1 and "running" in states[lost:]
    assert "stopped sending pictures" in rec.states[lost][1]
    assert states[lost:].count("no_camera") >= 3  # unplugged, then two failed reopenings


def test_a_worker_deleted_while_its_camera_hangs_in_opening_ends_quietly(qtbot, tmp_path, monkeypatch):
    import cv2
    import shiboken6

    video = write_video(tmp_path / "slow.avi", [LABEL_1], frames_each=4, gap_frames=0)
    release = threading.Event()
    errors = []
    monkeypatch.setattr(threading, "excepthook", lambda args: errors.append(args.exc_value))

    def hanging_open(source):  # a stream URL that takes its time to answer
        release.wait(10)
        return cv2.VideoCapture(str(video))

    worker = CameraWorker("rtsp://camera.local/stream", realtime=False, open_capture=hanging_open)
    thread_holder = []
    worker.start()
    thread_holder.append(worker._thread)
    worker.stop(timeout=0.05)  # gives up waiting: the thread is still inside the open call
    assert thread_holder[0].is_alive()
    shiboken6.delete(worker)  # what the camera panel's deleteLater does a moment later
    release.set()
    thread_holder[0].join(10)
    assert not thread_holder[0].is_alive() and errors == []


@pytest.mark.parametrize("given,expected", [("0", 0), (2, 2), (" 1 ", 1), ("rtsp://10.0.0.2/cam", "rtsp://10.0.0.2/cam"),
                                            ("/tmp/v.avi", "/tmp/v.avi")])
def test_sources(given, expected):
    assert parse_source(given) == expected


def _to_bgr(image):
    import numpy as np
    from PySide6.QtGui import QImage

    image = image.convertToFormat(QImage.Format_BGR888)
    ptr = image.constBits()
    arr = np.frombuffer(ptr, np.uint8, image.sizeInBytes()).reshape(image.height(), image.bytesPerLine())
    return arr[:, :image.width() * 3].reshape(image.height(), image.width(), 3).copy()
