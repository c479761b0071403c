"""A QR code as inline SVG (crisp at any size, no image request, nothing to store)."""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from markupsafe import Markup


def qr_svg(data: str, box: int = 8) -> Markup:
    img = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=box, border=2)
    svg = img.to_string(encoding="unicode")
    return Markup(svg[svg.index("<svg"):])  # drop the XML declaration: it is inside an HTML page
