"""decode(frame): our codes in generated camera frames, hard frames, and inputs that must not crash."""

from __future__ import annotations

from datetime import datetime

import cv2
import numpy as np
import pytest
import qrcode
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bench.scan import VARIANTS, payload_for, render_barcode, render_frame, render_qr
from pos_app.domain.codes import Reason, Rejected
from pos_app.scanner import decoding
from pos_app.scanner.decoding import decode
from pos_app.scanner.formats import label_payload, parse

BACKENDS = [("zbar",)] + ([("zxing", "zbar")] if decoding.zxingcpp is not None else [])
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
LABEL = label_payload("TEA-OOLONG", "K7QF2M3A-000001", 28, KEY)


def on_canvas(code: np.ndarray, at=(120, 80), size=(480, 640), value=180) -> np.ndarray:
    canvas = np.full(size, value, np.uint8)
    h, w = code.shape
    canvas[at[1]:at[1] + h, at[0]:at[0] + w] = code
    return canvas


@pytest.mark.parametrize("backends", BACKENDS)
def test_reads_a_label_qr_in_gray_bgr_and_bgra_with_its_outline(backends):
    code = render_qr(LABEL, 4)
    gray = on_canvas(code)
    for frame in (gray, cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR), cv2.cvtColor(gray, cv2.COLOR_GRAY2BGRA),
                  gray.astype(np.uint16) * 257):
        found = decode(frame, backends=backends)
        assert [d.text for d in found] == [LABEL] and found[0].symbology == "QRCODE"
        xs, ys = [p[0] for p in found[0].points], [p[1] for p in found[0].points]
        # the outline sits on the symbol (inside the quiet zone of 4 modules = 16 px)
        assert len(found[0].points) == 4
        assert 120 <= min(xs) <= 120 + 20 and 120 + code.shape[1] - 20 <= max(xs) <= 120 + code.shape[1]
        assert 80 <= min(ys) <= 80 + 20 and 80 + code.shape[0] - 20 <= max(ys) <= 80 + code.shape[0]


@pytest.mark.parametrize("backends", BACKENDS)
@pytest.mark.parametrize("kind,text,symbology", [("ean13", "6901234567892", "EAN13"),
                                                 ("code128", "TEA-OOLONG", "CODE128")])
def test_reads_plain_product_barcodes(backends, kind, text, symbology):
    code = cv2.resize(render_barcode(kind, text), None, fx=1.5, fy=1.5, interpolation=cv2.INTER_NEAREST)
    found = decode(on_canvas(code, at=(40, 150)), backends=backends)
    assert [(d.text, d.symbology) for d in found] == [(text, symbology)]


def test_symbologies_we_do_not_use_are_ignored():
    """An Interleaved 2-of-5 code is read by zbar left open, never by us."""
    from pyzbar import pyzbar

    itf = on_canvas(cv2.resize(render_barcode("itf", "12345678901231"), None, fx=0.5, fy=1,
                               interpolation=cv2.INTER_AREA), at=(40, 150))
    assert any(r.type == "I25" for r in pyzbar.decode(itf))
    for backends in BACKENDS:
        assert decode(itf, backends=backends) == []


@pytest.mark.parametrize("backends", BACKENDS)
def test_a_payload_that_is_not_utf8_is_read_and_refused_never_a_crash(backends):
    q = qrcode.QRCode(border=4, box_size=4)
    q.add_data(b"\xff\xfe\x80\x81 not text")
    q.make(fit=True)
    frame = on_canvas(np.array(q.make_image().convert("L"), dtype=np.uint8))
    found = decode(frame, backends=backends)
    assert len(found) == 1 and isinstance(found[0].text, str)
    got = parse(found[0].text, now=datetime(2026, 11, 25), symbology=found[0].symbology)
    assert isinstance(got, Rejected) and got.reason is Reason.UNKNOWN_FORMAT


@pytest.mark.parametrize("frame", [None, "frame", np.zeros((0, 0), np.uint8), np.zeros((4, 4), np.uint8),
                                   np.zeros((48, 64, 5), np.uint8), np.random.default_rng(1).random((120, 160)),
                                   np.full((480, 640, 3), 255, np.uint8)])
def test_frames_without_codes_or_not_images_give_nothing(frame):
    assert decode(frame) == []


# What the retries can read, not how fast: speed is bench.scan's job, and a loaded CI
# machine must not turn the time budget into a failed read.
UNHURRIED_MS = 2000


@pytest.mark.parametrize("variant", ["small", "tilted", "low_light", "phone_glare", "phone_inverted", "noise",
                                     "ean13", "code128"])
def test_hard_frames_from_the_bench_corpus_are_read_at_least_as_well_as_by_plain_pyzbar(variant):
    """Six seeded frames per kind of trouble (with or without the optional zxing backend)."""
    from pyzbar import pyzbar

    spec = VARIANTS[variant]
    rng = np.random.default_rng([11, len(variant)])
    keys = (KEY, KEY)
    ours = plain = 0
    for i in range(6):
        text = payload_for(spec["code"], spec["on"], i, rng, keys)
        frame = render_frame(spec, text, rng)
        ours += text in [d.text for d in decode(frame, budget_ms=UNHURRIED_MS)]
        plain += text in [r.data.decode() for r in pyzbar.decode(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY))]
    assert ours >= max(4, plain), f"{variant}: ours {ours}/6, plain pyzbar {plain}/6"
    if variant == "phone_inverted":
        assert plain == 0 and ours == 6


@pytest.mark.parametrize("variant", ["ean13", "code128"])
def test_no_wrong_product_codes_on_the_bench_1d_frames(variant):
    """A 1D misread can pass EAN-13's check digit (zxing did, on frame 15 of seed 7): never return one."""
    spec = VARIANTS[variant]
    rng = np.random.default_rng([7, list(VARIANTS).index(variant)])
    keys = (KEY, KEY)
    wrong = []
    for i in range(40):
        text = payload_for(spec["code"], spec["on"], i, rng, keys)
        frame = render_frame(spec, text, rng)
        wrong += [(i, d.text, d.how) for d in decode(frame, budget_ms=UNHURRIED_MS) if d.text != text]
    assert wrong == []
