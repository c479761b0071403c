"""The decoder's tuning constants in one table, with what each was measured on.

Every number that decides what the decoder tries, in what order and for how long lives
here, so one can be changed (and re-measured with `python -m bench.scan`) without
hunting through the passes. The figures quoted are from the bench corpus (seeds 7 and
11) on the 2-vCPU dev machine. A `Decoder` takes a `Tuning`; `TUNING` is the shipped one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

# Expected CPU milliseconds per megapixel of image for each kind of pass: where a Decoder
# starts, before it has learnt its own machine's figures (a moving average as it runs).
_MS_PER_MPX = MappingProxyType({
    "read": 40.0, "sharpen": 45.0, "inverted": 40.0, "straightened": 60.0, "rectified": 60.0,
    "enlarged": 45.0, "contrast": 50.0, "binarise": 40.0, "glare": 45.0, "opencv": 200.0,
    "frame-opencv": 120.0, "zxing": 8.0,
    # the plain whole-frame fallbacks always run; their costs are learnt for the record only
    "plain-zxing": 12.0, "plain-zbar": 20.0,
})


@dataclass(frozen=True, slots=True)
class Tuning:
    # --- the time budget -----------------------------------------------------------------
    # retries stop when the next would end after this much CPU time of the decoding thread;
    # the first region read and the plain whole-frame fallbacks always run
    budget_ms: float = 7.0
    # a wall-clock cap of this many budgets bounds a frame on a machine too busy to give us CPU
    wall_cap: float = 10.0
    # the cheapest pass on the smallest region: less than this left means the budget is spent
    cheapest_ms: float = 0.2
    ms_per_mpx: Mapping[str, float] = field(default_factory=lambda: _MS_PER_MPX)
    learn_rate: float = 0.1  # weight of the newest measurement in a learnt cost
    learn_cap: float = 10.0  # one measurement counts as at most this many times the expected cost

    # --- finding code-like regions (on a half-size frame) ------------------------------------
    max_regions: int = 3  # the code is always in the first region on the bench corpus
    half_size_above: int = 400  # frames wider than this are searched at half size
    region_min_area: int = 300  # half-size pixels; smaller blobs are text or texture
    region_min_side: int = 12
    region_pad: float = 0.1  # ~5% each side, plus 4 pixels of quiet zone
    region_side: int = 320  # the "enlarged" retry grows small regions towards this many pixels across
    region_max_scale: float = 3.0

    # --- telling what a region holds ---------------------------------------------------------
    # edges sharing one direction this much or more are 1D bars (bench: bars 0.22 or more,
    # QR codes 0.16 or less, motion-blurred QR up to 0.54)
    bars_coherence: float = 0.2
    # fine detail alike 24 px apart along the bars: bars run on (37 of 40 EAN-13, 38 of 40
    # Code128 measure this or more), a motion-blurred QR code's streaks do not (34 of 40 below)
    bars_run_on: float = 0.05
    # steepest edges over contrast below this: out of focus (bench: blurred 2.5-3.4, other QR 3.6+)
    soft_focus: float = 3.45
    # a QR region this big whose light/dark runs average this long reads as well at half size
    half_read_side: int = 280
    half_read_run: float = 14.0
    # 1st-99th percentile spread below this: dim (low light), stretched first
    dim_spread: int = 64
    # edges this much darker than the region: light modules on a dark screen (dark mode:
    # 0.26-0.50, every other kind 0.51 or more)
    dark_surround: float = 0.55
    # glare: on a 4x4 grid, among cells with this share of white (>= 200), one with half its
    # white clipped (>= 252) and one with a twentieth or less (79 of 80 glare frames found,
    # 1 of 880 other QR frames)
    glare_white_cell: float = 0.1
    glare_clipped_high: float = 0.5
    glare_clipped_low: float = 0.05


TUNING = Tuning()
