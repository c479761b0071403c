"""The decoder's building blocks: the three libraries' reads, and the image fixes tried before them.

Each read takes an image that may be a crop, enlarged, straightened or rectified, and
gives back `Decoded` codes with their outline in the frame's own pixels (`back` undoes
what was done to the image). Each fix is a pure function of an image.
"""

from __future__ import annotations

import cv2
import numpy as np
import zxingcpp

from pos_app.scanner import zbar_reader
from pos_app.scanner.decoded import Decoded
from pos_app.scanner.zbar_reader import SYMBOLS

ZX_FORMATS = (zxingcpp.BarcodeFormat.QRCode, zxingcpp.BarcodeFormat.EAN13, zxingcpp.BarcodeFormat.Code128)
_ZX_NAMES = {zxingcpp.BarcodeFormat.QRCode: "QRCODE", zxingcpp.BarcodeFormat.EAN13: "EAN13",
             zxingcpp.BarcodeFormat.Code128: "CODE128"}


def _text(raw: bytes, fallback: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return fallback


def back(points, scale: float = 1.0, offset=(0, 0), warp=None) -> tuple[tuple[int, int], ...]:
    """Region pixels back to frame pixels: undo the straightening or rectifying, the enlarging, the crop."""
    if warp is None:
        return tuple((int(round(x / scale + offset[0])), int(round(y / scale + offset[1]))) for x, y in points)
    pts = np.array(points, dtype=np.float64).reshape(-1, 2)
    if len(pts):
        pts = cv2.perspectiveTransform(pts[None], np.linalg.inv(warp))[0]
    return tuple((int(round(x / scale + offset[0])), int(round(y / scale + offset[1]))) for x, y in pts)


# --- the libraries ------------------------------------------------------------------------
def read_zbar(img: np.ndarray, how: str, scale: float = 1.0, offset=(0, 0), warp=None,
              symbols: tuple = SYMBOLS) -> list[Decoded]:
    out = []
    for kind, raw, polygon in zbar_reader.read(img, symbols):
        # zbar hands over UTF-8, transcoding what it guessed was another charset
        out.append(Decoded(raw.decode("utf-8", "replace"), kind, back(polygon, scale, offset, warp), raw, how))
    return out


def read_zxing(img: np.ndarray, how: str, scale: float = 1.0, offset=(0, 0), warp=None, fixed: bool = False,
               plain: bool = False) -> list[Decoded]:
    """zxing-cpp on one image. `plain`: exactly as the library reads by default (every
    rotation, downscaled copies, inverted), our symbologies only; otherwise at the image's
    own scale, for the crops and fixes that already did that work."""
    if plain:
        found = zxingcpp.read_barcodes(img, formats=ZX_FORMATS)
    else:
        binarizer = zxingcpp.Binarizer.FixedThreshold if fixed else zxingcpp.Binarizer.LocalAverage
        found = zxingcpp.read_barcodes(img, formats=ZX_FORMATS, try_downscale=False, binarizer=binarizer)
    out = []
    for r in found:
        raw = bytes(r.bytes)
        p = r.position
        corners = [(p.top_left.x, p.top_left.y), (p.top_right.x, p.top_right.y),
                   (p.bottom_right.x, p.bottom_right.y), (p.bottom_left.x, p.bottom_left.y)]
        out.append(Decoded(_text(raw, r.text), _ZX_NAMES.get(r.format, str(r.format)),
                           back(corners, scale, offset, warp), raw, how))
    return out


def read_opencv(detector, img: np.ndarray, how: str, scale: float = 1.0, offset=(0, 0)) -> list[Decoded]:
    """OpenCV's QR detector (`detector`: a cv2.QRCodeDetector, one per decoder: not thread-safe)."""
    try:
        ok, infos, points, _ = detector.detectAndDecodeBytesMulti(img)
    except cv2.error:
        return []
    if not ok or points is None:
        return []
    out = []
    for raw, quad in zip(infos, points):
        if not raw:
            continue
        raw = bytes(raw)
        out.append(Decoded(raw.decode("utf-8", "replace"), "QRCODE", back(quad, scale, offset), raw, how))
    return out


# --- image fixes --------------------------------------------------------------------------
def levels(img: np.ndarray) -> tuple[int, int]:
    """The 1st and 99th percentile grey levels (a histogram: a tenth of np.percentile's cost)."""
    cum = cv2.calcHist([img], [0], None, [256], [0, 256]).ravel().cumsum()
    return int(np.searchsorted(cum, 0.01 * cum[-1])), int(np.searchsorted(cum, 0.99 * cum[-1]))


def half(img: np.ndarray) -> np.ndarray:
    return cv2.resize(img, (img.shape[1] // 2, img.shape[0] // 2), interpolation=cv2.INTER_AREA)


def stretch(img: np.ndarray, lo: int | None = None, hi: int | None = None) -> np.ndarray:
    if lo is None or hi is None:
        lo, hi = levels(img)
    if hi - lo < 8:
        return img
    return cv2.convertScaleAbs(img, alpha=255.0 / (hi - lo), beta=-lo * 255.0 / (hi - lo))


def sharpen(img: np.ndarray, amount: float = 1.0) -> np.ndarray:
    soft = cv2.GaussianBlur(img, (0, 0), 2.0)
    return cv2.addWeighted(img, 1.0 + amount, soft, -amount, 0)


def binarise(img: np.ndarray) -> np.ndarray:
    block = max(15, (min(img.shape) // 8) | 1)
    return cv2.adaptiveThreshold(img, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, block, 5)


def even_light(img: np.ndarray) -> np.ndarray:
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


def straightened(img: np.ndarray, read, angle: float, squash: int = 1) -> list[Decoded] | None:
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
    return read(sharpen(upright), "straightened", np.vstack([turn, [0, 0, 1]]))


def rectified(img: np.ndarray, read) -> list[Decoded] | None:
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
