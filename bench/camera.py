"""The camera worker's throughput on a generated 640x480 video.

    python -m bench.camera [--seconds 12] [--fps 30]

Writes a video (MJPG) of label QR codes, phone member codes and empty counter frames,
runs pos_app.scanner.camera.CameraWorker over it flat out (not paced to the file's
frame rate) with previews on, and prints one JSON line last: frames per second, codes
reported and whether each code was reported once and in order.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

W, H = 640, 480


def write_video(path: Path, texts: list[str], *, frames_each: int = 10, gap_frames: int = 5, fps: float = 30,
                seed: int = 3, variant: str | None = None) -> Path:
    """Each text shown for `frames_each` frames (moving a little, as held in a hand), empty
    counter frames between. Labels as printed QR codes; PM1:D: codes on a phone screen;
    `variant` (a bench.scan variant) renders every code that way instead."""
    from bench.scan import VARIANTS, render_frame

    rng = np.random.default_rng(seed)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (W, H))
    if not writer.isOpened():
        raise RuntimeError("OpenCV cannot write MJPG video here")
    empty = VARIANTS["clean"] | {"size": (1, 1)}
    try:
        for text in texts:
            if variant is not None:
                spec = VARIANTS[variant]
            elif text.startswith("PM1:D:"):
                spec = VARIANTS["phone"]
            elif text.isdigit() and len(text) == 13:
                spec = VARIANTS["ean13"]
            else:
                spec = VARIANTS["clean"]
            for _ in range(frames_each):
                writer.write(render_frame(spec, text, rng))
            for _ in range(gap_frames):
                writer.write(render_frame(empty, "PM1:M:000000000000", rng))
    finally:
        writer.release()
    return path


def measure_fps(seconds: float = 12.0, fps: float = 30.0, variant: str | None = None) -> dict:
    """Frames per second of the worker, and how late a 10 ms GUI-thread timer ticks meanwhile
    (the UI stays responsive if the worker leaves the GUI thread alone)."""
    from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer

    from pos_app.scanner.camera import CameraWorker

    app = QCoreApplication.instance() or QCoreApplication(sys.argv[:1])
    texts = _texts(int(seconds * fps) // 15)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_video(Path(tmp) / "counter.avi", texts, frames_each=10, gap_frames=5, fps=fps, variant=variant)
        probe = cv2.VideoCapture(str(path))
        frame_count = int(probe.get(cv2.CAP_PROP_FRAME_COUNT))
        probe.release()
        worker = CameraWorker(str(path), realtime=False, cooldown_s=1.0)
        reported, previews, ticks = [], [], []
        worker.decoded.connect(lambda d: reported.append(d.text))
        worker.preview.connect(previews.append)
        loop = QEventLoop()
        worker.status.connect(lambda state, _msg: loop.quit() if state in ("ended", "no_camera") else None)
        timer = QTimer()
        timer.setInterval(10)
        timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
        timer.start()
        t0 = time.perf_counter()
        worker.start()
        loop.exec()
        elapsed = time.perf_counter() - t0
        timer.stop()
        worker.stop()
        app.processEvents()
    late = sorted((b - a) * 1000 - 10 for a, b in zip(ticks, ticks[1:]))
    return {"video": f"{W}x{H} MJPG", "frames": worker.frames, "frames_in_file": frame_count,
            "seconds": round(elapsed, 3), "fps": round(worker.frames / elapsed, 1),
            "codes_shown": len(texts), "codes_reported": len(reported), "each_once_in_order": reported == texts,
            "previews": len(previews),
            "gui_timer_late_ms_p95": round(late[int(0.95 * (len(late) - 1))], 1) if late else None,
            "gui_timer_late_ms_max": round(late[-1], 1) if late else None}


def _texts(n: int) -> list[str]:
    from datetime import datetime, timedelta

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from pos_app.domain.codes import serial_for
    from pos_app.scanner.formats import dynamic_member_payload, label_payload

    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    out = []
    for i in range(n):
        if i % 3 == 2:
            out.append(dynamic_member_payload(f"01936b2e-7c4a-7def-8a11-{i:012x}", key,
                                              datetime(2026, 11, 25, 8) + timedelta(seconds=30 * i)))
        else:
            out.append(label_payload("TEA-OOLONG", serial_for("K7QF2M3A", i + 1), 28, key))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.camera", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=12.0, help="length of the generated video")
    parser.add_argument("--fps", type=float, default=30.0)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    result = {"bench": "camera", "cpu_count": os.cpu_count(), "mixed": measure_fps(args.seconds, args.fps),
              # the worst case: every code motion-blurred, most frames cost the whole retry budget
              "motion_blur": measure_fps(args.seconds, args.fps, variant="motion")}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
