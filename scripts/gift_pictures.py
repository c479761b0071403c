"""Draw the demo gifts' pictures: resources/gifts/<gift_id>.png, 240x240 flat-style illustrations.

Everything is drawn here with Pillow (no downloaded or copied images), so the pictures can be
regenerated or restyled at any time:

    .venv/bin/python scripts/gift_pictures.py            # writes resources/gifts/*.png
    .venv/bin/python scripts/gift_pictures.py --out DIR  # somewhere else

Each picture is drawn at 4x in a 240-unit coordinate space and scaled down, which smooths the edges.
Style shared by all six: a light background with a soft pastel disc, a blurred ground shadow, flat
shapes with a darker right side and a light streak on the left.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageChops, ImageColor, ImageDraw, ImageFilter

SIZE = 240  # final picture, pixels
S = 4  # supersampling factor: draw at SIZE * S, then scale down
BACKGROUND = "#f7f8fa"
BRAND = "#2f6fed"  # the app's primary blue, used for the "branded" marks

Colour = tuple[int, int, int]
Mask = Image.Image


def rgb(colour: str | Colour) -> Colour:
    if isinstance(colour, tuple):
        return colour
    return ImageColor.getrgb(colour)[:3]  # type: ignore[return-value]


def mix(colour: str | Colour, other: str | Colour, t: float) -> Colour:
    a, b = rgb(colour), rgb(other)
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))  # type: ignore[return-value]


def darker(colour: str | Colour, t: float = 0.18) -> Colour:
    return mix(colour, (0, 0, 0), t)


def lighter(colour: str | Colour, t: float = 0.3) -> Colour:
    return mix(colour, (255, 255, 255), t)


def _scaled(values) -> list[float]:
    return [v * S for v in values]


# --- masks: shapes in 240-unit coordinates, drawn into full-size "L" images -----------------------

def _mask(paint: Callable[[ImageDraw.ImageDraw], None]) -> Mask:
    m = Image.new("L", (SIZE * S, SIZE * S), 0)
    paint(ImageDraw.Draw(m))
    return m


def ellipse(box) -> Mask:
    return _mask(lambda d: d.ellipse(_scaled(box), fill=255))


def rrect(box, radius: float) -> Mask:
    return _mask(lambda d: d.rounded_rectangle(_scaled(box), radius=radius * S, fill=255))


def poly(points) -> Mask:
    return _mask(lambda d: d.polygon([(x * S, y * S) for x, y in points], fill=255))


def stroke(points, width: float) -> Mask:
    """A polyline with round joints and round ends."""
    pts = [(x * S, y * S) for x, y in points]
    r = width * S / 2

    def paint(d: ImageDraw.ImageDraw) -> None:
        d.line(pts, fill=255, width=round(width * S), joint="curve")
        for x, y in (pts[0], pts[-1]):
            d.ellipse((x - r, y - r, x + r, y + r), fill=255)
    return _mask(paint)


def arc(box, start: float, end: float, width: float) -> Mask:
    return _mask(lambda d: d.arc(_scaled(box), start, end, fill=255, width=round(width * S)))


def union(*masks: Mask) -> Mask:
    out = masks[0]
    for m in masks[1:]:
        out = ImageChops.lighter(out, m)
    return out


def both(a: Mask, b: Mask) -> Mask:
    return ImageChops.multiply(a, b)


def minus(a: Mask, b: Mask) -> Mask:
    return ImageChops.subtract(a, b)


def right_of(x: float) -> Mask:
    return poly([(x, 0), (SIZE, 0), (SIZE, SIZE), (x, SIZE)])


def below(y: float) -> Mask:
    return poly([(0, y), (SIZE, y), (SIZE, SIZE), (0, SIZE)])


class Picture:
    """A canvas drawn at S times the final size; paint() fills a mask with a colour."""

    def __init__(self, tint: str):
        self.img = Image.new("RGB", (SIZE * S, SIZE * S), rgb(BACKGROUND))
        self.paint(ellipse((22, 18, 218, 214)), tint)

    def paint(self, mask: Mask, colour: str | Colour, opacity: float = 1.0) -> None:
        if opacity < 1:
            mask = mask.point(lambda v: round(v * opacity))
        self.img.paste(rgb(colour), (0, 0, *self.img.size), mask)

    def shaded(self, mask: Mask, colour: str | Colour, shade_from: float | None = None,
               shine: tuple[float, float] | None = None, shade: float = 0.16) -> None:
        """A flat shape, darker right of x=shade_from, with a light vertical streak between shine's x's."""
        self.paint(mask, colour)
        if shade_from is not None:
            self.paint(both(mask, right_of(shade_from)), darker(colour, shade))
        if shine is not None:
            x0, x1 = shine
            self.paint(both(mask, poly([(x0, 0), (x1, 0), (x1, SIZE), (x0, SIZE)])), lighter(colour, 0.35))

    def ground_shadow(self, box, opacity: float = 0.22) -> None:
        m = ellipse(box).filter(ImageFilter.GaussianBlur(4 * S))
        self.paint(m, "#2b2f3a", opacity)

    def leaf(self, cx: float, cy: float, r: float, colour: str | Colour, vein: str | Colour) -> None:
        """A leaf: the lens where two circles overlap, pointing up-right, with a centre vein."""
        d = r * 0.55
        big = r * 1.25
        lens = both(ellipse((cx - d - big, cy - d - big, cx - d + big, cy - d + big)),
                    ellipse((cx + d - big, cy + d - big, cx + d + big, cy + d + big)))
        self.paint(lens, colour)
        self.paint(both(lens, stroke([(cx - r, cy + r), (cx + r * 0.5, cy - r * 0.5)], max(r * 0.16, 1.2))), vein)

    def save(self, path: Path) -> None:
        small = self.img.resize((SIZE, SIZE), Image.LANCZOS)
        small = small.quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        small.save(path, optimize=True)


# --- the six gifts --------------------------------------------------------------------------------

def travel_cup() -> Picture:
    """定制随行杯: a tapered blue travel cup with a grey lid, a cork sleeve and the brand's leaf badge."""
    pic = Picture("#dfe8fb")
    pic.ground_shadow((78, 192, 162, 208))
    body = union(poly([(80, 70), (160, 70), (149, 198), (91, 198)]), ellipse((91, 192, 149, 204)))
    pic.shaded(body, BRAND, shade_from=134, shine=(92, 99))
    # cork sleeve round the middle, following the taper
    sleeve = both(body, poly([(0, 124), (SIZE, 124), (SIZE, 166), (0, 166)]))
    pic.shaded(sleeve, "#d8b48a", shade_from=134, shade=0.12)
    for x, y in ((98, 134), (112, 150), (126, 131), (140, 156), (106, 160), (120, 140), (144, 137), (132, 160)):
        pic.paint(both(sleeve, ellipse((x - 1.6, y - 1.6, x + 1.6, y + 1.6))), "#b8916a")
    # brand badge on the cup: white disc with a blue leaf
    pic.paint(ellipse((105, 84, 135, 114)), "white")
    pic.leaf(120, 99, 9, BRAND, "white")
    # lid: a wide rim and a domed top with a sip slot
    rim = rrect((72, 58, 168, 76), 7)
    pic.shaded(rim, "#4a5160", shade_from=138, shine=(82, 90))
    top = union(rrect((82, 40, 158, 62), 10))
    pic.shaded(top, "#6b7384", shade_from=134, shine=(90, 97))
    pic.paint(rrect((124, 44, 146, 51), 3.5), "#2a2f38")
    return pic


