"""zbar through pyzbar's ctypes bindings: our symbologies only, one scanner per thread kept.

`pyzbar.decode` makes and configures a new zbar scanner (a few dozen foreign calls and a
QR reader) and copies the pixels on every call; the decoder calls zbar several times a
frame on small crops, where that overhead is a good part of the cost. Here a thread's
scanner is made once, with every symbology off but QR, EAN-13 and Code128 (zbar left
open reports Interleaved 2-of-5 and DataBar "codes" in blurred QR modules and in
printed text), and reads a contiguous gray numpy image in place. If pyzbar's bindings
are not what we expect, plain `pyzbar.decode` with the same symbologies does the work.
"""

from __future__ import annotations

import ctypes
import threading

import numpy as np
from pyzbar import pyzbar

SYMBOLS = (pyzbar.ZBarSymbol.QRCODE, pyzbar.ZBarSymbol.EAN13, pyzbar.ZBarSymbol.CODE128)
QR_ONLY = (pyzbar.ZBarSymbol.QRCODE,)
_NAMES = {int(s): s.name for s in SYMBOLS}

try:
    from pyzbar import wrapper as _w
    from pyzbar.locations import convex_hull as _hull
    from pyzbar.pyzbar import _FOURCC

    _Y800 = _FOURCC["L800"]
    _w.load_libzbar()
except Exception:  # noqa: BLE001 - an unexpected pyzbar: fall back to its public decode()
    _w = None

_local = threading.local()


class _Scanner:
    """A thread's zbar scanner for some symbologies (scanners are not to be shared),
    destroyed with the thread."""

    def __init__(self, symbols):
        self.ptr = _w.zbar_image_scanner_create()
        for sym in pyzbar.ZBarSymbol:  # each set by name, as pyzbar does
            _w.zbar_image_scanner_set_config(self.ptr, sym, _w.ZBarConfig.CFG_ENABLE, 1 if sym in symbols else 0)

    def __del__(self):
        if _w is not None and self.ptr:
            _w.zbar_image_scanner_destroy(self.ptr)
            self.ptr = None


def _scanner(symbols):
    held = getattr(_local, "scanners", None)
    if held is None:
        held = _local.scanners = {}
    if symbols not in held:
        held[symbols] = _Scanner(symbols)
    return held[symbols].ptr


def read(img: np.ndarray, symbols: tuple = SYMBOLS) -> list[tuple[str, bytes, list[tuple[int, int]]]]:
    """(symbology, raw payload, outline) for each code zbar finds in a 2D uint8 image;
    `symbols` a subset of SYMBOLS (QR alone costs about a quarter less than all three)."""
    if _w is None:
        return [(r.type, bytes(r.data), [(p.x, p.y) for p in r.polygon]) for r in pyzbar.decode(img, symbols=symbols)]
    if not img.flags.c_contiguous:
        img = np.ascontiguousarray(img)
    h, w = img.shape
    scanner = _scanner(symbols)
    image = _w.zbar_image_create()
    out = []
    try:
        _w.zbar_image_set_format(image, _Y800)
        _w.zbar_image_set_size(image, w, h)
        # no cleanup handler: zbar reads the numpy buffer in place, alive until we return
        _w.zbar_image_set_data(image, img.ctypes.data_as(ctypes.c_void_p), img.size, None)
        if _w.zbar_scan_image(scanner, image) > 0:
            symbol = _w.zbar_image_first_symbol(image)
            while symbol:
                kind = _NAMES.get(symbol.contents.type)
                if kind is not None:
                    raw = ctypes.string_at(_w.zbar_symbol_get_data(symbol), _w.zbar_symbol_get_data_length(symbol))
                    n = _w.zbar_symbol_get_loc_size(symbol)
                    points = _hull([(_w.zbar_symbol_get_loc_x(symbol, i), _w.zbar_symbol_get_loc_y(symbol, i))
                                    for i in range(n)])
                    out.append((kind, raw, [(int(x), int(y)) for x, y in points]))
                symbol = _w.zbar_symbol_next(symbol)
    finally:
        _w.zbar_image_destroy(image)
    return out
