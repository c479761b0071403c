"""Codes in a camera frame: `Decoder().decode(frame) -> list[Decoded]` (or `decode(frame)`).

Most frames at a counter are easy, and what a library costs grows with the pixels it
scans: zbar needs ~6 ms for a whole 640x480 frame, ~1-3 ms for the code's own region.

1. zxing-cpp on the whole gray frame at its own scale (~1 ms; copes with tilt and
   light-on-dark phone screens), then with a fixed threshold and lightly sharpened.
2. Code-like regions (dense edges in two directions) found on a half-size frame (<1 ms),
   the likeliest first (regions.find_regions).
3. Each region's passes (region_plan.plan), breadth first: every region's first read,
   chosen by what the crop looks like, before any region's retries, the likely retries
   on every region before the long shots on any.
4. If none of that read a code: plain zxing-cpp and plain zbar on the whole frame, as
   each library reads by default, always (budget or not). So on any frame we read
   whatever either library alone would: the passes above only add to it.

The budget bounds steps 1 and 3 so an empty or hopeless frame never stalls the camera: a
retry starts only if its expected cost (per kind of pass and pixel, learnt while running,
per Decoder) still fits in the decoding thread's CPU time for the frame. CPU time, not
wall time: what a frame is tried with does not depend on the neighbours' load. The
first read always runs. Every constant is in tuning.TUNING.

zbar and zxing-cpp are limited to the symbologies we use (QR, EAN-13, Code128). A
decoder never raises: a failure inside a pass is logged once per kind of error and the
frame gives nothing. One Decoder per thread (the camera worker has its own): it keeps
its learnt costs and its OpenCV QR detector, which is not thread-safe.
"""

from __future__ import annotations

import logging
import time

import cv2
import numpy as np

from pos_app.scanner import passes
from pos_app.scanner.decoded import Decoded, to_gray
from pos_app.scanner.region_plan import Region, plan
from pos_app.scanner.regions import find_regions
from pos_app.scanner.tuning import TUNING, Tuning
from pos_app.scanner.zbar_reader import SYMBOLS

__all__ = ["BACKENDS", "Decoded", "Decoder", "SYMBOLS", "decode", "to_gray"]

log = logging.getLogger(__name__)
BACKENDS = ("zxing", "zbar")  # ("zbar",) alone: what zxing-cpp adds, for the bench and the tests


class _Deadline:
    """The budget is CPU time of the decoding thread, so what a frame gets tried with does
    not depend on what else the machine is doing; a wall-clock cap still bounds a frame on
    a machine too busy to give us the CPU at all."""

    def __init__(self, budget_ms: float, tuning: Tuning):
        self.cpu = time.thread_time() + budget_ms / 1000
        self.wall = time.perf_counter() + tuning.wall_cap * budget_ms / 1000
        self.cheapest_ms = tuning.cheapest_ms

    def fits(self, ms: float) -> bool:
        return time.thread_time() + ms / 1000 <= self.cpu and time.perf_counter() + ms / 1000 <= self.wall

    def spent(self) -> bool:
        return not self.fits(self.cheapest_ms)


