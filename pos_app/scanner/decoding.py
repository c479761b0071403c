"""Codes in a camera frame: `decode(frame) -> list[Decoded]`.

Most frames at a counter are easy, and what a library costs grows with the pixels it
scans: zbar needs ~10 ms for a whole 640x480 frame, ~2-3 ms for the code's own region.

1. With zxing-cpp installed, zxing on the whole gray frame first (~1 ms; copes with tilt
   and light-on-dark phone screens).
2. Code-like regions (dense edges in two directions) found on a half-size frame (<1 ms),
   the likeliest first. On the bench corpus the code is always in the first region.
3. One read of each region's crop, chosen by what the crop looks like (measured on the
   bench corpus, see _Region): lightly smoothed (QR); zbar's QR reader alone where the
   edges have no dominant direction (no 1D barcode there: a quarter cheaper); bars
   turned upright and squashed along their length where they have one; sharpened where
   the edges are soft (out of focus) or streaked (motion); blurred and stretched where
   dim; a half-size copy for big modules; inverted where the surround is dark (a phone
   in dark mode).
4. Only then retries on each region, breadth first (the likely retries on every region
   before the long shots on any), ordered by what they read per millisecond on the bench:
   sharpened, perspective undone (tilted codes), bars turned upright, inverted, enlarged
   (small codes), contrast-stretched, binarised, glare evened out, OpenCV's QR detector,
   sharpened twice; at the end zbar and OpenCV on the whole frame, in case the regions
   missed the code, if the budget allows (the default one does not). A QR region with a
   highlight on it (a ceiling light on a phone screen: whites clipped in one part, not in
   another) gets its glare evened out right after its first read instead: scaled between
   its local dark and light levels, which brings back the modules the highlight has
   washed towards white but not quite to it.

The budget bounds the work per frame so an empty or hopeless frame never stalls the
camera: a retry starts only if its expected cost (per kind of retry and pixel, learnt
while running) still fits in the decoding thread's CPU time for the frame. CPU time, not
wall time: what a frame is tried with does not depend on the neighbours' load. The first
read always runs.

zbar is limited to the symbologies we use (zbar_reader), zxing-cpp too; zxing-cpp is
optional: without it zbar does every pass (bench.scan shows both). decode() never raises:
a failure inside a pass is logged once per kind of error and the frame gives nothing.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

import cv2
import numpy as np

from pos_app.scanner import zbar_reader
from pos_app.scanner.zbar_reader import SYMBOLS

try:
    import zxingcpp
except ImportError:  # an optional backend: decoding works on zbar alone
    zxingcpp = None

__all__ = ["BACKENDS", "BUDGET_MS", "Decoded", "SYMBOLS", "decode", "to_gray"]

log = logging.getLogger(__name__)
BACKENDS = ("zxing", "zbar") if zxingcpp is not None else ("zbar",)
BUDGET_MS = 7.0  # retries stop when the next would end after this; the first region read always runs
MAX_REGIONS = 3
_REGION_SIDE = 320  # the "enlarged" retry grows regions towards this many pixels across
_cv_qr = None
_logged: set[str] = set()
if zxingcpp is not None:
    _ZX_FORMATS = (zxingcpp.BarcodeFormat.QRCode, zxingcpp.BarcodeFormat.EAN13, zxingcpp.BarcodeFormat.Code128)
    _ZX_NAMES = {zxingcpp.BarcodeFormat.QRCode: "QRCODE", zxingcpp.BarcodeFormat.EAN13: "EAN13",
                 zxingcpp.BarcodeFormat.Code128: "CODE128"}

# Expected CPU milliseconds per megapixel of region for each kind of retry, from the
# bench corpus on the 2-vCPU dev machine; each is then followed (moving average) as it runs.
_MS_PER_MPX = {"read": 40.0, "sharpen": 45.0, "inverted": 40.0, "straightened": 60.0, "rectified": 60.0,
               "enlarged": 45.0, "contrast": 50.0, "binarise": 40.0, "glare": 45.0, "opencv": 200.0, "frame": 35.0, "zxing": 8.0,
               "frame-opencv": 120.0}
# what bench.scan --stages reads: (kind, pixels, ms, found) for each pass run, when not None
trace: list | None = None


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str  # the payload as text; bytes that are not UTF-8 come through as the library read them
    symbology: str  # "QRCODE", "EAN13", "CODE128"
    points: tuple[tuple[int, int], ...]  # the code's outline in frame pixels
    raw: bytes
    how: str = "zbar"  # which pass found it, for the bench and for tuning

    @property
    def utf8(self) -> bool:
        try:
            self.raw.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True


def to_gray(frame) -> np.ndarray | None:
    """BGR, BGRA or gray, 8 or 16 bit, as OpenCV gives it; None for anything else."""
    if not isinstance(frame, np.ndarray) or frame.size == 0 or frame.ndim not in (2, 3):
        return None
    if frame.dtype != np.uint8:
        if frame.dtype == np.uint16:
            frame = (frame >> 8).astype(np.uint8)
        else:
            frame = cv2.normalize(frame.astype(np.float32), None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    if frame.ndim == 3:
        channels = frame.shape[2]
        if channels == 1:
            frame = frame[:, :, 0]
        elif channels in (3, 4):
            frame = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY if channels == 3 else cv2.COLOR_BGRA2GRAY)
        else:
            return None
    return np.ascontiguousarray(frame)


def decode(frame, *, budget_ms: float = BUDGET_MS, backends: tuple[str, ...] = BACKENDS) -> list[Decoded]:
    try:
        return _decode(frame, budget_ms, backends)
    except Exception as err:  # noqa: BLE001 - a frame we cannot read gives nothing, never a dead camera
        if type(err).__name__ not in _logged:
            _logged.add(type(err).__name__)
            log.exception("decoding a frame failed; such frames give nothing")
        return []


def _decode(frame, budget_ms: float, backends: tuple[str, ...]) -> list[Decoded]:
    gray = to_gray(frame)
    if gray is None or min(gray.shape) < 8:
        return []
    deadline = _Deadline(budget_ms)
    zx = "zxing" in backends and zxingcpp is not None
    if zx:
        # zxing's fixed-threshold binariser reads motion-blurred codes its default one loses, and
        # after a light sharpening most out-of-focus ones: ~1 ms each, on the whole frame
        # (the first always runs, the other two within the budget like any retry)
        found = _zxing(gray, "zxing")
        for step in (lambda: _zxing(gray, "zxing-fixed", fixed=True),
                     lambda: _zxing(_sharpen(gray, 1.0), "zxing-sharpen", fixed=True)):
            found = found or _run("zxing", gray.size, step, deadline)
        if found:
            return _unique(found, gray)
    boxes = _regions(gray)
    plans: list[_Region | None] = [None] * len(boxes)  # each made when its first pass is due
    first, round_, more = True, 0, True
    while more:
        more = False
        for i, box in enumerate(boxes):
            if plans[i] is None:
                plans[i] = _Region(gray, box, zx)
            steps = plans[i].steps
            if round_ < len(steps):
                more = True
                kind, px, step = steps[round_]
                found = _run(kind, px, step, deadline, always=first)
                first = False
                if found:
                    return _unique(found, gray)
        if deadline.spent():
            return []
        round_ += 1
    # in case the regions missed the code: the whole frame, if the budget allows (~10 ms:
    # not the default one; a frame without a single code-like region gives nothing then)
    for kind, px, step in (("frame", gray.size, lambda: _zbar(gray, "frame")),
                           ("frame-opencv", gray.size, lambda: _opencv(gray, "frame-opencv"))):
        found = _run(kind, px, step, deadline)
        if found:
            return _unique(found, gray)
    return []


class _Deadline:
    """The budget is CPU time of the decoding thread, so what a frame gets tried with does
    not depend on what else the machine is doing (the neighbours' load stretches the wall
    time of every pass alike); a wall-clock cap of ten budgets still bounds a frame on a
    machine too busy to give us the CPU at all."""

    def __init__(self, budget_ms: float):
        self.cpu = time.thread_time() + budget_ms / 1000
        self.wall = time.perf_counter() + 10 * budget_ms / 1000

    def fits(self, ms: float) -> bool:
        return time.thread_time() + ms / 1000 <= self.cpu and time.perf_counter() + ms / 1000 <= self.wall

    def spent(self) -> bool:
        return not self.fits(0.2)  # not even the cheapest pass on the smallest region


def _run(kind: str, pixels: int, step, deadline: _Deadline, always: bool = False):
    """One pass, if its expected cost fits in what is left of the budget (or `always`)."""
    expected = _MS_PER_MPX[kind] * pixels / 1e6
    if not always and not deadline.fits(expected):
        return None
    t0 = time.thread_time()
    found = step()
    if found is None:  # a pass that did not apply (no angle to turn, no outline to flatten)
        return None
    spent = (time.thread_time() - t0) * 1000
    _MS_PER_MPX[kind] = 0.9 * _MS_PER_MPX[kind] + 0.1 * min(spent * 1e6 / max(pixels, 1), 10 * _MS_PER_MPX[kind])
    if trace is not None:
        trace.append((kind, pixels, spent, bool(found)))
    return found


class _Region:
    """One code-like region of the frame and its passes, cheapest and likeliest first;
    each image is made only when a pass needs it, once."""

    def __init__(self, gray: np.ndarray, box, zx: bool):
        x, y, w, h = box
        self.off, self.zx = (x, y), zx
        self.crop = np.ascontiguousarray(gray[y:y + h, x:x + w])
        self.scale = max(1.0, min(3.0, _REGION_SIDE / max(w, h)))
        self._big = None
        self._highlight: bool | None = None
        px = w * h
        # a region without one dominant edge direction is no 1D barcode (these measure 0.22 or
        # more on the bench, QR codes 0.16 or less, motion-blurred ones up to 0.54):
        # zbar then runs its QR reader alone, a quarter cheaper and no 1D misreads
        angle, coherence, along, sharpness = _orientation(self.crop)
        bars = coherence >= 0.2
        self.symbols = SYMBOLS if bars else zbar_reader.QR_ONLY
        lo, hi = _levels(self.crop)
        if bars:
            read = ("read", px, lambda: self.read(self.crop, "region"))
        else:
            # QR: a very light blur (3x3, sigma 0.5) first smooths JPEG blocks and noise without
            # losing small modules: on the bench the same reads or more for every variant but the
            # blurred ones (which sharpening reads next): jpeg 39 of 40 where the crop as it is
            # gives 38, large 40/39, tilted 25/24, blur 4/6, motion 4/5
            read = ("read", px, lambda: self.read(cv2.GaussianBlur(self.crop, (3, 3), 0.5), "region"))
        sharpen = ("sharpen", px, lambda: self.read(_sharpen(self.crop, 3.0), "sharpen"))
        contrast = ("contrast", px, lambda: self.read(_stretch(self.crop, lo, hi), "contrast"))
        # bars: turned upright and squashed along them first (the bench's tilted Code128 labels:
        # 40 of 40 read at 2.7 ms where the crop as it is gives 18 at 3.5 ms)
        first = [read]
        if bars:
            # zbar only: zxing read Code128 garbage from a squashed copy (bench frame 18, seed 7),
            # zbar wants its scan lines to agree
            squashed = ("straightened", px // 2, lambda: _straightened(self.crop, self.zbar, angle, 3))
            # streaks that do not run on are more likely a QR code moved while the shutter was
            # open than bars: sharpened, such crops read 10 of the bench's 35, as they are 4 (of those 10)
            first = [squashed, read] if along >= 0.05 else [sharpen, squashed, read]
        if not bars and sharpness < 3.45:  # out of focus: sharpened first
            first = [sharpen, read]
        elif not bars and min(w, h) >= 280 and _mean_run(self.crop) >= 14:  # big modules: a half-size copy reads as well
            first = [("read", px // 4, lambda: self.read(_half(self.crop), "region-half", scale=0.5)), read]
        if hi - lo < 64:
            # dim (low light): stretched after a light blur, as the noise is stretched too (39 of
            # the bench's 40 dim frames read so, 34 as they are, 31 stretched without the blur)
            first.insert(0, ("contrast", px, lambda: self.read(_stretch(cv2.GaussianBlur(self.crop, (3, 3), 0)), "dim")))
        rectified = ("rectified", px, lambda: _rectified(self.crop, self.read))
        if bars:  # 1D labels, or a QR code streaked by motion
            steps = first + [rectified] if sharpen in first else first + [sharpen, rectified]
        else:
            steps = first + [step for step in (sharpen, rectified) if step not in first]
            steps.append(("straightened", px, lambda: _straightened(self.crop, self.read, angle)))
        if zx:  # zxing reads light-on-dark itself
            steps.append(("read", px, lambda: _zxing(self.crop, "region-fixed", 1.0, self.off, fixed=True)))
        else:
            inverted = ("inverted", px, lambda: self.read(255 - self.crop, "inverted"))
            if _dark_surround(self.crop):
                steps.insert(0, inverted)
            else:
                steps.append(inverted)
        big_px = int(px * self.scale * self.scale)
        if self.scale > 1.05:  # small codes
            steps.append(("enlarged", big_px, lambda: self.read(self.big(), "enlarged", scale=self.scale)))
        if contrast not in steps:
            steps.append(contrast)
        steps.append(("binarise", px, lambda: self.read(_binarise(self.crop), "binarise")))

        def glare():
            return self.read(_even_light(self.crop), "glare")

        if not bars and sharpness >= 3.45:
            # a highlight on a QR code (told apart only once the first read failed, so a code
            # read at once pays nothing for it): evened out right after the first read, as the
            # retries before it in the list never read a glare frame on the bench and used up
            # the budget (seed 7's frame 18: read, sharpened, rectified, then no time left).
            # The highlight test picks out 79 of the 80 glare frames of seeds 7 and 11 and one
            # of their 880 other QR frames (a small code); evened out, 77 of the 80 read (the
            # other 3 lost a whole finder pattern to the clip)
            steps.insert(1, ("glare", px, lambda: glare() if self.highlight() else None))
            steps.append(("glare", px, lambda: None if self.highlight() else glare()))
        else:
            steps.append(("glare", px, glare))
        if self.symbols == zbar_reader.QR_ONLY or zx:
            steps.append(("opencv", big_px, lambda: _opencv(self.big(), "opencv", self.scale, self.off)))
        steps.append(("sharpen", big_px,
                      lambda: self.read(_sharpen(_sharpen(self.big())), "sharpen-twice", scale=self.scale)))
        self.steps = steps

    def read(self, img: np.ndarray, how: str, warp=None, scale: float = 1.0) -> list[Decoded]:
        return ((self.zx and _zxing(img, how, scale, self.off, warp))
                or _zbar(img, how, scale, self.off, warp, self.symbols))

    def zbar(self, img: np.ndarray, how: str, warp=None, scale: float = 1.0) -> list[Decoded]:
        return _zbar(img, how, scale, self.off, warp, self.symbols)

    def highlight(self) -> bool:
        if self._highlight is None:
            self._highlight = _highlight(self.crop)
        return self._highlight

    def big(self) -> np.ndarray:
        if self.scale <= 1.05:
            return self.crop
        if self._big is None:
            self._big = cv2.resize(self.crop, None, fx=self.scale, fy=self.scale, interpolation=cv2.INTER_CUBIC)
        return self._big


def _dark_surround(crop: np.ndarray) -> bool:
    """A region much darker at its edges than overall: light modules on a dark screen. On
    the bench, phone codes in dark mode measure 0.26-0.50, every other kind 0.51 or more."""
    h, w = crop.shape
    b = max(2, min(w, h) // 12)
    ring = (float(crop[:b].sum()) + float(crop[-b:].sum()) + float(crop[b:-b, :b].sum()) + float(crop[b:-b, -b:].sum()))
    ring_px = 2 * b * w + 2 * b * (h - 2 * b)
    return ring / max(ring_px, 1) < 0.55 * max(float(crop.mean()), 1.0)


# --- passes ---------------------------------------------------------------------------------
def _text(raw: bytes, fallback: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return fallback


def _zbar(img: np.ndarray, how: str, scale: float = 1.0, offset=(0, 0), warp=None,
          symbols: tuple = SYMBOLS) -> list[Decoded]:
    out = []
    for kind, raw, polygon in zbar_reader.read(img, symbols):
        # zbar hands over UTF-8, transcoding what it guessed was another charset
        out.append(Decoded(raw.decode("utf-8", "replace"), kind, _back(polygon, scale, offset, warp), raw, how))
    return out


def _zxing(img: np.ndarray, how: str, scale: float = 1.0, offset=(0, 0), warp=None, fixed=False) -> list[Decoded]:
    out = []
    binarizer = zxingcpp.Binarizer.FixedThreshold if fixed else zxingcpp.Binarizer.LocalAverage
    for r in zxingcpp.read_barcodes(img, formats=_ZX_FORMATS, try_downscale=False, binarizer=binarizer):
        raw = bytes(r.bytes)
        p = r.position
        corners = [(p.top_left.x, p.top_left.y), (p.top_right.x, p.top_right.y),
                   (p.bottom_right.x, p.bottom_right.y), (p.bottom_left.x, p.bottom_left.y)]
        out.append(Decoded(_text(raw, r.text), _ZX_NAMES.get(r.format, str(r.format)),
                           _back(corners, scale, offset, warp), raw, how))
    return out


def _back(points, scale: float, offset, warp) -> tuple[tuple[int, int], ...]:
    """Region pixels back to frame pixels: undo the straightening or rectifying, the enlarging, the crop."""
    if warp is None:
        return tuple((int(round(x / scale + offset[0])), int(round(y / scale + offset[1]))) for x, y in points)
    pts = np.array(points, dtype=np.float64).reshape(-1, 2)
    if len(pts):
        pts = cv2.perspectiveTransform(pts[None], np.linalg.inv(warp))[0]
    return tuple((int(round(x / scale + offset[0])), int(round(y / scale + offset[1]))) for x, y in pts)


def _opencv(img: np.ndarray, how: str, scale: float = 1.0, offset=(0, 0)) -> list[Decoded]:
    global _cv_qr
    if _cv_qr is None:
        _cv_qr = cv2.QRCodeDetector()
    try:
        ok, infos, points, _ = _cv_qr.detectAndDecodeBytesMulti(img)
    except cv2.error:
        return []
    if not ok or points is None:
        return []
    out = []
    for raw, quad in zip(infos, points):
        if not raw:
            continue
        raw = bytes(raw)
        pts = tuple((int(round(x / scale + offset[0])), int(round(y / scale + offset[1]))) for x, y in quad)
        out.append(Decoded(raw.decode("utf-8", "replace"), "QRCODE", pts, raw, how))
    return out


def _regions(gray: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Boxes (x, y, w, h) around areas dense with edges in two directions: codes, mostly."""
    small = cv2.pyrDown(gray) if max(gray.shape) > 400 else gray
    factor = gray.shape[1] / small.shape[1]
    grad = cv2.morphologyEx(small, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    _, mask = cv2.threshold(grad, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    # components with their holes: a phone's bezel is a dense ring around the screen, and
    # its outline encloses the code; scored by its own area (holes taken out) it ranks
    # below the code, which is then found as a component of its own inside the hole
    contours, hierarchy = cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    boxes = []
    for i, c in enumerate(contours):
        if hierarchy[0][i][3] != -1:  # a hole
            continue
        x, y, w, h = cv2.boundingRect(c)
        if w * h < 300 or w < 12 or h < 12:
            continue
        area = cv2.contourArea(c)
        hole = hierarchy[0][i][2]
        while hole != -1:
            area -= cv2.contourArea(contours[hole])
            hole = hierarchy[0][hole][0]
        boxes.append((area, x, y, w, h))
    boxes.sort(reverse=True)
    out = []
    for _, x, y, w, h in boxes:
        pad = int(0.1 * max(w, h)) + 4  # half-size units on full-size pixels: ~5% each side, and the quiet zone
        x0, y0 = max(0, int(x * factor) - pad), max(0, int(y * factor) - pad)
        x1 = min(gray.shape[1], int((x + w) * factor) + pad)
        y1 = min(gray.shape[0], int((y + h) * factor) + pad)
        # a box around one already taken (the phone around its code) would only read it again;
        # a box inside one already taken (the code inside its phone) goes before it
        if not any(x0 <= a and y0 <= b and a + c <= x1 and b + d <= y1 for a, b, c, d in out):
            inside = [k for k, (a, b, c, d) in enumerate(out) if a <= x0 and b <= y0 and x1 <= a + c and y1 <= b + d]
            out.insert(inside[0] if inside else len(out), (x0, y0, x1 - x0, y1 - y0))
            if len(out) == MAX_REGIONS:
                break
    return out


def _straightened(img: np.ndarray, read, angle: float, squash: int = 1) -> list[Decoded] | None:
    """Turn a 1D barcode's bars upright (`angle`: the edges' dominant direction), where both
    libraries read best, and sharpen. `squash` > 1 also shrinks the height that many times,
    averaging along the bars: a third of the pixels to scan and less noise, for 1D codes only."""
    if squash == 1 and abs(angle) < 4:
        return None  # upright already: nothing to do
    h, w = img.shape
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    cos, sin = abs(turn[0, 0]), abs(turn[0, 1])
    nw, nh = int(h * sin + w * cos), int(h * cos + w * sin)
    turn[0, 2] += nw / 2 - w / 2
    turn[1, 2] += nh / 2 - h / 2
    if squash > 1:
        turn[1] /= squash
        nh = max(8, nh // squash)
    upright = cv2.warpAffine(img, turn, (nw, nh), flags=cv2.INTER_AREA if squash > 1 else cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_REPLICATE)
    return read(_sharpen(upright), "straightened", np.vstack([turn, [0, 0, 1]]))


def _rectified(img: np.ndarray, read) -> list[Decoded] | None:
    """Undo perspective: warp the biggest four-cornered outline (the label, the code or the
    phone screen, all in the code's plane) to a square. zbar reads little at a slant."""
    _, mask = cv2.threshold(img, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    contours, _ = cv2.findContours(mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    area_min = 0.08 * img.shape[0] * img.shape[1]
    quads = []
    for c in contours:
        area = cv2.contourArea(c)
        if area < area_min:
            continue
        poly = cv2.approxPolyDP(c, 0.04 * cv2.arcLength(c, True), True)
        if len(poly) == 4 and cv2.isContourConvex(poly):
            quads.append((area, poly.reshape(4, 2).astype(np.float32)))
    for _, quad in sorted(quads, key=lambda q: q[0])[:2]:  # the code's own outline is the smaller
        # order corners: top-left, top-right, bottom-right, bottom-left
        s, d = quad.sum(axis=1), np.diff(quad, axis=1).ravel()
        src = np.array([quad[s.argmin()], quad[d.argmin()], quad[s.argmax()], quad[d.argmax()]], np.float32)
        side = int(max(np.linalg.norm(src[0] - src[1]), np.linalg.norm(src[1] - src[2]))) + 1
        margin = side // 10
        dst = np.array([[margin, margin], [margin + side, margin], [margin + side, margin + side],
                        [margin, margin + side]], np.float32)
        warp = cv2.getPerspectiveTransform(src, dst)
        flat = cv2.warpPerspective(img, warp, (side + 2 * margin, side + 2 * margin), flags=cv2.INTER_LINEAR,
                                   borderMode=cv2.BORDER_REPLICATE)
        found = read(flat, "rectified", warp)
        if found:
            return found
    return [] if quads else None


def _confirmed(gray: np.ndarray, d: Decoded) -> Decoded:
    """An EAN-13 that zxing read from a line or two is checked by zbar, which wants agreement
    between scan lines: one wrong digit can still pass EAN's weak check digit (seen on the
    bench), and a wrong product in the cart is worse than a second look."""
    if d.symbology != "EAN13" or not d.how.startswith(("zxing", "region")) or zxingcpp is None:
        return d
    xs, ys = [p[0] for p in d.points], [p[1] for p in d.points]
    pad = max(24, (max(xs) - min(xs)) // 4)
    x0, y0 = max(0, min(xs) - pad), max(0, min(ys) - pad)
    crop = np.ascontiguousarray(gray[y0:max(ys) + pad, x0:max(xs) + pad])
    if crop.size == 0:
        return d
    second = [z for z in _zbar(crop, d.how + "+zbar", 1.0, (x0, y0)) if z.symbology == "EAN13"]
    return second[0] if second and second[0].text != d.text else d


def _orientation(img: np.ndarray) -> tuple[float, float, float, float]:
    """The edges' dominant direction in degrees; how much they share it, 0 (not at all) to 1
    (all of them: a 1D barcode's bars); and how alike the fine detail is 24 pixels apart
    along the bars, -1 to 1: bars run on (37 of the bench's 40 EAN-13 and 38 of its 40
    Code128 labels measure 0.05 or more), the streaks of a motion-blurred QR code do not
    (34 of 40 below 0.05); and the steepest edges (99th percentile) over the contrast: the
    bench's out-of-focus codes measure 2.5-3.4, every other QR code 3.6 or more. From the
    gradients of a half-size copy."""
    small = cv2.pyrDown(img) if min(img.shape) >= 64 else img
    gx = cv2.Sobel(small, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(small, cv2.CV_32F, 0, 1, ksize=3)
    jxx, jyy, jxy = float(cv2.sumElems(gx * gx)[0]), float(cv2.sumElems(gy * gy)[0]), float(cv2.sumElems(gx * gy)[0])
    mag = cv2.absdiff(gx, 0) + cv2.absdiff(gy, 0)
    lo, hi = _levels(small)
    steepest = float(np.partition(mag.ravel(), int(0.99 * (mag.size - 1)))[int(0.99 * (mag.size - 1))])
    sharpness = steepest / max(hi - lo, 1)
    theta = 0.5 * math.atan2(2 * jxy, jxx - jyy)  # the gradient's direction; the bars run across it
    coherence = math.hypot(jxx - jyy, 2 * jxy) / max(jxx + jyy, 1e-6)
    along = 0.0
    if coherence >= 0.2:
        detail = small.astype(np.float32)
        detail -= cv2.GaussianBlur(detail, (0, 0), 4)
        dx, dy = int(round(-12 * math.sin(theta))), int(round(12 * math.cos(theta)))
        h, w = detail.shape
        a = detail[max(0, dy):h + min(0, dy), max(0, dx):w + min(0, dx)]
        b = detail[max(0, -dy):h + min(0, -dy), max(0, -dx):w + min(0, -dx)]
        if a.size:
            along = float(cv2.sumElems(a * b)[0]) / math.sqrt(float(cv2.sumElems(a * a)[0] * cv2.sumElems(b * b)[0]) + 1e-6)
    return math.degrees(theta), coherence, along, sharpness


def _levels(img: np.ndarray) -> tuple[int, int]:
    """The 1st and 99th percentile grey levels (a histogram: a tenth of np.percentile's cost)."""
    cum = cv2.calcHist([img], [0], None, [256], [0, 256]).ravel().cumsum()
    return int(np.searchsorted(cum, 0.01 * cum[-1])), int(np.searchsorted(cum, 0.99 * cum[-1]))


def _mean_run(img: np.ndarray) -> float:
    """Mean run of light or dark pixels along a few rows through the middle: about twice a
    QR code's module, in pixels."""
    h, w = img.shape
    rows = img[h // 3:2 * h // 3:max(1, h // 12)].astype(np.int16)
    light = rows > ((rows.min(axis=1) + rows.max(axis=1)) // 2)[:, None]
    changes = int(np.count_nonzero(light[:, 1:] != light[:, :-1]))
    return rows.size / max(changes, 1)


def _half(img: np.ndarray) -> np.ndarray:
    return cv2.resize(img, (img.shape[1] // 2, img.shape[0] // 2), interpolation=cv2.INTER_AREA)


def _stretch(img: np.ndarray, lo: int | None = None, hi: int | None = None) -> np.ndarray:
    if lo is None or hi is None:
        lo, hi = _levels(img)
    if hi - lo < 8:
        return img
    return cv2.convertScaleAbs(img, alpha=255.0 / (hi - lo), beta=-lo * 255.0 / (hi - lo))


def _sharpen(img: np.ndarray, amount: float = 1.0) -> np.ndarray:
    soft = cv2.GaussianBlur(img, (0, 0), 2.0)
    return cv2.addWeighted(img, 1.0 + amount, soft, -amount, 0)


def _binarise(img: np.ndarray) -> np.ndarray:
    block = max(15, (min(img.shape) // 8) | 1)
    return cv2.adaptiveThreshold(img, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, block, 5)


def _highlight(crop: np.ndarray) -> bool:
    """Glare: whites clipped (252 or more) in one part of the region and not in another.
    A white label is clipped all over (or, out of focus, nowhere in the code's middle: the
    caller leaves blurred regions out), a phone screen's white (about 245) nowhere, but a
    light reflected on it clips a patch. On a 4x4 grid, among the cells with a tenth or
    more of white (200 or more): in one, half its white clipped; in another, a twentieth
    or less."""
    white = cv2.resize((crop >= 200).astype(np.float32), (4, 4), interpolation=cv2.INTER_AREA)
    clipped = cv2.resize((crop >= 252).astype(np.float32), (4, 4), interpolation=cv2.INTER_AREA)
    cells = white >= 0.1
    if np.count_nonzero(cells) < 2:
        return False
    share = clipped[cells] / white[cells]
    return float(share.max()) >= 0.5 and float(share.min()) <= 0.05


def _even_light(img: np.ndarray) -> np.ndarray:
    """Each pixel scaled between the local dark and light levels (the darkest and lightest
    within about two modules, smoothed): a highlight that lifts the dark modules towards
    white lifts the local dark level with them, so they come out dark again wherever the
    glare left any contrast. Where it left none (both levels clipped) the spread is taken
    as at least 12 grey levels, so a flat patch stays flat, not amplified noise. The
    window: a twentieth of the region (its code, quiet zone and margin are about 45-50
    modules across), 9 pixels or more; 9 to 15 read the same on the bench's glare frames."""
    k = max(9, (min(img.shape) // 20) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
    light = cv2.blur(cv2.dilate(img, kernel), (k, k))
    dark = cv2.blur(cv2.erode(img, kernel), (k, k))
    spread = cv2.max(cv2.subtract(light, dark), 12)
    return cv2.divide(cv2.subtract(img, dark), spread, scale=255)


def _unique(found: list[Decoded], gray: np.ndarray | None = None) -> list[Decoded]:
    seen, out = set(), []
    if gray is not None:
        found = [_confirmed(gray, d) for d in found]
    for d in found:
        if d.text and (d.symbology, d.text) not in seen:
            seen.add((d.symbology, d.text))
            out.append(d)
    return out
