"""Receipts reach an ESC/POS printer: a real TCP socket stands in for the printer."""

from __future__ import annotations

import socket
import threading

import pytest

from pos_app.ui.receipt_printer import CHINESE_MODE, PrinterError, parse_target, print_escpos


class FakePrinter:
    """Accepts one connection on a loopback port and keeps every byte sent to it."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.received = b""
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        conn, _ = self.server.accept()
        with conn:
            while chunk := conn.recv(65536):
                self.received += chunk

    def wait(self):
        self.thread.join(timeout=10)
        self.server.close()
        return self.received


def test_a_chinese_receipt_reaches_a_network_printer_as_gb18030_and_is_cut():
    printer = FakePrinter()
    where = print_escpos(parse_target(f"tcp://127.0.0.1:{printer.port}"), ["茶香小铺", "合计 ¥128.00"],
                         qr_text="R123")
    data = printer.wait()
    assert where == "tcp://127.0.0.1"
    assert CHINESE_MODE in data
    assert "茶香小铺".encode("gb18030") in data and "合计".encode("gb18030") in data
    assert b"R123" in data                       # the QR's payload travels inside its command
    assert data.endswith(b"\x1dV\x00")           # GS V 0: full cut, last


def test_a_printer_that_is_off_gives_a_clear_error():
    with socket.create_server(("127.0.0.1", 0)) as s:
        port = s.getsockname()[1]           # closed again below: nothing listens there
    with pytest.raises(PrinterError, match="did not answer"):
        print_escpos(parse_target(f"tcp://127.0.0.1:{port}"), ["x"])


@pytest.mark.parametrize("text", ["", "lpt1", "usb://zz:01", "tcp://"])
def test_bad_printer_targets_are_refused(text):
    with pytest.raises(PrinterError):
        parse_target(text)


def test_targets_parse():
    assert parse_target("tcp://10.0.0.5").port == 9100
    t = parse_target("usb://04b8:0202")
    assert (t.kind, t.vendor, t.product) == ("usb", 0x04B8, 0x0202)
    assert parse_target("pdf:/tmp/r").where == "/tmp/r"
