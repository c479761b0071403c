"""What a decoder hands back for one code, and frames turned into the gray image every pass reads."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


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
