"""A loopback TCP proxy in front of HQ that can drop the answer to the next push:
HQ receives the push, commits and starts answering; the proxy then calls `on_drop`
(e.g. HQ.kill) and closes the store's connection without relaying a byte of it."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable


class DropProxy:
    def __init__(self, upstream_port: int):
        self.upstream = ("127.0.0.1", upstream_port)
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.on_drop: Callable[[], None] | None = None
        self.dropped = threading.Event()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def drop_next_push_answer(self, on_drop: Callable[[], None]) -> None:
        self.on_drop = on_drop

    def close(self) -> None:
        self._closed = True
        self.sock.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            try:
                up = socket.create_connection(self.upstream, timeout=30)
            except OSError:
                client.close()
                continue
            state = {"push": False}
            threading.Thread(target=self._pump_up, args=(client, up, state), daemon=True).start()
            threading.Thread(target=self._pump_down, args=(up, client, state), daemon=True).start()

    def _pump_up(self, client: socket.socket, up: socket.socket, state: dict) -> None:
        try:
            while data := client.recv(65536):
                if b"POST /api/v1/sync/push " in data:
                    state["push"] = True
                up.sendall(data)
        except OSError:
            pass
        finally:
            _close(up)

    def _pump_down(self, up: socket.socket, client: socket.socket, state: dict) -> None:
        try:
            while data := up.recv(65536):
                if state["push"] and self.on_drop is not None:
                    fn, self.on_drop = self.on_drop, None
                    fn()  # HQ has answered, so it committed: it dies now, and the answer is lost
                    self.dropped.set()
                    return
                state["push"] = False
                client.sendall(data)
        except OSError:
            pass
        finally:
            _close(client)


def _close(s: socket.socket) -> None:
    try:
        s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    s.close()


class RoundRobinProxy:
    """An ordinary load balancer in front of several HQ processes: each new connection goes to the next
    upstream port in turn (a till's keep-alive connection stays with the HQ it reached)."""

    def __init__(self, upstream_ports: list[int]):
        self.upstreams = [("127.0.0.1", p) for p in upstream_ports]
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.connections = [0] * len(upstream_ports)  # per upstream: how many it was handed
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self._closed = True
        self.sock.close()

    def _accept(self) -> None:
        n = 0
        while not self._closed:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            k = n % len(self.upstreams)
            n += 1
            try:
                up = socket.create_connection(self.upstreams[k], timeout=60)
            except OSError:  # that HQ is down (killed, restarting): the till sees a failed connection
                _close(client)
                continue
            self.connections[k] += 1
            threading.Thread(target=_pump, args=(client, up), daemon=True).start()
            threading.Thread(target=_pump, args=(up, client), daemon=True).start()


def _pump(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    finally:
        _close(dst)
