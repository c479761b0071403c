"""Where receipts go: a PDF folder, or an ESC/POS printer on the network or USB.

Targets are one string in the settings: `pdf:<folder>`, `tcp://host[:port]`, or
`usb://vendor:product` (hex ids, e.g. usb://04b8:0202). Printing runs on the device
worker, never the GUI thread: a network printer that is off takes its timeout to fail.
Chinese text is sent as GB18030 after switching the printer to its Chinese character
mode (FS &), which the common Chinese thermal printers expect.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

INIT = b"\x1b@"          # ESC @: reset
CHINESE_MODE = b"\x1c&"  # FS &: two-byte (GB18030) characters
TIMEOUT_S = 5


class PrinterError(Exception):
    """A printer target that is malformed or does not answer: shown to the cashier."""


@dataclass(frozen=True)
class Target:
    kind: str  # pdf, tcp, usb
    where: str
    port: int = 9100
    vendor: int = 0
    product: int = 0


def parse_target(text: str) -> Target:
    text = (text or "").strip()
    if text.startswith("pdf:"):
        return Target("pdf", text[4:] or str(Path.home() / "receipts"))
    url = urlparse(text)
    if url.scheme == "tcp" and url.hostname:
        return Target("tcp", url.hostname, url.port or 9100)
    if url.scheme == "usb":
        try:
            vendor, product = (int(part, 16) for part in url.netloc.split(":"))
        except ValueError:
            raise PrinterError(f"a USB printer is usb://vendor:product in hex, not {text!r}") from None
        return Target("usb", url.netloc, vendor=vendor, product=product)
    raise PrinterError(f"unknown printer {text!r}: use pdf:<folder>, tcp://host:port or usb://vendor:product")


def escpos_bytes(lines: list[str], qr_text: str | None = None) -> bytes:
    """The receipt as the printer receives it (without the QR and cut, which escpos adds)."""
    body = b"".join(line.encode("gb18030", errors="replace") + b"\n" for line in lines)
    return INIT + CHINESE_MODE + body


def print_escpos(target: Target, lines: list[str], qr_text: str | None = None) -> str:
    from escpos.exceptions import Error as EscposError
    from escpos.printer import Network, Usb

    try:
        if target.kind == "tcp":
            printer = Network(target.where, target.port, timeout=TIMEOUT_S)
        else:
            printer = Usb(target.vendor, target.product, timeout=TIMEOUT_S * 1000)
        printer.open()
        try:
            printer._raw(escpos_bytes(lines))
            if qr_text:
                printer.qr(qr_text, size=6, native=True)  # the printer draws it: smaller, sharper
            printer.cut()
        finally:
            printer.close()
    except (OSError, EscposError) as exc:
        raise PrinterError(f"the printer at {target.where} did not answer: {exc}") from exc
    return f"{target.kind}://{target.where}"
