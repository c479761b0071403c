"""The codes in a photo a member took of a product's label, read at HQ when the phone's browser could not
read it itself (no BarcodeDetector: most browsers but Chrome on Android).

Read with zxing-cpp, the tills' strongest reader (pos_app.scanner.passes; HQ may not import the scanner,
whose OpenCV and zbar parts are for camera frames). A phone's photo is large and its label small in it:
the photo is turned upright (EXIF), made gray and tried at a few sizes, the likeliest first. Pillow
refuses a decompression bomb; a photo of more than MAX_PIXELS is refused before it is decoded whole.
"""

from __future__ import annotations

import io
import threading
import warnings

import zxingcpp
from PIL import Image, ImageOps, UnidentifiedImageError

from hq_server.errors import HQProblem

MAX_PHOTO_BYTES = 8 * 1024 * 1024  # a 12-megapixel phone's JPEG is 3 to 5 MB
MAX_PIXELS = 50_000_000
# Long sides tried, in order: most labels fill a tenth of the photo's width or more, which 1600 px
# reads; a label far away needs the larger one, a blurry close-up reads best smaller.
SIDES = (1600, 900, 2600)
FORMATS = zxingcpp.BarcodeFormat.QRCode | zxingcpp.BarcodeFormat.EAN13 | zxingcpp.BarcodeFormat.Code128
# Decoding is CPU work outside the event loop: a few at a time per worker, the rest wait their turn.
_decoding = threading.BoundedSemaphore(2)


def codes_in_photo(photo: bytes) -> list[str]:
    """The texts of the codes found (QR codes first), or [] when none was read."""
    if not photo:
        raise HQProblem(422, "not_a_photo", "no photo was sent")
    if len(photo) > MAX_PHOTO_BYTES:
        raise HQProblem(413, "photo_too_large", f"a photo is at most {MAX_PHOTO_BYTES // (1024 * 1024)} MB")
    with _decoding:
        gray = _gray(photo)
        for side in SIDES:
            img = gray if max(gray.size) <= side else _scaled(gray, side)
            found = zxingcpp.read_barcodes(img, formats=FORMATS)
            if found:
                qr = [b.text for b in found if b.format == zxingcpp.BarcodeFormat.QRCode]
                return qr + [b.text for b in found if b.format != zxingcpp.BarcodeFormat.QRCode]
            if max(gray.size) <= side:
                break  # the photo at its own size was tried: larger sizes are the same picture
    return []


def _gray(photo: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(photo))
            if img.width * img.height > MAX_PIXELS:
                raise HQProblem(413, "photo_too_large", f"a photo is at most {MAX_PIXELS // 1_000_000} megapixels")
            img.draft("L", (max(SIDES), max(SIDES)))  # a JPEG decodes straight to a smaller gray picture
            return ImageOps.exif_transpose(img).convert("L")
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError,
            ValueError, SyntaxError):
        raise HQProblem(422, "not_a_photo", "this file is not a photo HQ can read (JPEG, PNG, WebP)") from None


def _scaled(img: Image.Image, side: int) -> Image.Image:
    ratio = side / max(img.size)
    return img.resize((max(1, round(img.width * ratio)), max(1, round(img.height * ratio))), Image.Resampling.BOX)
