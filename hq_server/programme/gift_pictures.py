"""A gift's picture uploaded from the console: checked and made small with Pillow (a PNG, JPEG or WebP
of at most MAX_BYTES and MAX_PIXELS; turned upright by its EXIF; at most SIDE pixels a side; saved as
PNG), kept in HQ's database under its content's hash, and the gift record's `image` pointed at it in
the same transaction (the record's change goes to the tills and the audit log as any other).

    upload_picture(db, actor, "CUP", data, seen_seq=record_seq, now=now) -> "/pictures/gifts/<hash>.png"
    picture(db, "<hash>.png") -> PNG bytes, or None

Refusals change nothing: no such gift (404), a file that is not a picture, too big or too large (422,
on the `picture` field), a record changed since the form was opened (409).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import warnings
from datetime import datetime

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select

from hq_server import models as M
from hq_server.db import Database
from hq_server.errors import HQProblem
from hq_server.programme.audit import Actor
from hq_server.programme.catalogue_admin import put_record
from hq_server.programme.picture_tables import gift_pictures
from hq_server.programme.refusals import BadField

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
SIDE = 800  # the mall shows a gift at most 400 CSS pixels wide: twice that for a sharp phone screen
FORMATS = {"PNG", "JPEG", "WEBP"}
URL = "/pictures/gifts/"
NAME = re.compile(r"[0-9a-f]{32}\.png")


def _small_png(data: bytes) -> tuple[bytes, int, int]:
    if not data:
        raise BadField("picture", "choose a picture file")
    if len(data) > MAX_BYTES:
        raise BadField("picture", f"a picture is at most {MAX_BYTES // (1024 * 1024)} MB")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img: Image.Image = Image.open(io.BytesIO(data))
            if img.format not in FORMATS:
                raise BadField("picture", "a picture is a PNG, JPEG or WebP file")
            if img.width * img.height > MAX_PIXELS:
                raise BadField("picture", "the picture has too many pixels")
            img = ImageOps.exif_transpose(img)
            img.thumbnail((SIDE, SIDE))
            img = img.convert("RGBA" if "A" in img.getbands() or img.mode == "P" else "RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise BadField("picture", "a picture is a PNG, JPEG or WebP file") from None
    out = io.BytesIO()
    img.save(out, "PNG", optimize=True)
    return out.getvalue(), img.width, img.height


def upload_picture(db: Database, actor: Actor, gift_id: str, data: bytes, *, seen_seq: int | None,
                   now: datetime) -> str:
    """The gift's new picture; its address, now the record's `image`."""
    png, width, height = _small_png(data)
    name = hashlib.sha256(png).hexdigest()[:32] + ".png"
    c = M.catalog.c
    with db.write() as (conn, seq):
        row = conn.execute(select(c.data, c.seq).where(c.type == "gift", c.key == gift_id)).first()
        if row is None:
            raise HQProblem(404, "not_found", f"no gift {str(gift_id)[:64]}")
        if conn.execute(select(gift_pictures.c.name).where(gift_pictures.c.name == name)).first() is None:
            conn.execute(gift_pictures.insert().values(name=name, gift_id=gift_id, png=png, width=width,
                                                       height=height, uploaded_at=now, uploaded_by=actor.username))
        put_record(conn, seq, actor, "gift", gift_id, {**json.loads(row.data), "image": URL + name},
                   seen_seq=row.seq if seen_seq is None else seen_seq, now=now)
    return URL + name


def picture(db: Database, name: str) -> bytes | None:
    if not isinstance(name, str) or not NAME.fullmatch(name):
        return None
    with db.read() as conn:
        png = conn.execute(select(gift_pictures.c.png).where(gift_pictures.c.name == name)).scalar()
    return bytes(png) if png is not None else None