class Decoder:
    """Decodes frames with one tuning table and learns what each kind of pass costs here."""

    def __init__(self, *, tuning: Tuning = TUNING, backends: tuple[str, ...] = BACKENDS):
        self.tuning = tuning
        self.backends = backends
        self.costs = dict(tuning.ms_per_mpx)  # learnt: expected CPU ms per megapixel, by kind of pass
        self._failures: set[str] = set()
        self._cv_qr = None

    def __call__(self, frame, *, budget_ms: float | None = None) -> list[Decoded]:
        return self.decode(frame, budget_ms=budget_ms)

    def decode(self, frame, *, budget_ms: float | None = None) -> list[Decoded]:
        try:
            return self._decode(frame, self.tuning.budget_ms if budget_ms is None else budget_ms)
        except Exception as err:  # noqa: BLE001 - a frame we cannot read gives nothing, never a dead camera
            if type(err).__name__ not in self._failures:
                self._failures.add(type(err).__name__)
                log.exception("decoding a frame failed; such frames give nothing")
            return []

    def run_pass(self, kind: str, pixels: int, step, deadline: _Deadline, always: bool = False):
        """One pass, if its expected cost fits in what is left of the budget (or `always`);
        its cost then updates what this decoder expects of the kind. (bench.scan overrides
        this to see what each pass cost and read.)"""
        expected = self.costs[kind] * pixels / 1e6
        if not always and not deadline.fits(expected):
            return None
        t0 = time.thread_time()
        found = step()
        if found is None:  # a pass that did not apply (no angle to turn, no outline to flatten)
            return None
        spent = (time.thread_time() - t0) * 1000
        rate = self.tuning.learn_rate
        measured = min(spent * 1e6 / max(pixels, 1), self.tuning.learn_cap * self.costs[kind])
        self.costs[kind] = (1 - rate) * self.costs[kind] + rate * measured
        return found

    def opencv_detector(self):
        if self._cv_qr is None:
            self._cv_qr = cv2.QRCodeDetector()
        return self._cv_qr

    # --- the steps --------------------------------------------------------------------------
    def _decode(self, frame, budget_ms: float) -> list[Decoded]:
        gray = to_gray(frame)
        if gray is None or min(gray.shape) < 8:
            return []
        deadline = _Deadline(budget_ms, self.tuning)
        zx = "zxing" in self.backends
        found = (zx and self._whole_frame_zxing(gray, deadline)) or self._regions(gray, zx, deadline)
        if not found:
            found = self._plain(frame, gray, zx, deadline)
        if not found:
            # OpenCV's own QR detector on the whole frame, if the budget allows (~40 ms: not the
            # default one)
            found = self.run_pass("frame-opencv", gray.size,
                                  lambda: passes.read_opencv(self.opencv_detector(), gray, "frame-opencv"), deadline)
        return _unique(found or [], gray)

    def _whole_frame_zxing(self, gray: np.ndarray, deadline: _Deadline) -> list[Decoded]:
        # zxing's fixed-threshold binariser reads motion-blurred codes its default one loses, and
        # after a light sharpening most out-of-focus ones: ~1 ms each (the first always runs)
        found = self.run_pass("zxing", gray.size, lambda: passes.read_zxing(gray, "zxing"), deadline, always=True)
        for step in (lambda: passes.read_zxing(gray, "zxing-fixed", fixed=True),
                     lambda: passes.read_zxing(passes.sharpen(gray, 1.0), "zxing-sharpen", fixed=True)):
            found = found or self.run_pass("zxing", gray.size, step, deadline)
        return found or []

    def _regions(self, gray: np.ndarray, zx: bool, deadline: _Deadline) -> list[Decoded]:
        boxes = find_regions(gray, self.tuning)
        plans: list[list | None] = [None] * len(boxes)  # each made when its first pass is due
        first, round_, more = True, 0, True
        while more:
            more = False
            for i, box in enumerate(boxes):
                if plans[i] is None:
                    plans[i] = plan(Region(gray, box, zx, self.tuning, self.opencv_detector))
                if round_ < len(plans[i]):
                    more = True
                    kind, px, step = plans[i][round_]
                    found = self.run_pass(kind, px, step, deadline, always=first)
                    first = False
                    if found:
                        return found
            if deadline.spent():
                return []
            round_ += 1
        return []

    def _plain(self, frame, gray: np.ndarray, zx: bool, deadline: _Deadline) -> list[Decoded]:
        """Each library as it reads by default, on the frame as given (zxing takes BGR itself),
        whatever the budget: what either alone reads, we read."""
        found: list[Decoded] = []
        if zx:
            as_given = frame if (isinstance(frame, np.ndarray) and frame.dtype == np.uint8
                                 and (frame.ndim == 2 or frame.shape[2] == 3)) else gray
            found = self.run_pass("plain-zxing", gray.size,
                                  lambda: passes.read_zxing(np.ascontiguousarray(as_given), "zxing-plain", plain=True),
                                  deadline, always=True)
        return found or self.run_pass("plain-zbar", gray.size, lambda: passes.read_zbar(gray, "zbar-plain"),
                                      deadline, always=True) or []


def decode(frame, *, budget_ms: float | None = None, backends: tuple[str, ...] = BACKENDS) -> list[Decoded]:
    """One frame with a fresh Decoder: the shipped tuning, nothing learnt (a camera keeps a
    Decoder of its own instead, which learns its machine's costs)."""
    return Decoder(backends=backends).decode(frame, budget_ms=budget_ms)


def _confirmed(gray: np.ndarray, d: Decoded) -> Decoded:
    """An EAN-13 that zxing read from a line or two is checked by zbar, which wants agreement
    between scan lines: one wrong digit can still pass EAN's weak check digit (seen on the
    bench), and a wrong product in the cart is worse than a second look."""
    if d.symbology != "EAN13" or not d.how.startswith(("zxing", "region")):
        return d
    xs, ys = [p[0] for p in d.points], [p[1] for p in d.points]
    pad = max(24, (max(xs) - min(xs)) // 4)
    x0, y0 = max(0, min(xs) - pad), max(0, min(ys) - pad)
    crop = np.ascontiguousarray(gray[y0:max(ys) + pad, x0:max(xs) + pad])
    if crop.size == 0:
        return d
    second = [z for z in passes.read_zbar(crop, d.how + "+zbar", 1.0, (x0, y0)) if z.symbology == "EAN13"]
    return second[0] if second and second[0].text != d.text else d


def _unique(found: list[Decoded], gray: np.ndarray) -> list[Decoded]:
    seen, out = set(), []
    for d in (_confirmed(gray, d) for d in found):
        if d.text and (d.symbology, d.text) not in seen:
            seen.add((d.symbology, d.text))
            out.append(d)
    return out
