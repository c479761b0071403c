"""Decoder success rate and speed on a synthetic camera corpus, ours against plain libraries.

    python -m bench.scan [--per-variant 40] [--seed 7] [--cache DIR] [--no-camera] [--cpu] [--stages]

The corpus is generated (seeded, deterministic) into a cache folder: our label and
dynamic-member payloads as QR codes, and EAN-13 / Code128 product barcodes, printed on
labels or shown on a phone screen, placed into 640x480 counter scenes with perspective,
blur, noise, JPEG artefacts, low light, glare and several scales. Each frame is decoded
by our `pos_app.scanner.decoding.Decoder`, by plain pyzbar (all symbologies, as it
comes), by plain zxing-cpp (all formats, its default options), by plain OpenCV
QRCodeDetector, and by ours without zxing-cpp, in the same run. A read counts only if it
is the expected text; any other text a decoder returns is a false read. Besides each
variant's rate, the summary counts the frames that plain pyzbar or plain zxing-cpp read
and ours did not (`ours_missed_where_plain_read`: 0 is the promise). Then the camera
worker's frames per second on a generated 640x480 video (bench.camera). Prints one JSON
line last.

--cpu adds each decoder's CPU time per frame (time.process_time, all threads) beside the
wall time: on a shared machine the wall time moves with the neighbours' load, the CPU
time much less. --stages adds, per variant, what our decoder's passes cost and found
(count, CPU ms in all, reads), from a Decoder whose run_pass records them (TracingDecoder).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import qrcode
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pos_app.scanner.decoding import Decoder

W, H = 640, 480
CORPUS_VERSION = 4  # bump when the generator changes: the cache folder is keyed by it

# variant -> what is shown and how it is spoiled. size: the code's width in pixels.
VARIANTS: dict[str, dict] = {
    "clean": dict(code="qr", on="label", size=(170, 240), tilt=0.05),
    "small": dict(code="qr", on="label", size=(88, 118), tilt=0.05),
    "large": dict(code="qr", on="label", size=(330, 420), tilt=0.05),
    "tilted": dict(code="qr", on="label", size=(170, 240), tilt=0.35),
    "blur": dict(code="qr", on="label", size=(150, 220), tilt=0.08, blur=(1.5, 2.3)),
    "motion": dict(code="qr", on="label", size=(160, 230), tilt=0.08, motion=(6, 11)),
    "noise": dict(code="qr", on="label", size=(150, 220), tilt=0.08, noise=(25, 40)),
    "jpeg": dict(code="qr", on="label", size=(140, 200), tilt=0.08, jpeg=(4, 9)),
    "low_light": dict(code="qr", on="label", size=(150, 220), tilt=0.08, light=(0.05, 0.12), noise=(3, 6)),
    "phone": dict(code="qr", on="phone", size=(160, 230), tilt=0.1),
    "phone_glare": dict(code="qr", on="phone", size=(160, 230), tilt=0.1, glare=True),
    "phone_inverted": dict(code="qr", on="phone", size=(160, 230), tilt=0.1, inverted=True),
    "ean13": dict(code="ean13", on="label", size=(200, 300), tilt=0.05, blur=(0.0, 0.9)),
    "code128": dict(code="code128", on="label", size=(320, 440), tilt=0.05, blur=(0.0, 0.9)),
}


# --- payloads -------------------------------------------------------------------------------
def _keys(rng: np.random.Generator) -> tuple[Ed25519PrivateKey, Ed25519PrivateKey]:
    return (Ed25519PrivateKey.from_private_bytes(rng.bytes(32)), Ed25519PrivateKey.from_private_bytes(rng.bytes(32)))


def payload_for(code: str, on: str, i: int, rng: np.random.Generator, keys) -> str:
    from datetime import datetime, timedelta

    from pos_app.domain.codes import serial_for
    from pos_app.scanner.formats import dynamic_member_payload, label_payload

    if code == "ean13":
        body = "69" + "".join(str(d) for d in rng.integers(0, 10, 10))
        total = sum(int(d) * (3 if k % 2 else 1) for k, d in enumerate(body))
        return body + str((10 - total % 10) % 10)
    if code == "code128":
        return "SKU-" + "".join(rng.choice(list("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"), 8))
    hq, member = keys
    if on == "phone":
        member_id = f"01936b2e-7c4a-7def-8a11-{i:012x}"
        return dynamic_member_payload(member_id, member, datetime(2026, 11, 25, 8) + timedelta(seconds=30 * i))
    sku = ["TEA-OOLONG", "TEA-JASMINE", "CUP-SET-01", "BISCUIT-BOX"][i % 4]
    return label_payload(sku, serial_for("K7QF2M3A", i + 1), int(rng.choice([8, 28, 38, 48, 68])), hq)


# --- rendering ------------------------------------------------------------------------------
def render_qr(text: str, module_px: int = 4) -> np.ndarray:
    q = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=module_px, border=4)
    q.add_data(text, optimize=0)
    q.make(fit=True)
    return np.array(q.make_image().convert("L"), dtype=np.uint8)


def render_barcode(kind: str, text: str) -> np.ndarray:
    """Two pixels per module (python-barcode, which python-escpos brings), quiet zone kept."""
    import barcode
    from barcode.writer import ImageWriter

    code = barcode.get(kind, text[:12] if kind == "ean13" else text, writer=ImageWriter())
    img = code.render({"module_width": 0.2, "module_height": 6.0, "quiet_zone": 2.4, "dpi": 254,
                       "write_text": False, "font_size": 0})
    return np.array(img.convert("L"), dtype=np.uint8)


def _background(rng: np.random.Generator) -> np.ndarray:
    """A counter: uneven light, texture, and printed clutter (edges that are not codes)."""
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    base = rng.uniform(90, 170) + rng.uniform(-40, 40) * (xx / W) + rng.uniform(-30, 30) * (yy / H)
    texture = cv2.resize(rng.normal(0, 12, (H // 16, W // 16)).astype(np.float32), (W, H))
    bg = np.stack([base + texture * c for c in (1.0, 0.95, 0.9)], axis=-1)
    bg = np.clip(bg, 0, 255).astype(np.uint8)
    for _ in range(int(rng.integers(3, 8))):
        x, y = int(rng.integers(0, W - 60)), int(rng.integers(0, H - 20))
        color = tuple(int(c) for c in rng.integers(0, 255, 3))
        if rng.random() < 0.5:
            cv2.putText(bg, "".join(rng.choice(list("ABCDEF0123456789"), 6)), (x, y), cv2.FONT_HERSHEY_SIMPLEX,
                        float(rng.uniform(0.4, 1.2)), color, int(rng.integers(1, 3)))
        else:
            cv2.rectangle(bg, (x, y), (x + int(rng.integers(10, 80)), y + int(rng.integers(5, 40))), color, -1)
    return bg


def _mount(code: np.ndarray, on: str, inverted: bool) -> np.ndarray:
    """Put the code on a white label, or on a phone screen inside its dark bezel."""
    if inverted:
        code = 255 - code
    h, w = code.shape
    if on == "label":
        pad = max(2, w // 20)
        return cv2.copyMakeBorder(code, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)
    screen_bg = 20 if inverted else 245
    # a screen's black is not black nor its white white; it is also a little blue
    code = (code.astype(np.float32) * (210 / 255) + 30).astype(np.uint8)
    screen = np.full((int(h * 1.9), int(w * 1.25)), screen_bg, np.uint8)
    y0, x0 = int(h * 0.45), (screen.shape[1] - w) // 2
    screen[y0:y0 + h, x0:x0 + w] = code
    bezel = max(4, w // 14)
    return cv2.copyMakeBorder(screen, bezel, bezel, bezel, bezel, cv2.BORDER_CONSTANT, value=12)


def _place(scene: np.ndarray, thing: np.ndarray, code_width: float, code_frac: float, tilt: float,
           rng: np.random.Generator) -> tuple[float, float]:
    """Warp `thing` into the scene so its code is about `code_width` pixels wide, in perspective.

    Returns where the thing's centre landed."""
    th, tw = thing.shape
    scale = code_width / (tw * code_frac)
    dw, dh = tw * scale, th * scale
    # keep the whole code in frame; a phone may be cut off at its edges, never its code
    cx = rng.uniform(min(W / 2, code_width * 0.75), max(W / 2, W - code_width * 0.75))
    cy = rng.uniform(min(H / 2, code_width * 0.75), max(H / 2, H - code_width * 0.75))
    angle = rng.uniform(0, 2 * np.pi) if tilt > 0.2 else rng.uniform(-0.35, 0.35)
    corners = np.array([[-dw / 2, -dh / 2], [dw / 2, -dh / 2], [dw / 2, dh / 2], [-dw / 2, dh / 2]])
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    dst = corners @ rot.T
    # perspective: one side of the quad shrinks towards the centre as if turned away
    side = int(rng.integers(0, 4))
    amount = rng.uniform(tilt * 0.5, tilt)
    for k in (side, (side + 1) % 4):
        dst[k] *= 1 - amount
    dst += [cx, cy]
    src = np.array([[0, 0], [tw, 0], [tw, th], [0, th]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    warped = cv2.warpPerspective(thing, m, (W, H), flags=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full_like(thing, 255), m, (W, H)) > 127
    scene[mask] = np.repeat(warped[..., None], 3, axis=2)[mask]
    return cx, cy


def _motion_kernel(length: int, angle: float) -> np.ndarray:
    k = np.zeros((length, length), np.float32)
    k[length // 2, :] = 1
    rot = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), angle, 1.0)
    k = cv2.warpAffine(k, rot, (length, length))
    return k / max(k.sum(), 1e-6)


def render_frame(spec: dict, text: str, rng: np.random.Generator) -> np.ndarray:
    code = render_qr(text, 4) if spec["code"] == "qr" else render_barcode(spec["code"], text)
    thing = _mount(code, spec["on"], spec.get("inverted", False))
    scene = _background(rng)
    width = rng.uniform(*spec["size"])
    cx, cy = _place(scene, thing, width, code.shape[1] / thing.shape[1], spec["tilt"], rng)
    frame = scene.astype(np.float32)
    if "light" in spec:
        frame = frame * rng.uniform(*spec["light"])
    if spec.get("glare"):
        # a ceiling light reflected on the phone: a bright blob over part of the code
        yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
        gx, gy = cx + rng.uniform(-0.35, 0.35) * width, cy + rng.uniform(-0.5, 0.1) * width
        sx, sy = rng.uniform(0.15, 0.35) * width, rng.uniform(0.1, 0.25) * width
        frame += rng.uniform(170, 260) * np.exp(-(((xx - gx) / sx) ** 2 + ((yy - gy) / sy) ** 2))[..., None]
    if "blur" in spec:
        sigma = rng.uniform(*spec["blur"])
        if sigma > 0.3:
            frame = cv2.GaussianBlur(frame, (0, 0), sigma)
    if "motion" in spec:
        frame = cv2.filter2D(frame, -1, _motion_kernel(int(rng.integers(*spec["motion"])), rng.uniform(0, 180)))
    if "noise" in spec:
        frame = frame + rng.normal(0, rng.uniform(*spec["noise"]), frame.shape)
    frame = np.clip(frame, 0, 255).astype(np.uint8)
    if "jpeg" in spec:
        ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(*spec["jpeg"]))])
        frame = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    else:  # every webcam frame went through some compression
        ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 90])
        frame = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    return frame


