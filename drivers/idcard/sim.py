"""A GA 467 reader simulator: the reader's side of the protocol, with scripted cards and faults.

``IdCardSimulator`` turns host bytes into reply chunks (pure state machine
plus a lock); ``serve`` runs it over a pty fd or a pyserial port, and
``SimIdCardReader`` runs it in-process behind the real protocol code (the
``sim://idcard`` reader of the demo). As a process::

    python -m drivers.idcard.sim PTY_PATH [--script FILE.json]
"""

from __future__ import annotations

import argparse
import os
import select
import signal
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Protocol

import serial

from drivers.base import DeviceUnavailable, Health, HealthState, Person
from drivers.idcard import protocol as p
from drivers.idcard.reader import ProtocolIdCardReader

FAULT_KINDS = ("garbage", "split", "bad_checksum", "silence", "status")
REMOVALS = ("", "status", "cut")
# Power-up noise with a partial and a false preamble in it: the parser must skip both.
DEFAULT_GARBAGE = bytes.fromhex("00 ff aa aa 96 13 aa aa aa 96 69 ff ff 55")
# Stand-in for the 1024-byte WLT photo; nobody may decode or keep it anyway.
FAKE_PHOTO = bytes((i * 7) & 0xFF for i in range(1024))
SAM_ID = bytes.fromhex("0501 0000 2024 0101 0000 0000 1234 5678")

Chunk = tuple[float, bytes]  # (seconds to wait first, bytes to send)


@dataclass
class SimCard:
    """A card laid on the simulated reader; `remove_mid_read` is "", "status" (41) or "cut"."""

    person: Person | None
    remove_mid_read: str = ""
    read: bool = False  # read once already
    block: bytes = b""  # a raw text block to answer instead of the person's (byte-exact tests)
    sticky: bool = False  # found again after a read, like readers that report a card lying there


@dataclass
class Fault:
    """A scripted misbehaviour for the next reply (to `command`, if given), `times` times."""

    kind: str
    command: str = ""
    status: int = 0x24
    pieces: int = 4
    delay: float = 0.05
    garbage: bytes = DEFAULT_GARBAGE
    times: int = 1

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {self.kind!r}, expected one of {FAULT_KINDS}")


