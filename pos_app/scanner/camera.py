"""The camera worker: frames in on a worker thread, decoded codes and previews out as Qt signals.

Any OpenCV source works: a device index ("0"), a video file, a stream URL. Reading and
decoding happen on the worker's own thread, never the GUI's; the GUI gets

- `decoded(Decoded)`: each code once, then not again until it has been out of sight
  for `cooldown_s` (a code held in front of the lens is one scan, not 25 a second);
- `preview(QImage)`: at most `preview_fps` frames a second, codes outlined in green,
  so a busy GUI is never flooded;
- `status(state, message)`: "opening", "running", "no_camera" (missing or unplugged:
  the worker retries every `reconnect_s` and says "running" again when it is back),
  "ended" (a video file ran out) and "stopped".
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import cv2
import numpy as np
import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from pos_app.scanner.decoding import Decoded, Decoder

OUTLINE = (60, 200, 60)  # BGR green
LOST_AFTER_FAILED_READS = 15  # a webcam that stops giving frames for this many reads was unplugged
CAMERA_BUDGET_MS = 10.0  # a frame that yields nothing now gets another chance 40 ms later


def parse_source(source: int | str) -> int | str:
    """ "0" is the first webcam; anything else is a file path or a stream URL."""
    if isinstance(source, int):
        return source
    text = str(source).strip()
    return int(text) if text.isdigit() else text


class CameraWorker(QObject):
    decoded = Signal(object)
    preview = Signal(QImage)
    status = Signal(str, str)

    def __init__(self, source: int | str, parent: QObject | None = None, *, cooldown_s: float = 2.0,
                 preview_fps: float = 15.0, budget_ms: float = CAMERA_BUDGET_MS, reconnect_s: float = 2.0,
                 realtime: bool | None = None, decoder: Callable[..., list[Decoded]] | None = None,
                 clock: Callable[[], float] = time.monotonic, open_capture: Callable = cv2.VideoCapture):
        super().__init__(parent)
        self.source = parse_source(source)
        self.cooldown_s = cooldown_s
        self.preview_interval = 1.0 / preview_fps if preview_fps > 0 else None
        self.budget_ms = budget_ms
        self.reconnect_s = reconnect_s
        # a file plays at its own speed unless told otherwise (the bench runs it flat out)
        self.realtime = realtime
        # a decoder of its own: it learns this machine's costs, and decodes on this worker's thread only
        self.decoder = decoder if decoder is not None else Decoder()
        self.clock = clock
        self.open_capture = open_capture  # cv2.VideoCapture; a test passes a device it can unplug
        self.frames = 0
        self.codes = 0
        self._last_seen: dict[tuple[str, str], float] = {}
        self._pending: np.ndarray | None = None  # the frame that proved the camera open
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.state = "stopped"

    # --- control (GUI thread) -------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"camera-{self.source}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Ask the worker to end and wait up to `timeout` (one frame, normally; a stream that
        hangs while opening ends on its own later and emits nothing more but its status)."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        self._thread = None

    def wait(self, timeout: float | None = None) -> bool:
        """Until the worker ends by itself (a file ran out); True if it did."""
        thread = self._thread
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # --- the worker thread ------------------------------------------------------------------
    def _say(self, state: str, message: str) -> None:
        self.state = state
        self._emit("status", state, message)

    def _emit(self, name: str, *args) -> None:
        """Emit unless the GUI already let go of this worker: stop() may time out on a stream
        that hangs in opening, and the owner may then delete the QObject while this thread lives."""
        if not shiboken6.isValid(self):
            return
        if name != "status" and self._stop.is_set():
            return
        try:
            getattr(self, name).emit(*args)
        except RuntimeError:  # deleted between the check and the emit
            pass

    def _is_file(self) -> bool:
        return isinstance(self.source, str) and "://" not in self.source

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                cap = self._open()
                if cap is None:
                    if self._stop.wait(self.reconnect_s):
                        break
                    continue
                ended = self._read_all(cap)
                cap.release()
                if ended:
                    self._say("ended", "the video has ended")
                    return
                if not self._stop.is_set():
                    self._say("no_camera", f"camera {self.source} stopped sending pictures: reconnecting")
                    self._stop.wait(self.reconnect_s)
        except Exception as err:  # noqa: BLE001 - a camera failure is a status, never a crash
            self._say("no_camera", f"camera {self.source} failed: {err}")
            return
        self._say("stopped", "camera stopped")

    def _open(self):
        self._say("opening", f"opening camera {self.source}")
        cap = self.open_capture(self.source)
        if cap.isOpened() and isinstance(self.source, int):
            # a webcam: 640x480 decodes in a few ms, and a one-frame buffer keeps what we
            # decode current when decoding is slower than the camera (drivers may ignore both)
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, 640)
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, 480)
            cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        if cap.isOpened():
            ok, frame = cap.read()
            if ok and frame is not None:
                self._say("running", f"camera {self.source} is on")
                self._pending = frame
                return cap
        cap.release()
        what = f"camera {self.source}" if isinstance(self.source, int) else str(self.source)
        self._say("no_camera", f"{what} is not connected or cannot be opened: retrying every {self.reconnect_s:g} s")
        return None

    def _read_all(self, cap) -> bool:
        """Frames until stopped (False) or until a file ends (True)."""
        is_file = self._is_file()
        fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
        pace = (self.realtime if self.realtime is not None else is_file) and fps > 0
        frame, self._pending = self._pending, None
        failed = 0
        started, shown, next_preview = time.monotonic(), 0, 0.0
        while not self._stop.is_set():
            if frame is None:
                ok, frame = cap.read()
                if not ok or frame is None:
                    if is_file:
                        return True
                    failed += 1
                    if failed >= LOST_AFTER_FAILED_READS:
                        return False
                    self._stop.wait(0.02)
                    frame = None
                    continue
            failed = 0
            found = self._handle(frame)
            now = time.monotonic()
            if self.preview_interval is not None and now >= next_preview:
                next_preview = now + self.preview_interval
                self._emit("preview", _outlined(frame, found))
            shown += 1
            if pace:
                ahead = started + shown / fps - time.monotonic()
                if ahead > 0:
                    self._stop.wait(ahead)
            frame = None
        return False

    def _handle(self, frame: np.ndarray) -> list[Decoded]:
        self.frames += 1
        found = self.decoder(frame, budget_ms=self.budget_ms)
        now = self.clock()
        for d in found:
            key = (d.symbology, d.text)
            last = self._last_seen.get(key)
            self._last_seen[key] = now
            if last is None or now - last > self.cooldown_s:
                self.codes += 1
                self._emit("decoded", d)
        if len(self._last_seen) > 256:  # forget codes long gone
            self._last_seen = {k: t for k, t in self._last_seen.items() if now - t <= self.cooldown_s}
        return found


def _outlined(frame: np.ndarray, found: list[Decoded]) -> QImage:
    if frame.ndim == 2:
        frame = cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
    elif frame.shape[2] == 4:
        frame = cv2.cvtColor(frame, cv2.COLOR_BGRA2BGR)
    else:
        frame = frame.copy()
    for d in found:
        if len(d.points) >= 2:
            pts = np.array(d.points, dtype=np.int32).reshape(-1, 1, 2)
            cv2.polylines(frame, [pts], True, OUTLINE, 3)
    h, w = frame.shape[:2]
    frame = np.ascontiguousarray(frame)
    # copy(): the QImage must own its pixels once the numpy frame is gone
    return QImage(frame.data, w, h, 3 * w, QImage.Format_BGR888).copy()