def corpus(per_variant: int, seed: int, cache: Path | None = None) -> dict[str, list[tuple[np.ndarray, str]]]:
    """{variant: [(BGR frame, expected text)]}, cached as PNGs keyed by seed and generator."""
    key = hashlib.sha256(json.dumps([CORPUS_VERSION, seed, per_variant, VARIANTS], sort_keys=True).encode())
    folder = (cache or Path(tempfile.gettempdir()) / "pos-scan-corpus") / key.hexdigest()[:12]
    index = folder / "index.json"
    if index.exists():
        names = json.loads(index.read_text())
        return {v: [(cv2.imread(str(folder / f)), t) for f, t in items] for v, items in names.items()}
    folder.mkdir(parents=True, exist_ok=True)
    out, names = {}, {}
    for vi, (variant, spec) in enumerate(VARIANTS.items()):
        rng = np.random.default_rng([seed, vi])
        keys = _keys(np.random.default_rng([seed, 999]))
        out[variant], names[variant] = [], []
        for i in range(per_variant):
            text = payload_for(spec["code"], spec["on"], i, rng, keys)
            frame = render_frame(spec, text, rng)
            name = f"{variant}-{i:03d}.png"
            cv2.imwrite(str(folder / name), frame)
            out[variant].append((frame, text))
            names[variant].append((name, text))
    index.write_text(json.dumps(names))
    return out