class IdCardSimulator:
    """The reader side of GA 467 over any byte stream. Thread-safe: tap() from anywhere.

    A tapped card waits in a queue; a find takes the next one onto the reader
    (a queued "no card" answers one find with 80). Once read, a card is not
    found again, as a real reader only reports a card anew when it is re-laid;
    so poll() does not read the same card twice, and a retried read still works.
    """

    def __init__(self, *, sam_status: int = p.STATUS_OK) -> None:
        self.sam_status = sam_status
        self.commands: list[str] = []  # names of commands received, for tests
        self._lock = threading.Lock()
        self._parser = p.FrameParser()
        self._queue: deque[SimCard | None] = deque()
        self._present: SimCard | None = None
        self._faults: list[Fault] = []

    def tap(self, person: Person, *, remove_mid_read: str = "") -> None:
        """Queue a card; it is picked up by the next find."""
        if remove_mid_read not in REMOVALS:
            raise ValueError(f"remove_mid_read must be one of {REMOVALS}")
        p.encode_text(person)  # fail here, in the caller, if the card cannot be encoded
        with self._lock:
            self._queue.append(SimCard(person, remove_mid_read))

    def tap_block(self, block: bytes, *, sticky: bool = False) -> None:
        """Queue a card whose text block is given byte for byte (any card type, or garbage).

        A `sticky` card is found again by every find until ``lift()``, as some readers do.
        """
        if len(block) != p.TEXT_LEN:
            raise ValueError(f"a text block is {p.TEXT_LEN} bytes, not {len(block)}")
        with self._lock:
            self._queue.append(SimCard(None, block=bytes(block), sticky=sticky))

    def lift(self) -> None:
        """Take the card lying on the reader away."""
        with self._lock:
            self._present = None

    def no_card(self) -> None:
        """Queue one "no card" answer to a find."""
        with self._lock:
            self._queue.append(None)

    def add_fault(self, fault: Fault) -> None:
        """Misbehave on a coming reply."""
        with self._lock:
            self._faults.append(fault)

    @property
    def card_present(self) -> bool:
        """Whether a card lies on the reader now."""
        with self._lock:
            return self._present is not None

    def receive(self, data: bytes) -> list[Chunk]:
        """Feed host bytes; return what the reader sends back, in timed chunks."""
        out: list[Chunk] = []
        with self._lock:
            self._parser.feed(data)
            while True:
                try:
                    payload = self._parser.next_payload()
                except p.BadChecksum:
                    out += [(0.0, p.build_reply(0x10))]
                    continue
                if payload is None:
                    return out
                out += self._respond(payload)

    def _respond(self, payload: bytes) -> list[Chunk]:
        if len(payload) != 2:
            return [(0.0, p.build_reply(0x11))]
        command = p.parse_command(payload)
        name = p.COMMAND_NAMES.get(command, command.hex())
        self.commands.append(name)
        fault = self._take_fault(name)
        # A silent or failing reader did not act on the command: the card stays put.
        if fault is not None and fault.kind == "silence":
            return []
        if fault is not None and fault.kind == "status":
            return [(0.0, p.build_reply(fault.status))]
        frame = self._answer(command)
        return [(0.0, frame)] if fault is None else _apply(fault, frame)

    def _answer(self, command: bytes) -> bytes:
        if command == p.CMD_SAM_STATUS:
            return p.build_reply(self.sam_status)
        if command == p.CMD_SAM_RESET:
            return p.build_reply(p.STATUS_OK)
        if command == p.CMD_SAM_ID:
            return p.build_reply(p.STATUS_OK, SAM_ID)
        if command == p.CMD_FIND:
            if self._present is not None and self._present.read and not self._present.sticky:
                self._present = None  # read once: a reader reports a card again only when re-laid
            if self._present is None and self._queue:
                self._present = self._queue.popleft()
            if self._present is None:
                return p.build_reply(p.STATUS_NO_CARD)
            return p.build_reply(p.STATUS_CARD_FOUND, bytes(4))
        if command == p.CMD_SELECT:
            if self._present is None:
                return p.build_reply(0x81)
            return p.build_reply(p.STATUS_OK, bytes(8))
        if command == p.CMD_READ:
            return self._read()
        return p.build_reply(0x21)

    def _read(self) -> bytes:
        card = self._present
        if card is None or card.remove_mid_read == "status":
            self._present = None
            return p.build_reply(0x41)
        text = card.block if card.person is None else p.encode_text(card.person)
        data = len(text).to_bytes(2, "big") + len(FAKE_PHOTO).to_bytes(2, "big")
        frame = p.build_reply(p.STATUS_OK, data + text + FAKE_PHOTO)
        if card.remove_mid_read == "cut":
            self._present = None
            return frame[: len(frame) // 2]  # the field dropped halfway through the reply
        card.read = True
        return frame

    def _take_fault(self, name: str) -> Fault | None:
        for fault in self._faults:
            if fault.command in ("", name):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def serve(
        self, stream: int | serial.Serial, stop: threading.Event, *, baud: int | None = None
    ) -> None:
        """Answer on a pty fd or an open pyserial port until `stop` is set or the line dies.

        A pty passes bytes at once; with `baud`, each reply takes as long as it would on
        a serial line at that speed (10 bits a byte, 8N1), as a real reader's does.
        """
        s: _Stream = _FdStream(stream) if isinstance(stream, int) else _PortStream(stream)
        try:
            while not stop.is_set():
                data = s.read_some(0.05)
                for delay, chunk in self.receive(data) if data else []:
                    if baud:
                        delay += len(chunk) * 10 / baud
                    if delay and stop.wait(delay):
                        return
                    s.write(chunk)
        except (OSError, serial.SerialException):
            return  # the other end went away: nothing left to answer


def _apply(fault: Fault, frame: bytes) -> list[Chunk]:
    if fault.kind == "garbage":
        return [(0.0, fault.garbage + frame)]
    if fault.kind == "split":
        size = max(1, -(-len(frame) // fault.pieces))
        parts = [frame[i : i + size] for i in range(0, len(frame), size)]
        return [(0.0 if i == 0 else fault.delay, part) for i, part in enumerate(parts)]
    if fault.kind == "bad_checksum":
        return [(0.0, frame[:-1] + bytes([frame[-1] ^ 0xFF]))]
    raise AssertionError(f"fault {fault.kind} is handled before answering")


class _Stream(Protocol):
    def read_some(self, wait: float) -> bytes: ...
    def write(self, data: bytes) -> None: ...


class _FdStream:
    def __init__(self, fd: int) -> None:
        self.fd = fd

    def read_some(self, wait: float) -> bytes:
        ready, _, _ = select.select([self.fd], [], [], wait)
        return os.read(self.fd, 4096) if ready else b""

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view) :]


class _PortStream:
    def __init__(self, port: serial.Serial) -> None:
        self.port = port

    def read_some(self, wait: float) -> bytes:
        self.port.timeout = wait
        data = bytes(self.port.read(1))
        if data and self.port.in_waiting:
            data += self.port.read(self.port.in_waiting)
        return data

    def write(self, data: bytes) -> None:
        self.port.write(data)


class SimIdCardReader(ProtocolIdCardReader):
    """The ``sim://idcard`` reader: real protocol code talking to an in-process simulator.

    No serial port and no thread: replies are queued with their release
    times and `_receive` sleeps until they are due, so split frames, silence
    and timeouts behave as on a wire. Call `tap(person)` to lay a card on it.
    """

    def __init__(
        self, simulator: IdCardSimulator | None = None, *, reply_timeout: float = 2.0
    ) -> None:
        super().__init__(reply_timeout)
        self.simulator = simulator or IdCardSimulator()
        self._inbox: deque[tuple[float, bytes]] = deque()
        self._closed = False

    def tap(self, person: Person, *, remove_mid_read: str = "") -> None:
        """Lay a card on the simulated reader (the demo's "citizen taps the card")."""
        self.simulator.tap(person, remove_mid_read=remove_mid_read)

    def _send(self, data: bytes, timeout: float) -> None:
        self._check_open()
        due = time.monotonic()
        for delay, chunk in self.simulator.receive(data):
            due += delay
            self._inbox.append((due, chunk))

    def _receive(self, size: int, timeout: float) -> bytes:
        end = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            if self._inbox and self._inbox[0][0] <= now:
                due, chunk = self._inbox.popleft()
                if len(chunk) > size:
                    self._inbox.appendleft((due, chunk[size:]))
                return chunk[:size]
            if now >= end:
                return b""
            time.sleep(min(end, self._inbox[0][0] if self._inbox else end) - now)

    def _discard_input(self) -> None:
        self._check_open()
        self._inbox.clear()

    def health(self, timeout: float = 1.0) -> Health:
        """The simulator's answer, which says it is one when it works: never 身份证读卡器正常."""
        h = super().health(timeout)
        return Health(HealthState.OK, "模拟身份证读卡器", "sim") if h.ok else h

    def _check_open(self) -> None:
        if self._closed:
            raise DeviceUnavailable("simulated ID-card reader is closed")

    def close(self) -> None:
        """Mark the reader closed; later calls raise DeviceUnavailable."""
        self._closed = True


def main(argv: list[str] | None = None) -> int:
    """Serve a simulated reader on a pty (the far end of a socat pair) until SIGTERM/SIGINT."""
    from drivers.idcard.scripts import load_script  # scripts imports this module

    ap = argparse.ArgumentParser(prog="python -m drivers.idcard.sim", description=__doc__)
    ap.add_argument("pty", help="serial device to answer on, e.g. /tmp/x/sim")
    ap.add_argument("--script", help="JSON file with cards and faults (see drivers.idcard.scripts)")
    args = ap.parse_args(argv)
    sim = IdCardSimulator()
    if args.script:
        load_script(sim, args.script)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    try:
        port = serial.serial_for_url(args.pty, baudrate=115200, timeout=0.05)
    except serial.SerialException as e:
        print(f"idcard sim: cannot open {args.pty}: {e}", file=sys.stderr)
        return 1
    print(f"idcard sim: answering on {args.pty}", file=sys.stderr, flush=True)
    with port:
        sim.serve(port, stop)
    return 0


if __name__ == "__main__":
    # Run the canonical module's main, so that scripts.py (which imports
    # drivers.idcard.sim) and this process share one IdCardSimulator class.
    from drivers.idcard.sim import main as _main

    sys.exit(_main())