def tea_sampler() -> Picture:
    """茶包体验装: an open green gift box with three tea bags standing in it, tags on strings."""
    pic = Picture("#e0f2e5")
    pic.ground_shadow((48, 190, 192, 208))
    green = "#3c9a5f"
    pic.paint(rrect((56, 104, 184, 124), 4), darker(green, 0.35))  # inside back wall of the open box
    bags = ((88, 84, "#e8590c"), (120, 74, "#f2b134"), (152, 88, "#c92a2a"))
    for cx, top, tag in bags:
        # string and tag above the bag
        tag_top = top - 34
        pic.paint(stroke([(cx, top + 2), (cx, tag_top + 14)], 1.4), "#8a7b64")
        tag_box = (cx - 11, tag_top, cx + 11, tag_top + 16)
        pic.paint(rrect(tag_box, 2.5), tag)
        pic.paint(ellipse((cx - 3, tag_top + 3.5, cx + 3, tag_top + 9.5)), "white")
        # the paper pouch with a crimped top edge and a few tea leaves showing through
        pouch = poly([(cx - 15, top + 9), (cx - 7, top), (cx + 7, top), (cx + 15, top + 9), (cx + 15, 150),
                      (cx - 15, 150)])
        pic.shaded(pouch, "#f6ecd6", shade_from=cx + 6, shade=0.08)
        pic.paint(both(pouch, poly([(0, top), (SIZE, top), (SIZE, top + 9), (0, top + 9)])), "#e6d7b6")
        pic.paint(rrect((cx - 3.5, top + 1, cx + 3.5, top + 5), 1), "#a9b0ba")  # staple
        for dx, dy in ((-7, 20), (5, 16), (-2, 29), (8, 33), (-9, 38), (2, 42)):
            x, y = cx + dx, top + dy
            pic.paint(ellipse((x - 1.8, y - 1.2, x + 1.8, y + 1.2)), "#7a5c3a")
    # box front with a cream label and a leaf
    front = rrect((56, 118, 184, 198), 6)
    pic.shaded(front, green, shade_from=150, shine=(64, 70))
    pic.paint(rrect((56, 116, 184, 126), 3), lighter(green, 0.15))  # front top edge
    pic.paint(rrect((86, 138, 154, 182), 6), "#fbf5e6")
    pic.leaf(120, 160, 13, green, "#fbf5e6")
    return pic


