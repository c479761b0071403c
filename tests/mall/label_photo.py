"""A phone's photo of a product label, for the mall's tests: the label's QR code (as the store's label
sheets print it) small on a large, slightly rotated, unevenly lit picture, saved as a camera's JPEG."""

from __future__ import annotations

import io

import qrcode
from PIL import Image, ImageDraw, ImageFilter


def label_photo(payload: str, *, size: tuple[int, int] = (3000, 2250), qr_px: int = 520, angle: float = 7,
                fmt: str = "JPEG") -> bytes:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, box_size=10)
    qr.add_data(payload)
    code = qr.make_image(fill_color="black", back_color="white").convert("L").resize((qr_px, qr_px))
    label = Image.new("L", (qr_px + 160, qr_px + 260), 250)
    label.paste(code, (80, 80))
    ImageDraw.Draw(label).rectangle((20, qr_px + 120, qr_px + 140, qr_px + 200), fill=60)  # the printed name
    label = label.rotate(angle, expand=True, fillcolor=200)
    photo = Image.linear_gradient("L").resize(size).point(lambda v: 120 + v // 3)  # light from one side
    photo.paste(label, (size[0] // 3, size[1] // 4))
    photo = photo.filter(ImageFilter.GaussianBlur(1.2)).convert("RGB")
    out = io.BytesIO()
    photo.save(out, fmt, quality=85) if fmt == "JPEG" else photo.save(out, fmt)
    return out.getvalue()


def blank_photo() -> bytes:
    out = io.BytesIO()
    Image.linear_gradient("L").resize((1200, 900)).convert("RGB").save(out, "JPEG", quality=80)
    return out.getvalue()
