"""A TCP ESC/POS printer emulator: records every byte, prints at a set speed, fails on demand.

For tests and for ``hall devices check`` demos without hardware::

    python -m drivers.printer.emulator --port 9100 [--paper low] [--offline]

then type ``paper out``, ``offline``, ``online``, ``silent``, ``refuse``, ``cover open``,
``cover closed``, ``jam``, ``runout N``, ``normal`` on its stdin to change its state
while it runs.

How it behaves, after the Epson ESC/POS command reference (the real-time commands
``DLE EOT``, ``DLE ENQ``, ``DLE DC4``, and ``GS r``):

- Real-time commands are acted on the moment they arrive, wherever they sit in the
  stream, even while the printer is stalled: ``DLE EOT n`` answers status n = 1
  (printer: bit 3 offline), 2 (offline cause: bit 2 cover open, bit 5 stopped by
  paper end, bit 6 error), 3 (error cause: bit 3 autocutter error), 4 (paper sensor:
  bits 2-3 near end, bits 5-6 end). ``DLE ENQ 2`` recovers from a cutter error
  after clearing the buffers; ``DLE DC4 8 1 3 20 1 6 2 8`` clears the buffers and
  answers ``37 25 00`` (both only where ``supports_clear``).
- Everything else goes into a buffer that a print engine works through at
  ``line_seconds`` per line. ``GS r 1`` in that buffer is answered when the engine
  reaches it, i.e. after every byte before it has printed (paper sensor: bits 0-1
  near end, bits 2-3 end; bit 4 clear, unlike every ``DLE EOT`` reply).
- A fault stalls the engine with the rest of the buffer kept: paper running out
  (``paper_out_after`` printable bytes from now), the cover opened, the cutter
  jammed (the next ``GS V``), or the printer taken offline. Once the fault is
  cleared (paper refilled, cover closed, ``DLE ENQ`` for the cutter) the engine
  goes on with what is left, as a real printer does: half a ticket comes out
  unless the host cleared the buffer.
- ``printed`` holds the bytes that reached the paper, ``received`` every byte.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import struct
import sys
import threading
import time
from collections import deque
from types import TracebackType

# Status bytes: DLE EOT replies have bits 1 and 4 set; see drivers.printer.escpos.
_BASE = 0x12
_PAPER = {"ok": 0x12, "low": 0x1E, "out": 0x72}
CLEAR_BUFFERS = bytes.fromhex("10 14 08 01 03 14 01 06 02 08")  # DLE DC4 fn=8
CLEAR_RESPONSE = bytes.fromhex("37 25 00")


class PrinterEmulator:
    """A network printer on 127.0.0.1 (port 0 picks a free port).

    State, settable at any time from any thread: ``online`` (bool), ``paper``
    ("ok" | "low" | "out"), ``cover_open``, ``cutter_jam`` (the next cut jams),
    ``paper_out_after`` (printable bytes left on the roll, None = plenty),
    ``silent`` (never answer), ``refusing`` (reset every connection at once),
    ``line_seconds`` (print time per line), ``supports_clear``.
    """

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, *, line_seconds: float = 0.0
    ) -> None:
        self.online = True
        self.paper = "ok"
        self.cover_open = False
        self.cutter_jam = False
        self.cutter_error = False  # the jam happened: stalled until DLE ENQ
        self.paper_out_after: int | None = None
        self.silent = False
        self.refusing = False
        self.supports_clear = True
        self.line_seconds = line_seconds
        self._lock = threading.Condition()
        self._received = bytearray()
        self._printed = bytearray()
        self._jobs: deque[tuple[socket.socket, str, bytes]] = deque()  # (conn, kind, bytes)
        self.cuts = 0  # tickets cut off whole
        self.clears = 0  # buffer clears obeyed
        self.connections = 0
        self.queries: list[int] = []  # n of every DLE EOT n seen
        self._server = socket.create_server((host, port))
        self._server.settimeout(0.05)  # so the accept loop notices stop()
        self.host, self.port = self._server.getsockname()[:2]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._accepter = threading.Thread(target=self._accept_loop, name="printer-emulator")
        self._engine = threading.Thread(target=self._print_loop, name="printer-emulator-engine")

    @property
    def url(self) -> str:
        """The device URL that reaches this emulator."""
        return f"tcp://{self.host}:{self.port}"

    @property
    def received(self) -> bytes:
        """Every byte received so far, from all connections, in order of arrival."""
        with self._lock:
            return bytes(self._received)

    @property
    def printed(self) -> bytes:
        """The bytes that reached the paper (not status requests, not what was cleared)."""
        with self._lock:
            return bytes(self._printed)

    @property
    def buffered(self) -> int:
        """Bytes waiting in the print buffer."""
        with self._lock:
            return sum(len(data) for _, _, data in self._jobs)

    def clear(self) -> None:
        """Forget what was received and printed."""
        with self._lock:
            self._received.clear()
            self._printed.clear()
            self.queries.clear()

    def set_paper(self, paper: str) -> None:
        """Set the paper sensor: "ok", "low" or "out"."""
        if paper not in _PAPER:
            raise ValueError(f"paper must be one of {', '.join(_PAPER)}, got {paper!r}")
        with self._lock:
            self.paper = paper
            if paper != "out":
                self.paper_out_after = None
            self._lock.notify_all()

    def resume(self) -> None:
        """Wake the print engine after a state change made by setting attributes."""
        with self._lock:
            self._lock.notify_all()

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait until the buffer is empty or the engine is stalled; True if empty."""
        end = time.monotonic() + timeout
        with self._lock:
            while self._jobs and not self._stalled() and time.monotonic() < end:
                self._lock.wait(0.01)
            return not self._jobs

    def start(self) -> PrinterEmulator:
        """Start serving in background threads."""
        self._accepter.start()
        self._engine.start()
        return self

    def stop(self) -> None:
        """Stop serving, close every connection and join every thread."""
        self._stop.set()
        with self._lock:
            self._lock.notify_all()
        if self._accepter.is_alive():
            self._accepter.join()
        if self._engine.is_alive():
            self._engine.join()
        for t in self._threads:
            t.join()
        self._server.close()

    def __enter__(self) -> PrinterEmulator:
        return self.start()

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # ------------------------------------------------------------ status

    def _stalled(self) -> bool:
        return not self.online or self.paper == "out" or self.cover_open or self.cutter_error

    def _answer(self, n: int) -> bytes:
        if n == 1:
            # Paper end shows in n=2 and n=4 only (the tests of old expect n=1 online).
            offline = not self.online or self.cover_open or self.cutter_error
            return bytes([_BASE | (0x08 if offline else 0)])
        if n == 2:
            cause = (0x04 if self.cover_open else 0) | (0x20 if self.paper == "out" else 0)
            return bytes([_BASE | cause | (0x40 if self.cutter_error else 0)])
        if n == 3:
            return bytes([_BASE | (0x08 if self.cutter_error else 0)])
        if n == 4:
            return bytes([_PAPER[self.paper]])
        return b""  # not a DLE EOT a printer answers

    def _transmit_status(self) -> int:
        """GS r 1: the paper sensors, bits 0-1 near end, bits 2-3 end."""
        return {"ok": 0x00, "low": 0x03, "out": 0x0F}[self.paper]

    # ------------------------------------------------------------ serving

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

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(0.05)
        pending = b""  # the tail of a command split across two reads
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
                    replies, pending = self._take(conn, pending + chunk)
                    self._lock.notify_all()
                if replies and not self.silent:
                    with contextlib.suppress(OSError):
                        conn.sendall(replies)

    def _take(self, conn: socket.socket, data: bytes) -> tuple[bytes, bytes]:
        """Act on real-time commands, queue the rest; (replies, unfinished tail). Lock held."""
        replies = bytearray()
        plain = bytearray()
        i = 0
        while i < len(data):
            b = data[i]
            if b == 0x10:  # DLE: real time
                if i + 2 >= len(data) and data[i + 1 : i + 2] in (b"", b"\x04", b"\x05"):
                    return bytes(replies), self._queue(conn, plain, data[i:])
                cmd = data[i + 1]
                if cmd == 0x04:
                    self.queries.append(data[i + 2])
                    replies += self._answer(data[i + 2])
                    i += 3
                    continue
                if cmd == 0x05:
                    if data[i + 2] == 2 and self.supports_clear and self.cutter_error:
                        self._jobs.clear()
                        plain.clear()
                        self.clears += 1
                    if data[i + 2] in (1, 2) and self.supports_clear:
                        self.cutter_error = False
                    i += 3
                    continue
                if cmd == 0x14:
                    if len(data) - i < len(CLEAR_BUFFERS):
                        return bytes(replies), self._queue(conn, plain, data[i:])
                    if data[i : i + len(CLEAR_BUFFERS)] == CLEAR_BUFFERS and self.supports_clear:
                        self._jobs.clear()
                        plain.clear()
                        self.clears += 1
                        replies += CLEAR_RESPONSE
                    i += len(CLEAR_BUFFERS)
                    continue
            plain.append(b)
            i += 1
        return bytes(replies), self._queue(conn, plain, b"")

    def _queue(self, conn: socket.socket, plain: bytearray, tail: bytes) -> bytes:
        """Split buffered bytes into print jobs: lines, cuts, GS r requests. Lock held."""
        data = bytes(plain)
        start = i = 0
        while i < len(data):
            b = data[i]
            if b == 0x1D and i + 1 < len(data) and data[i + 1] in (0x72, 0x56):
                size = 3
                if data[i + 1] == 0x56 and i + 2 < len(data) and data[i + 2] in (65, 66, 97, 98):
                    size = 4
                if i + size > len(data):
                    return data[i:] + tail  # command cut short: wait for the rest
                if i > start:
                    self._jobs.append((conn, "data", data[start:i]))
                kind = "status" if data[i + 1] == 0x72 else "cut"
                self._jobs.append((conn, kind, data[i : i + size]))
                i += size
                start = i
            elif b == 0x0A:
                self._jobs.append((conn, "data", data[start : i + 1]))
                i += 1
                start = i
            else:
                i += 1
        keep = b""
        if data[start:].endswith(b"\x1d"):  # maybe the start of GS r or GS V
            data, keep = data[:-1], b"\x1d"
        if start < len(data):
            self._jobs.append((conn, "data", data[start:]))
        return keep + tail

    def _print_loop(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                if not self._jobs or self._stalled():
                    self._lock.wait(0.05)
                    continue
                conn, kind, data = self._jobs[0]
                reply = b""
                if kind == "status":
                    self._jobs.popleft()
                    reply = bytes([self._transmit_status()])
                elif kind == "cut":
                    if self.cutter_jam:
                        self.cutter_jam, self.cutter_error = False, True
                        continue
                    self._jobs.popleft()
                    self._printed += data
                    self.cuts += 1
                else:
                    left = self.paper_out_after
                    if left is not None and left < len(data):
                        # The roll ends inside this line: part of it prints, the rest waits.
                        self._printed += data[:left]
                        self._jobs[0] = (conn, kind, data[left:])
                        self.paper_out_after = None
                        self.paper = "out"
                        continue
                    self._jobs.popleft()
                    self._printed += data
                    if left is not None:
                        self.paper_out_after = left - len(data)
                self._lock.notify_all()
            if reply and not self.silent:
                with contextlib.suppress(OSError):
                    conn.sendall(reply)
            if kind == "data" and data.endswith(b"\n") and self.line_seconds:
                self._stop.wait(self.line_seconds)


def main(argv: list[str] | None = None) -> int:
    """Run the emulator in the foreground, taking state changes from stdin."""
    ap = argparse.ArgumentParser(description="ESC/POS printer emulator (TCP)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=9100)
    ap.add_argument("--paper", choices=sorted(_PAPER), default="ok")
    ap.add_argument("--offline", action="store_true")
    ap.add_argument("--silent", action="store_true")
    ap.add_argument("--line-ms", type=float, default=10.0, help="print time per line (ms)")
    args = ap.parse_args(argv)
    emu = PrinterEmulator(args.host, args.port, line_seconds=args.line_ms / 1000)
    emu.set_paper(args.paper)
    emu.online, emu.silent = not args.offline, args.silent
    print(f"printer emulator on {emu.url}; commands: paper ok|low|out, online, offline, "
          "cover open|closed, jam, runout N, silent, refuse, normal, show", flush=True)  # fmt: skip
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
        case ["cover", "open" | "closed" as s]:
            emu.cover_open = s == "open"
        case ["jam"]:
            emu.cutter_jam = True
        case ["runout", n] if n.isdigit():
            emu.paper_out_after = int(n)
        case ["silent"]:
            emu.silent = True
        case ["refuse"]:
            emu.refusing = True
        case ["normal"]:
            emu.online, emu.silent, emu.refusing = True, False, False
            emu.cover_open = emu.cutter_jam = emu.cutter_error = False
            emu.set_paper("ok")
        case ["show"] | []:
            pass
        case _:
            print(f"unknown command: {' '.join(words)}", flush=True)
            return
    emu.resume()
    print(
        f"online={emu.online} paper={emu.paper} cover_open={emu.cover_open} "
        f"cutter_error={emu.cutter_error} silent={emu.silent} refusing={emu.refusing} "
        f"connections={emu.connections} bytes={len(emu.received)} buffered={emu.buffered}",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
