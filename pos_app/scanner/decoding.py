"""Codes in a camera frame: `decode(frame) -> list[Decoded]`.

Cheap passes first, because most frames at a counter are easy: zxing-cpp on the whole
gray frame (fast, and copes with tilt and light-on-dark phone screens), then zbar
(better on blur and on 1D barcodes). Only when both find nothing do we look for
code-like regions (dense edges) and retry on each region alone, small and cheap:
enlarged, straightened (1D barcodes), sharpened, contrast-stretched, inverted,
binarised (glare), and OpenCV's QR detector. A time budget bounds the retries so an
empty frame never stalls the camera.

Both libraries are limited to the symbologies we use: zbar left open reports
Interleaved 2-of-5 and DataBar "codes" in blurred QR modules and in printed text.
zxing-cpp is optional: without it zbar does every pass (see bench.scan for both).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import cv2
import numpy as np
from pyzbar import pyzbar

try:
    import zxingcpp
except ImportError:  # an optional backend: decoding works on zbar alone
    zxingcpp = None

SYMBOLS = (pyzbar.ZBarSymbol.QRCODE, pyzbar.ZBarSymbol.EAN13, pyzbar.ZBarSymbol.CODE128)
BACKENDS = ("zxing", "zbar") if zxingcpp is not None else ("zbar",)
BUDGET_MS = 15.0  # retries stop after this; the whole-frame passes always run
MAX_REGIONS = 3
_REGION_SIDE = 320  # regions are enlarged towards this many pixels across
_cv_qr = None
if zxingcpp is not None:
    _ZX_FORMATS = (zxingcpp.BarcodeFormat.QRCode, zxingcpp.BarcodeFormat.EAN13, zxingcpp.BarcodeFormat.Code128)
    _ZX_NAMES = {zxingcpp.BarcodeFormat.QRCode: "QRCODE", zxingcpp.BarcodeFormat.EAN13: "EAN13",
                 zxingcpp.BarcodeFormat.Code128: "CODE128"}


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
    gray = to_gray(frame)
    if gray is None or min(gray.shape) < 8:
        return []
    deadline = time.perf_counter() + budget_ms / 1000
    zx = "zxing" in backends and zxingcpp is not None
    # zbar on the whole frame costs ~5 ms where zxing costs ~1: with zxing, zbar reads regions only
    if zx:
        # zxing's fixed-threshold binariser reads motion-blurred codes its default one loses, and
        # after a light sharpening most out-of-focus ones: ~1 ms each, on the whole frame
        found = (_zxing(gray, "zxing") or _zxing(gray, "zxing-fixed", fixed=True)
                 or _zxing(_sharpen(gray, 1.0), "zxing-sharpen", fixed=True))
    else:
        found = _zbar(gray, "zbar")
    if found:
        return _unique(found, gray)
    # breadth first: the likely retries on every region before the long shots on any
    plans = [_region_steps(gray, region, zx) for region in _regions(gray)]
    for round_ in range(max((len(p) for p in plans), default=0)):
        for plan in plans:
            if round_ < len(plan):
                found = plan[round_]()
                if found:
                    return _unique(found, gray)
            if time.perf_counter() > deadline:
                return []
    if time.perf_counter() < deadline:
        if zx:
            return _unique(_zbar(gray, "zbar"), gray)
        return _unique(_zbar(255 - gray, "inverted") or _opencv(gray, "opencv"), gray)
    return []


# --- passes ---------------------------------------------------------------------------------
def _text(raw: bytes, fallback: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return fallback


def _zbar(img: np.ndarray, how: str, scale: float = 1.0, offset=(0, 0), warp=None) -> list[Decoded]:
    out = []
    for r in pyzbar.decode(img, symbols=SYMBOLS):
        raw = bytes(r.data)  # zbar hands over UTF-8, transcoding what it guessed was another charset
        points = _back([(p.x, p.y) for p in r.polygon], scale, offset, warp)
        out.append(Decoded(raw.decode("utf-8", "replace"), r.type, points, raw, how))
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
    pts = np.array(points, dtype=np.float64).reshape(-1, 2)
    if warp is not None and len(pts):
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
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    boxes = []
    for c in contours:
        x, y, w, h = cv2.boundingRect(c)
        if w * h < 300 or w < 12 or h < 12:
            continue
        fill = cv2.contourArea(c) / (w * h)
        boxes.append((fill * w * h, x, y, w, h))
    boxes.sort(reverse=True)
    out = []
    for _, x, y, w, h in boxes[:MAX_REGIONS]:
        pad = int(0.2 * max(w, h)) + 4
        x0, y0 = max(0, int(x * factor) - pad), max(0, int(y * factor) - pad)
        x1 = min(gray.shape[1], int((x + w) * factor) + pad)
        y1 = min(gray.shape[0], int((y + h) * factor) + pad)
        out.append((x0, y0, x1 - x0, y1 - y0))
    return out


def _region_steps(gray: np.ndarray, box, zx: bool) -> list:
    """The retries for one region, cheapest and likeliest first; images made only when needed."""
    x, y, w, h = box
    off = (x, y)
    scale = max(1.0, min(3.0, _REGION_SIDE / max(w, h)))
    made: dict[str, np.ndarray] = {}

    def big() -> np.ndarray:
        if "big" not in made:
            crop = gray[y:y + h, x:x + w]
            made["big"] = np.ascontiguousarray(
                cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC) if scale > 1.05 else crop)
        return made["big"]

    def sharp() -> np.ndarray:
        if "sharp" not in made:
            made["sharp"] = _sharpen(big())
        return made["sharp"]

    def read(img, how, warp=None):
        return (zx and _zxing(img, how, scale, off, warp)) or _zbar(img, how, scale, off, warp)

    steps = [
        lambda: read(big(), "region"),
        lambda: _straightened(big(), read),
        lambda: zx and _zxing(big(), "region-fixed", scale, off, fixed=True),
        lambda: _rectified(big(), read),
        lambda: read(sharp(), "sharpen"),
        lambda: read(_stretch(big()), "contrast"),
        lambda: read(_binarise(big()), "binarise"),
        lambda: _opencv(big(), "opencv", scale, off),
        lambda: read(_sharpen(sharp()), "sharpen-twice"),
    ]
    if not zx:  # zxing tries light-on-dark itself
        steps[3:3] = [lambda: read(255 - big(), "inverted")]
    return steps


def _straightened(img: np.ndarray, read) -> list[Decoded]:
    """Turn a 1D barcode's bars upright (dominant gradient direction), where both libraries read best."""
    gx = cv2.Sobel(img, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(img, cv2.CV_32F, 0, 1, ksize=3)
    angle = 0.5 * math.degrees(math.atan2(2 * float((gx * gy).sum()), float((gx * gx - gy * gy).sum())))
    if abs(angle) < 4:
        return []
    h, w = img.shape
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    cos, sin = abs(turn[0, 0]), abs(turn[0, 1])
    nw, nh = int(h * sin + w * cos), int(h * cos + w * sin)
    turn[0, 2] += nw / 2 - w / 2
    turn[1, 2] += nh / 2 - h / 2
    upright = cv2.warpAffine(img, turn, (nw, nh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return read(_sharpen(upright), "straightened", np.vstack([turn, [0, 0, 1]]))


def _rectified(img: np.ndarray, read) -> list[Decoded]:
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
    return []


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


def _stretch(img: np.ndarray) -> np.ndarray:
    lo, hi = np.percentile(img, (1, 99))
    if hi - lo < 8:
        return img
    return cv2.convertScaleAbs(img, alpha=255.0 / (hi - lo), beta=-lo * 255.0 / (hi - lo))


def _sharpen(img: np.ndarray, amount: float = 1.0) -> np.ndarray:
    soft = cv2.GaussianBlur(img, (0, 0), 2.0)
    return cv2.addWeighted(img, 1.0 + amount, soft, -amount, 0)


def _binarise(img: np.ndarray) -> np.ndarray:
    block = max(15, (min(img.shape) // 8) | 1)
    return cv2.adaptiveThreshold(img, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, block, 5)


def _unique(found: list[Decoded], gray: np.ndarray | None = None) -> list[Decoded]:
    seen, out = set(), []
    if gray is not None:
        found = [_confirmed(gray, d) for d in found]
    for d in found:
        if d.text and (d.symbology, d.text) not in seen:
            seen.add((d.symbology, d.text))
            out.append(d)
    return out