# --- decoders side by side ---------------------------------------------------------------------
def _plain_pyzbar(frame: np.ndarray) -> list[str]:
    from pyzbar import pyzbar

    gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    return [r.data.decode("utf-8", "replace") for r in pyzbar.decode(gray)]


_CV_QR = None


def _plain_opencv(frame: np.ndarray) -> list[str]:
    global _CV_QR
    if _CV_QR is None:
        _CV_QR = cv2.QRCodeDetector()
    try:
        ok, texts, _, _ = _CV_QR.detectAndDecodeMulti(frame)
    except (cv2.error, UnicodeDecodeError):
        return []
    return [t for t in texts if t] if ok else []


class TracingDecoder(Decoder):
    """Our Decoder, with each pass it runs recorded as (kind, pixels, CPU ms, found): the
    bench's view into the passes, kept out of the product."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.trace: list[tuple[str, int, float, bool]] | None = None

    def run_pass(self, kind, pixels, step, deadline, always=False):
        if self.trace is None:
            return super().run_pass(kind, pixels, step, deadline, always)
        seen = []

        def timed():
            t0 = time.thread_time()
            found = step()
            seen.append(((time.thread_time() - t0) * 1000, found))
            return found

        found = super().run_pass(kind, pixels, timed, deadline, always)
        if seen and seen[0][1] is not None:
            self.trace.append((kind, pixels, seen[0][0], bool(seen[0][1])))
        return found


_OURS = None
_OURS_ZBAR = None


def _ours(frame: np.ndarray) -> list[str]:
    return [d.text for d in _OURS.decode(frame)]


def _plain_zxing(frame: np.ndarray) -> list[str]:
    import zxingcpp

    return [r.text for r in zxingcpp.read_barcodes(frame)]


def _ours_zbar_only(frame: np.ndarray) -> list[str]:
    return [d.text for d in _OURS_ZBAR.decode(frame)]


# "ours_zbar_only": our decoder without zxing-cpp, to show what that library adds
DECODERS = {"ours": _ours, "pyzbar": _plain_pyzbar, "zxing_cpp": _plain_zxing, "opencv_qr": _plain_opencv,
            "ours_zbar_only": _ours_zbar_only}
PLAIN = ("pyzbar", "zxing_cpp")  # what ours must read wherever they do


def run(per_variant: int, seed: int, cache: Path | None, cpu: bool = False, stages: bool = False) -> dict:
    global _OURS, _OURS_ZBAR
    frames = corpus(per_variant, seed, cache)
    _OURS, _OURS_ZBAR = TracingDecoder(), TracingDecoder(backends=("zbar",))
    results: dict[str, dict] = {}
    for name, fn in DECODERS.items():
        fn(frames["clean"][0][0])  # warm-up: first calls load libraries and build tables
    for variant, items in frames.items():
        row = {}
        read_by: dict[str, list[bool]] = {}
        for name, fn in DECODERS.items():
            times, cpu_times, hits, wrong = [], [], 0, 0
            trace = None
            if stages and name == "ours":
                trace = _OURS.trace = []
            elif name == "ours":
                _OURS.trace = None
            read_by[name] = []
            for frame, expected in items:
                c0, t0 = time.process_time(), time.perf_counter()
                texts = fn(frame)
                times.append((time.perf_counter() - t0) * 1000)
                cpu_times.append((time.process_time() - c0) * 1000)
                hits += expected in texts
                read_by[name].append(expected in texts)
                wrong += sum(t != expected for t in texts)  # reads of something that is not there
            times.sort()
            cpu_times.sort()
            row[name] = {"success": round(hits / len(items), 3), "false_reads": wrong,
                         "median_ms": round(statistics.median(times), 2),
                         "p95_ms": round(times[min(len(times) - 1, int(0.95 * len(times)))], 2)}
            if cpu:
                row[name]["cpu_median_ms"] = round(statistics.median(cpu_times), 2)
                row[name]["cpu_p95_ms"] = round(cpu_times[min(len(cpu_times) - 1, int(0.95 * len(cpu_times)))], 2)
            if trace is not None:
                passes: dict[str, list] = {}
                for kind, _pixels, ms, found in trace:
                    p = passes.setdefault(kind, [0, 0.0, 0])
                    p[0], p[1], p[2] = p[0] + 1, p[1] + ms, p[2] + found
                row[name]["stages"] = {k: {"runs": n, "cpu_ms": round(ms, 1), "reads": r}
                                       for k, (n, ms, r) in passes.items()}
        row["ours"]["missed_where_plain_read"] = {
            p: sum(theirs and not ours for ours, theirs in zip(read_by["ours"], read_by[p])) for p in PLAIN}
        results[variant] = row
        print(f"{variant:15s} " + "  ".join(
            f"{n}: {r['success']:.0%} {r['median_ms']:.1f}/{r['p95_ms']:.1f} ms"
            + (f" (cpu {r['cpu_median_ms']:.1f}/{r['cpu_p95_ms']:.1f})" if cpu else "") for n, r in row.items()),
            file=sys.stderr)
        if stages:
            print(f"{'':15s} passes: " + "  ".join(f"{k} {v['runs']}x {v['cpu_ms']:.0f}ms {v['reads']} read"
                                                  for k, v in row["ours"].get("stages", {}).items()), file=sys.stderr)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scan", description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-variant", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cache", type=Path, default=None, help="corpus cache folder (default: the temp folder)")
    parser.add_argument("--no-camera", action="store_true", help="skip the camera worker's fps run")
    parser.add_argument("--cpu", action="store_true", help="add CPU ms per frame (process time) beside wall ms")
    parser.add_argument("--stages", action="store_true", help="add what each pass of our decoder cost and read")
    args = parser.parse_args(argv)
    results = run(args.per_variant, args.seed, args.cache, cpu=args.cpu, stages=args.stages)
    ours_beats = {v: all(r["ours"]["success"] >= r[o]["success"] for o in ("pyzbar", "zxing_cpp", "opencv_qr"))
                  for v, r in results.items()}
    all_ours = [r["ours"] for r in results.values()]
    rate = {name: round(statistics.mean(r[name]["success"] for r in results.values()), 3) for name in DECODERS}
    summary = {"bench": "scan", "frame": f"{W}x{H}", "per_variant": args.per_variant, "seed": args.seed,
               "cpu_count": os.cpu_count(), "variants": results, "mean_success": rate,
               "ours_at_least_as_good_everywhere": all(ours_beats.values()),
               "ours_missed_where_plain_read": {p: sum(r["ours"]["missed_where_plain_read"][p]
                                                       for r in results.values()) for p in PLAIN},
               "false_reads": {name: sum(r[name]["false_reads"] for r in results.values()) for name in DECODERS},
               "ours_worst_median_ms": max(r["median_ms"] for r in all_ours),
               "ours_worst_p95_ms": max(r["p95_ms"] for r in all_ours)}
    if not args.no_camera:
        from bench.camera import measure_fps

        summary["camera"] = {"mixed": measure_fps(), "motion_blur": measure_fps(variant="motion")}
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
