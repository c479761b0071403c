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
from pos_app.scanner import decoding, regions
from pos_app.scanner.decoding import Decoder, decode
from pos_app.scanner.formats import label_payload, parse
from pos_app.scanner.region_plan import Region, plan
from pos_app.scanner.tuning import TUNING

BACKENDS = [("zbar",), ("zxing", "zbar")]
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


def test_the_first_read_runs_even_with_no_budget_left():
    """The budget bounds retries only: an easy code is read with a budget of zero."""
    frame = on_canvas(render_qr(LABEL, 4))
    assert [d.text for d in decode(frame, budget_ms=0, backends=("zbar",))] == [LABEL]


def test_a_failing_pass_gives_nothing_never_an_exception(monkeypatch, caplog):
    from pos_app.scanner import zbar_reader

    def broken(*_a, **_kw):
        raise RuntimeError("zbar went away")

    monkeypatch.setattr(zbar_reader, "read", broken)
    decoder = Decoder(backends=("zbar",))
    assert decoder.decode(on_canvas(render_qr(LABEL, 4))) == []
    assert decoder.decode(on_canvas(render_qr(LABEL, 4))) == []
    assert caplog.text.count("decoding a frame failed") == 1  # each kind of failure is logged once


def test_zbar_reader_reads_our_symbologies_only_and_in_place():
    from pos_app.scanner import zbar_reader

    itf = on_canvas(cv2.resize(render_barcode("itf", "12345678901231"), None, fx=0.5, fy=1,
                               interpolation=cv2.INTER_AREA), at=(40, 150))
    assert zbar_reader.read(itf) == []
    qr = on_canvas(render_qr(LABEL, 4))
    view = qr[40:400, 60:560]  # not contiguous: copied, then read
    (kind, raw, outline), = zbar_reader.read(view)
    assert (kind, raw) == ("QRCODE", LABEL.encode()) and len(outline) == 4
    assert zbar_reader.read(np.ascontiguousarray(view), zbar_reader.QR_ONLY)[0][1] == LABEL.encode()
    ean = on_canvas(cv2.resize(render_barcode("ean13", "6901234567892"), None, fx=1.5, fy=1.5,
                               interpolation=cv2.INTER_NEAREST), at=(40, 150))
    assert zbar_reader.read(ean, zbar_reader.QR_ONLY) == []
    assert [k for k, _, _ in zbar_reader.read(ean)] == ["EAN13"]


@pytest.mark.parametrize("angle", [0, 17, -25, 90])
def test_a_turned_product_barcode_is_read_with_its_outline_on_it(angle):
    """1D regions are turned upright and squashed along the bars first; the outline comes
    back in frame pixels."""
    code = cv2.resize(render_barcode("code128", "TEA-OOLONG"), None, fx=1.2, fy=1.2, interpolation=cv2.INTER_AREA)
    canvas = on_canvas(code, at=(120, 180), value=235)
    turn = cv2.getRotationMatrix2D((320, 240), angle, 1.0)
    frame = cv2.warpAffine(canvas, turn, (640, 480), borderValue=235)
    found = decode(frame, budget_ms=UNHURRIED_MS, backends=("zbar",))
    assert [(d.text, d.symbology) for d in found] == [("TEA-OOLONG", "CODE128")]
    # the outline's centre is where the code's centre went
    cx, cy = 120 + code.shape[1] / 2, 180 + code.shape[0] / 2
    want = turn @ np.array([cx, cy, 1.0])
    got = np.mean(np.array(found[0].points, dtype=float), axis=0)
    assert np.hypot(*(got - want)) < 30


def test_regions_put_a_phone_code_before_the_phone_around_it():
    """A phone's bezel is a dense ring around the screen: the code inside ranks first and
    the phone's box, which would only read it again, is left out."""
    spec = VARIANTS["phone"]
    rng = np.random.default_rng([5, 1])
    for i in range(4):
        text = payload_for(spec["code"], spec["on"], i, rng, (KEY, KEY))
        frame = render_frame(spec, text, rng)
        gray = decoding.to_gray(frame)
        x, y, w, h = regions.find_regions(gray, TUNING)[0]
        found = decode(frame, backends=("zbar",), budget_ms=UNHURRIED_MS)
        assert [d.text for d in found] == [text]
        assert w * h < 0.5 * 640 * 480
        xs, ys = [p[0] for p in found[0].points], [p[1] for p in found[0].points]
        assert x <= min(xs) and max(xs) <= x + w and y <= min(ys) and max(ys) <= y + h


