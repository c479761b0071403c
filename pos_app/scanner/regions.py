"""Where the codes may be in a frame, and what a region looks like: the measures that
decide which passes a region gets (see region_plan). Pure functions of gray images."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from pos_app.scanner.passes import levels
from pos_app.scanner.tuning import Tuning


def find_regions(gray: np.ndarray, tuning: Tuning) -> list[tuple[int, int, int, int]]:
    """Boxes (x, y, w, h) around areas dense with edges in two directions: codes, mostly,
    the likeliest first (at most `tuning.max_regions`)."""
    small = cv2.pyrDown(gray) if max(gray.shape) > tuning.half_size_above else gray
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
        if w * h < tuning.region_min_area or w < tuning.region_min_side or h < tuning.region_min_side:
            continue
        area = cv2.contourArea(c)
        hole = hierarchy[0][i][2]
        while hole != -1:
            area -= cv2.contourArea(contours[hole])
            hole = hierarchy[0][hole][0]
        boxes.append((area, x, y, w, h))
    boxes.sort(reverse=True)
    out: list[tuple[int, int, int, int]] = []
    for _, x, y, w, h in boxes:
        pad = int(tuning.region_pad * max(w, h)) + 4  # half-size units on full-size pixels
        x0, y0 = max(0, int(x * factor) - pad), max(0, int(y * factor) - pad)
        x1 = min(gray.shape[1], int((x + w) * factor) + pad)
        y1 = min(gray.shape[0], int((y + h) * factor) + pad)
        # a box around one already taken (the phone around its code) would only read it again;
        # a box inside one already taken (the code inside its phone) goes before it
        if not any(x0 <= a and y0 <= b and a + c <= x1 and b + d <= y1 for a, b, c, d in out):
            inside = [k for k, (a, b, c, d) in enumerate(out) if a <= x0 and b <= y0 and x1 <= a + c and y1 <= b + d]
            out.insert(inside[0] if inside else len(out), (x0, y0, x1 - x0, y1 - y0))
            if len(out) == tuning.max_regions:
                break
    return out


@dataclass(frozen=True, slots=True)
class Looks:
    """What a region's crop looks like, measured once from the gradients of a half-size copy."""

    angle: float  # the edges' dominant direction in degrees
    coherence: float  # how much the edges share it: 0 (not at all) to 1 (all: a 1D barcode's bars)
    along: float  # how alike fine detail is 24 px apart along the bars, -1 to 1 (bars run on)
    sharpness: float  # the steepest edges (99th percentile) over the contrast
    lo: int  # 1st and 99th percentile grey levels
    hi: int


def looks(img: np.ndarray, tuning: Tuning) -> Looks:
    small = cv2.pyrDown(img) if min(img.shape) >= 64 else img
    gx = cv2.Sobel(small, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(small, cv2.CV_32F, 0, 1, ksize=3)
    jxx, jyy, jxy = float(cv2.sumElems(gx * gx)[0]), float(cv2.sumElems(gy * gy)[0]), float(cv2.sumElems(gx * gy)[0])
    mag = cv2.absdiff(gx, 0) + cv2.absdiff(gy, 0)
    lo, hi = levels(small)
    k = int(0.99 * (mag.size - 1))
    sharpness = float(np.partition(mag.ravel(), k)[k]) / max(hi - lo, 1)
    theta = 0.5 * math.atan2(2 * jxy, jxx - jyy)  # the gradient's direction; the bars run across it
    coherence = math.hypot(jxx - jyy, 2 * jxy) / max(jxx + jyy, 1e-6)
    along = 0.0
    if coherence >= tuning.bars_coherence:
        detail = small.astype(np.float32)
        detail -= cv2.GaussianBlur(detail, (0, 0), 4)
        dx, dy = int(round(-12 * math.sin(theta))), int(round(12 * math.cos(theta)))
        h, w = detail.shape
        a = detail[max(0, dy):h + min(0, dy), max(0, dx):w + min(0, dx)]
        b = detail[max(0, -dy):h + min(0, -dy), max(0, -dx):w + min(0, -dx)]
        if a.size:
            along = float(cv2.sumElems(a * b)[0]) / math.sqrt(float(cv2.sumElems(a * a)[0] * cv2.sumElems(b * b)[0]) + 1e-6)
    crop_lo, crop_hi = levels(img)
    return Looks(math.degrees(theta), coherence, along, sharpness, crop_lo, crop_hi)


def mean_run(img: np.ndarray) -> float:
    """Mean run of light or dark pixels along a few rows through the middle: about twice a
    QR code's module, in pixels."""
    h, w = img.shape
    rows = img[h // 3:2 * h // 3:max(1, h // 12)].astype(np.int16)
    light = rows > ((rows.min(axis=1) + rows.max(axis=1)) // 2)[:, None]
    changes = int(np.count_nonzero(light[:, 1:] != light[:, :-1]))
    return rows.size / max(changes, 1)


def dark_surround(crop: np.ndarray, tuning: Tuning) -> bool:
    """A region much darker at its edges than overall: light modules on a dark screen."""
    h, w = crop.shape
    b = max(2, min(w, h) // 12)
    ring = (float(crop[:b].sum()) + float(crop[-b:].sum()) + float(crop[b:-b, :b].sum()) + float(crop[b:-b, -b:].sum()))
    ring_px = 2 * b * w + 2 * b * (h - 2 * b)
    return ring / max(ring_px, 1) < tuning.dark_surround * max(float(crop.mean()), 1.0)


def highlight(crop: np.ndarray, tuning: Tuning) -> bool:
    """Glare: whites clipped (252 or more) in one part of the region and not in another.
    A white label is clipped all over (or, out of focus, nowhere in the code's middle: the
    caller leaves blurred regions out), a phone screen's white (about 245) nowhere, but a
    light reflected on it clips a patch."""
    white = cv2.resize((crop >= 200).astype(np.float32), (4, 4), interpolation=cv2.INTER_AREA)
    clipped = cv2.resize((crop >= 252).astype(np.float32), (4, 4), interpolation=cv2.INTER_AREA)
    cells = white >= tuning.glare_white_cell
    if np.count_nonzero(cells) < 2:
        return False
    share = clipped[cells] / white[cells]
    return float(share.max()) >= tuning.glare_clipped_high and float(share.min()) <= tuning.glare_clipped_low
