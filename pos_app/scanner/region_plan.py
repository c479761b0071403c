"""One code-like region of a frame (`Region`: its crop and the images made from it, each
once and only when a pass needs it) and the passes it gets (`plan`), cheapest and
likeliest first, chosen by what the crop looks like (regions.looks). The reasons and the
bench figures behind each choice are in tuning.Tuning and in the comments below.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import cv2
import numpy as np

from pos_app.scanner import passes, zbar_reader
from pos_app.scanner.decoded import Decoded
from pos_app.scanner.regions import Looks, dark_surround, highlight, looks, mean_run
from pos_app.scanner.tuning import Tuning


class Step(NamedTuple):
    kind: str  # the kind of pass, whose cost per pixel the decoder learns
    pixels: int  # how many pixels it reads, for its expected cost
    run: Callable[[], list[Decoded] | None]  # None: the pass did not apply


class Region:
    def __init__(self, gray: np.ndarray, box: tuple[int, int, int, int], zx: bool, tuning: Tuning,
                 opencv: Callable[[], object]):
        x, y, w, h = box
        self.off, self.zx, self.tuning = (x, y), zx, tuning
        self.size = (w, h)
        self.crop = np.ascontiguousarray(gray[y:y + h, x:x + w])
        self.scale = max(1.0, min(tuning.region_max_scale, tuning.region_side / max(w, h)))
        self.looks: Looks = looks(self.crop, tuning)
        self.bars = self.looks.coherence >= tuning.bars_coherence
        # no dominant edge direction, no 1D barcode: zbar runs its QR reader alone (a quarter
        # cheaper, and no 1D misreads in QR modules)
        self.symbols = zbar_reader.SYMBOLS if self.bars else zbar_reader.QR_ONLY
        self._opencv = opencv  # the decoder's QR detector, made when first needed
        self._big: np.ndarray | None = None
        self._highlight: bool | None = None

    @property
    def pixels(self) -> int:
        return self.size[0] * self.size[1]

    def read(self, img: np.ndarray, how: str, warp=None, scale: float = 1.0) -> list[Decoded]:
        return ((self.zx and passes.read_zxing(img, how, scale, self.off, warp))
                or passes.read_zbar(img, how, scale, self.off, warp, self.symbols))

    def zbar(self, img: np.ndarray, how: str, warp=None, scale: float = 1.0) -> list[Decoded]:
        return passes.read_zbar(img, how, scale, self.off, warp, self.symbols)

    def opencv(self) -> list[Decoded]:
        return passes.read_opencv(self._opencv(), self.big(), "opencv", self.scale, self.off)

    def highlight(self) -> bool:
        if self._highlight is None:
            self._highlight = highlight(self.crop, self.tuning)
        return self._highlight

    def big(self) -> np.ndarray:
        """The crop enlarged towards tuning.region_side (small codes)."""
        if self.scale <= 1.05:
            return self.crop
        if self._big is None:
            self._big = cv2.resize(self.crop, None, fx=self.scale, fy=self.scale, interpolation=cv2.INTER_CUBIC)
        return self._big


def plan(r: Region) -> list[Step]:
    """The region's passes in order: its first reads (by what it looks like), then the
    retries, ordered by what they read per millisecond on the bench."""
    t, lk, crop, px = r.tuning, r.looks, r.crop, r.pixels
    if r.bars:
        read = Step("read", px, lambda: r.read(crop, "region"))
    else:
        # QR: a very light blur (3x3, sigma 0.5) first smooths JPEG blocks and noise without
        # losing small modules: on the bench the same reads or more for every variant but the
        # blurred ones (which sharpening reads next)
        read = Step("read", px, lambda: r.read(cv2.GaussianBlur(crop, (3, 3), 0.5), "region"))
    sharpen = Step("sharpen", px, lambda: r.read(passes.sharpen(crop, 3.0), "sharpen"))
    steps = _first_reads(r, read, sharpen)
    rectified = Step("rectified", px, lambda: passes.rectified(crop, r.read))
    steps += [s for s in (sharpen, rectified) if s not in steps]
    if not r.bars:
        steps.append(Step("straightened", px, lambda: passes.straightened(crop, r.read, lk.angle)))
    if r.zx:  # zxing reads light-on-dark itself
        steps.append(Step("read", px, lambda: passes.read_zxing(crop, "region-fixed", 1.0, r.off, fixed=True)))
    else:
        inverted = Step("inverted", px, lambda: r.read(255 - crop, "inverted"))
        steps.insert(0, inverted) if dark_surround(crop, t) else steps.append(inverted)
    big_px = int(px * r.scale * r.scale)
    if r.scale > 1.05:  # small codes
        steps.append(Step("enlarged", big_px, lambda: r.read(r.big(), "enlarged", scale=r.scale)))
    steps.append(Step("contrast", px, lambda: r.read(passes.stretch(crop, lk.lo, lk.hi), "contrast")))
    steps.append(Step("binarise", px, lambda: r.read(passes.binarise(crop), "binarise")))
    _add_glare(r, steps)
    if not r.bars or r.zx:
        steps.append(Step("opencv", big_px, r.opencv))
    steps.append(Step("sharpen", big_px,
                      lambda: r.read(passes.sharpen(passes.sharpen(r.big())), "sharpen-twice", scale=r.scale)))
    return steps


def _first_reads(r: Region, read: Step, sharpen: Step) -> list[Step]:
    t, lk, crop, px = r.tuning, r.looks, r.crop, r.pixels
    if r.bars:
        # bars turned upright and squashed along them first (the bench's tilted Code128 labels:
        # 40 of 40 read at 2.7 ms where the crop as it is gives 18 at 3.5 ms); zbar only: zxing
        # read Code128 garbage from a squashed copy (bench frame 18, seed 7)
        squashed = Step("straightened", px // 2, lambda: passes.straightened(crop, r.zbar, lk.angle, 3))
        # streaks that do not run on are more likely a QR code moved while the shutter was
        # open than bars: sharpened, such crops read 10 of the bench's 35, as they are 4
        first = [squashed, read] if lk.along >= t.bars_run_on else [sharpen, squashed, read]
    elif lk.sharpness < t.soft_focus:  # out of focus: sharpened first
        first = [sharpen, read]
    elif min(r.size) >= t.half_read_side and mean_run(crop) >= t.half_read_run:
        # big modules: a half-size copy reads as well, for a quarter of the pixels
        first = [Step("read", px // 4, lambda: r.read(passes.half(crop), "region-half", scale=0.5)), read]
    else:
        first = [read]
    if lk.hi - lk.lo < t.dim_spread:
        # dim (low light): stretched after a light blur, as the noise is stretched too (39 of
        # the bench's 40 dim frames read so, 34 as they are, 31 stretched without the blur)
        first.insert(0, Step("contrast", px, lambda: r.read(passes.stretch(cv2.GaussianBlur(crop, (3, 3), 0)), "dim")))
    return first


def _add_glare(r: Region, steps: list[Step]) -> None:
    def glare():
        return r.read(passes.even_light(r.crop), "glare")

    if not r.bars and r.looks.sharpness >= r.tuning.soft_focus:
        # a highlight on a QR code (told apart only once the first read failed, so a code read
        # at once pays nothing for it): evened out right after the first read, as the retries
        # before it never read a glare frame on the bench and used up the budget (seed 7's
        # frame 18). Evened out, 77 of the 80 glare frames read (the other 3 lost a whole
        # finder pattern to the clip)
        steps.insert(1, Step("glare", r.pixels, lambda: glare() if r.highlight() else None))
        steps.append(Step("glare", r.pixels, lambda: None if r.highlight() else glare()))
    else:
        steps.append(Step("glare", r.pixels, glare))
