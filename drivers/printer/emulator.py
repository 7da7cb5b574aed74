"""A TCP ESC/POS printer emulator: records every byte, answers ``DLE EOT n`` from settable state.

For tests and for ``hall devices check`` demos without hardware::

    python -m drivers.printer.emulator --port 9100 [--paper low] [--offline]

then type ``paper out``, ``offline``, ``online``, ``silent``, ``refuse``,
``normal`` on its stdin to change its state while it runs.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import struct
import sys
import threading
from types import TracebackType

# DLE EOT replies: fixed bits 1 and 4 set; see drivers.printer.escpos.
_ONLINE, _OFFLINE = 0x12, 0x1A
_PAPER = {"ok": 0x12, "low": 0x1E, "out": 0x72}


class PrinterEmulator:
    """A network printer on 127.0.0.1 (port 0 picks a free port).

    State, settable at any time from any thread:
    ``online`` (bool), ``paper`` ("ok" | "low" | "out"), ``silent`` (never
    answer status queries), ``refusing`` (reset every connection at once).
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.online = True
        self.paper = "ok"
        self.silent = False
        self.refusing = False
        self._lock = threading.Lock()
        self._received = bytearray()
        self.connections = 0
        self.queries: list[int] = []  # n of every DLE EOT n seen
        self._server = socket.create_server((host, port))
        self._server.settimeout(0.05)  # so the accept loop notices stop()
        self.host, self.port = self._server.getsockname()[:2]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._accepter = threading.Thread(target=self._accept_loop, name="printer-emulator")

    @property
    def url(self) -> str:
        """The device URL that reaches this emulator."""
        return f"tcp://{self.host}:{self.port}"

    @property
    def received(self) -> bytes:
        """Every byte received so far, from all connections, in order of arrival."""
        with self._lock:
            return bytes(self._received)

    def clear(self) -> None:
        """Forget what was received."""
        with self._lock:
            self._received.clear()
            self.queries.clear()

    def set_paper(self, paper: str) -> None:
        """Set the paper sensor: "ok", "low" or "out"."""
        if paper not in _PAPER:
            raise ValueError(f"paper must be one of {', '.join(_PAPER)}, got {paper!r}")
        self.paper = paper

    def start(self) -> PrinterEmulator:
        """Start serving in background threads."""
        self._accepter.start()
        return self

    def stop(self) -> None:
        """Stop serving, close every connection and join every thread."""
        self._stop.set()
        if self._accepter.is_alive():
            self._accepter.join()
        for t in self._threads:
            t.join()
        self._server.close()

    def __enter__(self) -> PrinterEmulator:
        return self.start()

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            if self.refusing:
                # SO_LINGER 0: close with RST, like a printer that drops the connection.
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.close()
                continue
            t = threading.Thread(target=self._serve, args=(conn,), name="printer-emulator-conn")
            self._threads.append(t)
            t.start()

    def _answer(self, n: int) -> bytes:
        if n == 1:
            return bytes([_ONLINE if self.online else _OFFLINE])
        if n == 4:
            return bytes([_PAPER[self.paper]])
        return bytes([0x12])  # n = 2, 3: no error bits set

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(0.05)
        pending = b""  # the tail of a DLE EOT split across two reads
        with conn:
            while not self._stop.is_set():
                try:
                    chunk = conn.recv(4096)
                except TimeoutError:
                    continue
                except OSError:
                    return
                if not chunk:
                    return
                with self._lock:
                    self._received += chunk
                data = pending + chunk
                pending = b""
                replies = bytearray()
                i = 0
                # Like a real printer, DLE EOT is acted on wherever it appears in the stream.
                while (i := data.find(b"\x10\x04", i)) >= 0:
                    if i + 2 >= len(data):
                        pending = data[i:]
                        break
                    with self._lock:
                        self.queries.append(data[i + 2])
                    if not self.silent:
                        replies += self._answer(data[i + 2])
                    i += 3
                else:
                    pending = data[-1:] if data.endswith(b"\x10") else b""
                if replies:
                    with contextlib.suppress(OSError):
                        conn.sendall(replies)


def main(argv: list[str] | None = None) -> int:
    """Run the emulator in the foreground, taking state changes from stdin."""
    ap = argparse.ArgumentParser(description="ESC/POS printer emulator (TCP)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=9100)
    ap.add_argument("--paper", choices=sorted(_PAPER), default="ok")
    ap.add_argument("--offline", action="store_true")
    ap.add_argument("--silent", action="store_true")
    args = ap.parse_args(argv)
    emu = PrinterEmulator(args.host, args.port)
    emu.set_paper(args.paper)
    emu.online, emu.silent = not args.offline, args.silent
    print(f"printer emulator on {emu.url}; commands: paper ok|low|out, online, offline, "
          "silent, refuse, normal, show", flush=True)  # fmt: skip
    with emu:
        try:
            for line in sys.stdin:
                _command(emu, line.split())
            threading.Event().wait()  # stdin closed (run in background): serve until killed
        except KeyboardInterrupt:
            pass
    return 0


def _command(emu: PrinterEmulator, words: list[str]) -> None:
    match words:
        case ["paper", state] if state in _PAPER:
            emu.set_paper(state)
        case ["online" | "offline" as s]:
            emu.online = s == "online"
        case ["silent"]:
            emu.silent = True
        case ["refuse"]:
            emu.refusing = True
        case ["normal"]:
            emu.online, emu.silent, emu.refusing = True, False, False
            emu.set_paper("ok")
        case ["show"] | []:
            pass
        case _:
            print(f"unknown command: {' '.join(words)}", flush=True)
            return
    print(
        f"online={emu.online} paper={emu.paper} silent={emu.silent} refusing={emu.refusing} "
        f"connections={emu.connections} bytes={len(emu.received)}",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