def _bench_frame(variant: str, seed: int, index: int):
    """Frame `index` of a bench.scan variant, as `python -m bench.scan --seed <seed>` makes it."""
    from bench.scan import _keys

    spec = VARIANTS[variant]
    rng = np.random.default_rng([seed, list(VARIANTS).index(variant)])
    keys = _keys(np.random.default_rng([seed, 999]))
    for i in range(index + 1):
        text = payload_for(spec["code"], spec["on"], i, rng, keys)
        frame = render_frame(spec, text, rng)
    return frame, text


@pytest.mark.parametrize("backends", BACKENDS)
def test_a_phone_code_half_washed_out_by_glare_is_read_where_plain_pyzbar_reads_nothing(backends):
    """bench.scan's phone_glare frame 18 (seed 7): a ceiling light clips the screen over a
    corner of the code and lifts the dark modules around it towards white. Plain pyzbar
    (and every pass before the glare one) reads nothing; scaled between its local dark and
    light levels, the region reads."""
    from pyzbar import pyzbar

    frame, text = _bench_frame("phone_glare", 7, 18)
    gray = decoding.to_gray(frame)
    assert pyzbar.decode(gray) == []
    region = _region(gray)
    assert region.highlight() and [step.kind for step in plan(region)][:2] == ["read", "glare"]
    assert [d.text for d in decode(frame, budget_ms=UNHURRIED_MS, backends=backends)] == [text]


@pytest.mark.parametrize("variant", ["clean", "tilted", "noise", "phone", "phone_inverted", "low_light"])
def test_codes_without_glare_are_not_taken_for_a_highlight(variant):
    """A white label is clipped all over, a phone screen nowhere: neither is glare, so the
    glare pass waits until after the binarised one there."""
    for i in range(3):
        frame, _ = _bench_frame(variant, 7, i)
        gray = decoding.to_gray(frame)
        assert not _region(gray).highlight(), (variant, i)


def _region(gray):
    return Region(gray, regions.find_regions(gray, TUNING)[0], False, TUNING, cv2.QRCodeDetector)


def _plain_reads(frame) -> set[str]:
    """What plain pyzbar and plain zxing-cpp read on a frame, as bench.scan calls them."""
    import zxingcpp
    from pyzbar import pyzbar

    zbar = {r.data.decode("utf-8", "replace") for r in pyzbar.decode(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY))}
    return zbar | {r.text for r in zxingcpp.read_barcodes(frame)}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_on_every_frame_we_read_what_plain_pyzbar_or_plain_zxing_reads(variant):
    """The promise, with the shipped budget: three bench frames of each kind (seed 3), and
    whatever code either library alone reads on one (our symbologies), so do we."""
    spec = VARIANTS[variant]
    rng = np.random.default_rng([3, list(VARIANTS).index(variant)])
    for i in range(3):
        text = payload_for(spec["code"], spec["on"], i, rng, (KEY, KEY))
        frame = render_frame(spec, text, rng)
        ours = {d.text for d in Decoder().decode(frame)}
        if text in _plain_reads(frame):
            assert text in ours, (variant, i)


def test_when_the_regions_miss_the_code_the_plain_libraries_still_read_it(monkeypatch):
    """No code-like region found (monkeypatched away) and no budget at all: the plain
    whole-frame reads run anyway, for each set of backends."""
    monkeypatch.setattr(decoding, "find_regions", lambda gray, tuning: [])
    frame = on_canvas(render_qr(LABEL, 4))
    for backends in BACKENDS:
        found = Decoder(backends=backends).decode(frame, budget_ms=0)
        assert [(d.text, d.how) for d in found] == [(LABEL, "zbar-plain" if backends == ("zbar",) else "zxing")]
    monkeypatch.setattr(decoding.passes, "read_zxing", lambda *a, **kw: [])
    assert [d.how for d in Decoder().decode(frame, budget_ms=0)] == ["zbar-plain"]


def test_each_decoder_learns_its_own_costs_from_the_shipped_table():
    frame, _ = _bench_frame("blur", 7, 0)
    one, other = Decoder(), Decoder()
    one.decode(frame)
    assert one.costs != dict(TUNING.ms_per_mpx)
    assert other.costs == dict(TUNING.ms_per_mpx) == dict(Decoder().costs)


def test_the_tuning_table_is_what_a_decoder_uses(monkeypatch):
    """A Tuning with no regions at all: only the whole-frame reads run."""
    from dataclasses import replace

    kinds = []
    decoder = Decoder(tuning=replace(TUNING, max_regions=0), backends=("zbar",))
    real = decoder.run_pass
    monkeypatch.setattr(decoder, "run_pass", lambda kind, *a, **kw: kinds.append(kind) or real(kind, *a, **kw))
    decoder.decode(np.full((480, 640), 200, np.uint8), budget_ms=0)
    assert kinds[0] == "plain-zbar" and not {"read", "sharpen", "glare"} & set(kinds)