def umbrella() -> Picture:
    """晴雨伞: an open umbrella, red and cream panels with scalloped edges, grey shaft and a J handle."""
    pic = Picture("#fde6e6")
    pic.ground_shadow((70, 196, 170, 210), 0.18)
    apex, y_edge = (120, 42), 124
    tips = [40, 80, 120, 160, 200]
    dome = both(ellipse((40, 42, 200, 206)), poly([(0, 0), (SIZE, 0), (SIZE, y_edge), (0, y_edge)]))
    # the lower edge bows up between the rib tips
    for a, b in zip(tips, tips[1:]):
        dome = minus(dome, ellipse((a, y_edge - 10, b, y_edge + 10)))
    def ray(x: float) -> tuple[float, float]:  # far along the rib from the apex through (x, y_edge)
        return apex[0] + (x - apex[0]) * 4, apex[1] + (y_edge - apex[1]) * 4

    bounds = [ray(-400), ray(80), ray(120), ray(160), ray(640)]
    colours = ("#e03131", "#fff4e6", darker("#e03131", 0.12), darker("#fff4e6", 0.1))
    for i, colour in enumerate(colours):
        pic.paint(both(dome, poly([apex, bounds[i], bounds[i + 1]])), colour)
    pic.paint(both(dome, arc((50, 54, 190, 194), 208, 236, 4)), lighter("#e03131", 0.35))  # light streak
    for x in tips:
        pic.paint(ellipse((x - 2.5, y_edge - 2.5, x + 2.5, y_edge + 2.5)), "#495057")
    pic.paint(stroke([(120, 30), (120, 44)], 5), "#495057")  # tip
    pic.paint(stroke([(120, 118), (120, 172)], 4.5), "#868e96")  # shaft
    # J handle
    pic.paint(stroke([(120, 168), (120, 182)], 8), "#8d5a3b")
    pic.paint(arc((98, 170, 126, 198), 0, 180, 8), "#8d5a3b")
    pic.paint(stroke([(102, 184), (102, 183)], 8), "#8d5a3b")  # rounded end of the hook
    return pic


def clay_teapot() -> Picture:
    """紫砂壶: a squat purple-brown Yixing clay teapot: spout on the left, ring handle on the right."""
    pic = Picture("#f4e6dc")
    pic.ground_shadow((58, 186, 182, 204))
    clay = "#8a4a3c"
    # ring handle and spout first, so the body covers their joints
    pic.paint(arc((150, 104, 206, 168), -95, 95, 11), darker(clay, 0.12))
    spout = poly([(80, 160), (60, 140), (46, 118), (34, 98), (30, 90), (42, 86), (52, 100), (64, 118), (84, 130)])
    pic.paint(spout, clay)
    pic.paint(both(spout, poly([(30, 84), (44, 84), (66, 122), (84, 134), (84, 160), (80, 162)])), darker(clay, 0.1))
    pic.paint(ellipse((28, 84, 44, 92)), darker(clay, 0.45))  # spout opening
    body = ellipse((56, 94, 184, 190))
    pic.paint(body, clay)
    pic.paint(minus(body, ellipse((48, 84, 172, 180))), darker(clay, 0.2))  # shadowed lower right
    pic.paint(both(body, stroke([(76, 140), (84, 118), (98, 106)], 6)), lighter(clay, 0.3))
    pic.paint(rrect((88, 182, 152, 194), 5), darker(clay, 0.3))  # foot ring
    # lid and knob
    pic.paint(ellipse((84, 90, 156, 108)), darker(clay, 0.28))
    pic.paint(ellipse((88, 86, 152, 104)), lighter(clay, 0.08))
    pic.paint(rrect((114, 78, 126, 92), 3), darker(clay, 0.1))
    pic.paint(ellipse((110, 68, 130, 84)), clay)
    pic.paint(ellipse((114, 70, 121, 76)), lighter(clay, 0.35))
    return pic


