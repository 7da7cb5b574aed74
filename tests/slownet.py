"""A slow hub, as the devices see it: a TCP proxy on 127.0.0.1 that holds back what the
hub sends for `delay` seconds (what the devices send passes at once).

A real hub behind it answers every request `delay` seconds late — a stalled disk, a
saturated hub — while the connection stays sound. `delay` can be changed while it runs.
"""

from __future__ import annotations

import contextlib
import queue
import socket
import threading
import time
from types import TracebackType


class SlowProxy:
    """Listens on an ephemeral port (`port`) and forwards each connection to `target_port`."""

    def __init__(self, target_port: int, delay: float = 0.0) -> None:
        self.target_port = target_port
        self.delay = delay
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()
        self._stopped = False
        threading.Thread(target=self._accept, name="slow-proxy", daemon=True).start()

    def __enter__(self) -> SlowProxy:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def endpoint(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self._stopped = True
        self._listener.close()
        with self._lock:
            for s in self._socks:
                s.close()

    def _accept(self) -> None:
        while not self._stopped:
            try:
                device, _ = self._listener.accept()
                hub = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                return
            with self._lock:
                if self._stopped:
                    device.close()
                    hub.close()
                    return
                self._socks += [device, hub]
            held: queue.Queue[tuple[float, bytes]] = queue.Queue()
            for target, args in ((self._pump, (device, hub, None)),
                                 (self._pump, (hub, device, held)),
                                 (self._release, (held, device))):  # fmt: skip
                threading.Thread(target=target, args=args, daemon=True).start()

    def _pump(
        self, src: socket.socket, dst: socket.socket, held: queue.Queue[tuple[float, bytes]] | None
    ) -> None:
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            if held is not None:
                held.put((time.monotonic() + self.delay, data))  # b"": the end, in its turn
            elif data:
                try:
                    dst.sendall(data)
                except OSError:
                    data = b""
            if not data:
                if held is None:
                    self._close(src, dst)
                return

    def _release(self, held: queue.Queue[tuple[float, bytes]], dst: socket.socket) -> None:
        while True:
            due, data = held.get()
            time.sleep(max(0.0, due - time.monotonic()))
            try:
                if not data:
                    raise OSError("the hub closed")
                dst.sendall(data)
            except OSError:
                self._close(dst)
                return

    @staticmethod
    def _close(*socks: socket.socket) -> None:
        for s in socks:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
