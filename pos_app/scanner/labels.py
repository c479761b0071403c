"""Signed product label batches, and their printouts: one PNG a label and a PDF sheet.

HQ (its admin API, or `pos-app labels batch` with HQ's label key) makes a batch for one product: a random batch
code, serials BATCH-000001..., each label's points drawn from the batch's prize table
(exactly the table's shares, shuffled), each payload signed with the label key. The
batch file records the key id and public key, the table and every label, so a sheet
can be reprinted, and checked, without the private key.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import qrcode
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image, ImageDraw, ImageFont

from pos_app.domain import codes as C
from pos_app.domain.codes import KeyRing, ProductLabel
from pos_app.domain.label_batches import (BATCH_FORMAT, MAX_NAME, BatchPlan, Label,  # noqa: F401 (re-exported)
                                          LabelBatch, allocation, check_batch_input, create_batch, plan_batch,
                                          sign_batch)
from pos_app.domain.problems import Refused, problem
from pos_app.scanner.formats import Trust, parse, public_bytes

DPI = 300
A4 = (2480, 3508)  # pixels at 300 dpi
COLUMNS, ROWS = 4, 6
MARGIN = 118  # 10 mm
_allocation = allocation


# --- keys -------------------------------------------------------------------------------------
def generate_key(path: Path) -> tuple[str, bytes]:
    """A new label key: private PEM at `path` (owner-only), public PEM beside it (.pub)."""
    path = Path(path)
    if path.exists():
        raise Refused(problem("label.key_exists", f"{path} already exists: a label key is never overwritten"))
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    pub = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    Path(f"{path}.pub").write_bytes(pub)
    raw = public_bytes(key)
    return C.key_id_for(raw), raw


def load_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except FileNotFoundError:
        raise Refused(problem("label.key_missing", f"no key file at {path}: make one with `pos-app labels keygen`"))
    except (ValueError, TypeError, OSError) as err:
        raise Refused(problem("label.key_bad", f"{path} is not an unencrypted PEM private key ({err})"))
    if not isinstance(key, Ed25519PrivateKey):
        raise Refused(problem("label.key_bad", f"{path} is not an Ed25519 key"))
    return key


def load_public_key(path: Path) -> bytes:
    """A .pub PEM, or the 64-hex-digit raw key as printed by keygen."""
    try:
        data = Path(path).read_bytes().strip()
    except OSError as err:
        raise Refused(problem("label.key_missing", f"cannot read {path} ({err})"))
    try:
        if len(data) == 64:
            return bytes.fromhex(data.decode("ascii"))
        return public_bytes(serialization.load_pem_public_key(data))
    except (ValueError, TypeError, UnicodeDecodeError, AttributeError):
        raise Refused(problem("label.key_bad", f"{path} is not an Ed25519 public key")) from None


# --- batches (made in pos_app.domain.label_batches, which HQ shares) -------------------------
def load_batch(path: Path) -> LabelBatch:
    """Read a batch file and check every label against the batch's own public key."""
    bad = problem("label.batch_file", f"{path} is not a label batch file")
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("format") != BATCH_FORMAT:
            raise Refused(bad)
        public_key = bytes.fromhex(data["public_key"])
        ring = KeyRing()
        ring.trust_label_key(public_key)
        trust = Trust.of(ring)
        labels = tuple(Label(lb["serial"], int(lb["points"]), lb["payload"]) for lb in data["labels"])
        table = tuple(C.Prize(int(p["points"]), int(p["weight"])) for p in data["prizes"])
        created = datetime.fromisoformat(data["created_at"])
        batch = LabelBatch(data["batch"], data["sku"], data["name"], data["key_id"], public_key, created, table,
                           labels)
    except Refused:
        raise
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise Refused(bad) from None
    for label in batch.labels:
        got = parse(label.payload, now=created, trust=trust)
        if not (isinstance(got, ProductLabel) and got.serial == label.serial and got.points == label.points
                and got.sku == batch.sku and got.key_id == batch.key_id):
            raise Refused(problem("label.batch_mismatch", f"label {label.serial} in {path} does not verify"))
    return batch