def bluetooth_speaker() -> Picture:
    """蓝牙音箱: a pill-shaped charcoal speaker with two drivers, blue buttons and a bluetooth badge."""
    pic = Picture("#e4e8f1")
    pic.ground_shadow((46, 178, 194, 198))
    charcoal = "#343a46"
    # buttons on top, behind the body's edge
    for x in (96, 113, 130):
        pic.paint(rrect((x, 84, x + 14, 96), 3), BRAND if x != 113 else lighter(BRAND, 0.25))
    for x in (64, 162):  # feet
        pic.paint(rrect((x, 178, x + 14, 188), 3), "#1f232b")
    body = rrect((36, 90, 204, 184), 44)
    pic.paint(body, charcoal)
    pic.paint(both(body, below(160)), darker(charcoal, 0.25))
    pic.paint(both(body, poly([(0, 90), (SIZE, 90), (SIZE, 97), (0, 97)])), lighter(charcoal, 0.18))
    for cx in (82, 158):
        cy = 137
        pic.paint(ellipse((cx - 30, cy - 30, cx + 30, cy + 30)), "#1e222a")
        pic.paint(ellipse((cx - 26, cy - 26, cx + 26, cy + 26)), "#4c5564")
        pic.paint(ellipse((cx - 20, cy - 20, cx + 20, cy + 20)), "#3c4451")
        pic.paint(ellipse((cx - 10, cy - 10, cx + 10, cy + 10)), "#6a7484")
        pic.paint(ellipse((cx - 7, cy - 8, cx - 1, cy - 2)), "#8d97a6")
    # bluetooth badge between the drivers
    cx, cy, r = 120, 137, 11
    pic.paint(ellipse((cx - r, cy - r, cx + r, cy + r)), BRAND)
    h, w = 6.5, 3.4
    rune = [(cx - w, cy - h / 2), (cx + w, cy + h / 2), (cx, cy + h), (cx, cy - h), (cx + w, cy - h / 2),
            (cx - w, cy + h / 2)]
    pic.paint(_mask(lambda d: d.line([(x * S, y * S) for x, y in rune], fill=255, width=round(1.8 * S),
                                     joint="curve")), "white")
    return pic


def canvas_tote() -> Picture:
    """帆布袋: a natural canvas tote with two handles, a stitched hem and the brand's leaf printed on it."""
    pic = Picture("#f1eadb")
    pic.ground_shadow((50, 190, 190, 208))
    canvas = "#eadcbf"
    strap = "#c9b48c"
    pic.paint(arc((92, 40, 148, 128), 180, 360, 8), darker(strap, 0.15))  # back handle
    pic.paint(arc((80, 34, 160, 134), 180, 360, 9), strap)  # front handle
    bag = poly([(60, 84), (180, 84), (188, 198), (52, 198)])
    pic.shaded(bag, canvas, shade_from=150, shine=(62, 68), shade=0.09)
    pic.paint(both(bag, stroke([(104, 100), (98, 196)], 3)), darker(canvas, 0.05))  # a soft fold
    hem = both(bag, poly([(0, 84), (SIZE, 84), (SIZE, 98), (0, 98)]))
    pic.paint(hem, darker(canvas, 0.08))
    for x in range(64, 178, 8):  # stitching
        pic.paint(stroke([(x, 101), (x + 3.5, 101)], 1.3), darker(canvas, 0.28))
    for x in (80, 151):  # strap ends sewn onto the front
        pic.paint(rrect((x, 82, x + 9, 104), 1.5), strap)
    # printed brand mark
    pic.paint(ellipse((92, 120, 148, 176)), BRAND)
    pic.leaf(120, 148, 17, "white", BRAND)
    return pic


GIFTS: dict[str, Callable[[], Picture]] = {
    "GIFT-CUP": travel_cup,
    "GIFT-TEABAG": tea_sampler,
    "GIFT-UMBRELLA": umbrella,
    "GIFT-TEAPOT": clay_teapot,
    "GIFT-SPEAKER": bluetooth_speaker,
    "GIFT-CANVAS": canvas_tote,
}


def main() -> None:
    root = Path(__file__).resolve().parents[1]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=root / "resources" / "gifts", help="folder to write to")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for gift_id, draw in GIFTS.items():
        path = args.out / f"{gift_id}.png"
        draw().save(path)
        print(f"{path}  {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