def write_batch(batch: LabelBatch, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"batch-{batch.batch}.json"
    path.write_text(json.dumps(batch.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")
    return path


# --- printing ---------------------------------------------------------------------------------------
def _font_path() -> str | None:
    """A CJK font: the app bundle's, else the system's (fonts-noto-cjk), else none (Latin only)."""
    bundle = getattr(sys, "_MEIPASS", None)
    roots = [Path(bundle) / "resources" / "fonts"] if bundle else []
    roots.append(Path(__file__).resolve().parents[2] / "resources" / "fonts")
    for root in roots:
        for found in sorted(root.glob("*CJK*")) if root.is_dir() else []:
            return str(found)
    if shutil.which("fc-match"):
        out = subprocess.run(["fc-match", "-f", "%{file}", "Noto Sans CJK SC:style=Regular"], capture_output=True,
                             text=True, timeout=10).stdout.strip()
        if out and Path(out).exists():
            return out
    for candidate in ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                      "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"):
        if Path(candidate).exists():
            return candidate
    return None


def _font(size: int):
    path = _font_path()
    if path:
        try:  # in Noto Sans CJK collections face 2 is Simplified Chinese
            return ImageFont.truetype(path, size, index=2 if path.endswith(".ttc") else 0)
        except OSError:
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)


def qr_image(payload: str, module_px: int) -> Image.Image:
    q = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=module_px, border=4)
    q.add_data(payload, optimize=0)
    q.make(fit=True)
    return q.make_image(fill_color="black", back_color="white").get_image().convert("L")


def label_image(batch: LabelBatch, label: Label, size: tuple[int, int], fonts) -> Image.Image:
    """QR code on top, the product's name and the serial below; points stay hidden in the code."""
    w, h = size
    name_font, serial_font = fonts
    img = Image.new("L", size, 255)
    draw = ImageDraw.Draw(img)
    text_h = name_font.size + serial_font.size + 24
    room = min(w, h - text_h)
    modules = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    modules.add_data(label.payload, optimize=0)
    modules.make(fit=True)
    side = modules.modules_count + 8
    qr = qr_image(label.payload, max(1, room // side))
    img.paste(qr, ((w - qr.width) // 2, 0))
    y = qr.height + 4
    for text, font in ((_fit(draw, batch.name, name_font, w - 16), name_font), (label.serial, serial_font)):
        tw = draw.textlength(text, font=font)
        draw.text(((w - tw) / 2, y), text, font=font, fill=0)
        y += font.size + 8
    return img


def _fit(draw, text: str, font, width: int) -> str:
    while text and draw.textlength(text, font=font) > width:
        text = text[:-2] + "…" if len(text) > 2 else text[:-1]
    return text


def write_pngs(batch: LabelBatch, folder: Path, size: tuple[int, int] = (480, 600)) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    fonts = (_font(40), _font(30))
    out = []
    for label in batch.labels:
        path = folder / f"{label.serial}.png"
        label_image(batch, label, size, fonts).save(path, dpi=(DPI, DPI))
        out.append(path)
    return out


def write_pdf(batch: LabelBatch, path: Path, columns: int = COLUMNS, rows: int = ROWS) -> Path:
    """A4 sheets at 300 dpi, `columns` x `rows` labels a page, with light cut lines."""
    cell_w = (A4[0] - 2 * MARGIN) // columns
    cell_h = (A4[1] - 2 * MARGIN) // rows
    fonts = (_font(max(20, cell_h // 14)), _font(max(16, cell_h // 18)))
    pages = []
    per_page = columns * rows
    for start in range(0, len(batch.labels), per_page):
        page = Image.new("L", A4, 255)
        draw = ImageDraw.Draw(page)
        for i, label in enumerate(batch.labels[start:start + per_page]):
            x = MARGIN + (i % columns) * cell_w
            y = MARGIN + (i // columns) * cell_h
            draw.rectangle((x, y, x + cell_w, y + cell_h), outline=200)
            pad = cell_w // 16
            page.paste(label_image(batch, label, (cell_w - 2 * pad, cell_h - 2 * pad), fonts), (x + pad, y + pad))
        footer = f"{batch.name}  {batch.sku}  batch {batch.batch}  key {batch.key_id}  " \
                 f"page {start // per_page + 1}/{-(-len(batch.labels) // per_page)}"
        draw.text((MARGIN, A4[1] - MARGIN + 20), footer, font=fonts[1], fill=90)
        pages.append(page)
    path.parent.mkdir(parents=True, exist_ok=True)
    pages[0].save(path, "PDF", resolution=DPI, save_all=True, append_images=pages[1:])
    return path


def verify_text(text: str, public_key: bytes, now: datetime) -> C.Scanned | C.Rejected:
    """What a payload is under one label key: for `pos-app labels verify`."""
    ring = KeyRing()
    ring.trust_label_key(public_key)
    return parse(text, now=now, trust=Trust.of(ring))
