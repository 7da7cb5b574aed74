"""A simulated serial scanner: writes codes, as a scanner would, to the far end of a pty.

``python -m drivers.scanner.sim PTY CODE [CODE ...] [--suffix cr|lf|crlf] [--gap 0.5]``
sends each code to ``PTY`` (the far end of a ``socat`` pair whose other end the
kiosk opens as ``serial://...``). ``SimScanner`` is the in-process ``sim://scanner``.
"""

from __future__ import annotations

import argparse
import queue
import sys
import time

import serial

from drivers.base import DeviceUnavailable, Health, HealthState

SUFFIXES = {"cr": b"\r", "lf": b"\n", "crlf": b"\r\n"}


def scan_bytes(code: str, suffix: str = "cr") -> bytes:
    """The bytes a scanner sends for `code`."""
    return code.encode("utf-8") + SUFFIXES[suffix]


class SimScanner:
    """``sim://scanner``: codes handed to ``scan`` come out of ``read_code``."""

    def __init__(self) -> None:
        self._codes: queue.Queue[str] = queue.Queue()
        self._closed = False

    def scan(self, code: str) -> None:
        """A code passes under the scanner."""
        self._codes.put(code)

    def read_code(self, timeout: float = 1.0) -> str | None:
        if self._closed:
            raise DeviceUnavailable("simulated scanner is closed")
        try:
            return self._codes.get(timeout=timeout)
        except queue.Empty:
            return None

    def health(self) -> Health:
        return Health(HealthState.OK, "扫码器（模拟）就绪", "ok")

    def close(self) -> None:
        self._closed = True


def main(argv: list[str] | None = None) -> int:
    """Send codes to a pty as a serial scanner would."""
    ap = argparse.ArgumentParser(prog="python -m drivers.scanner.sim", description=__doc__)
    ap.add_argument("pty")
    ap.add_argument("codes", nargs="+")
    ap.add_argument("--suffix", choices=sorted(SUFFIXES), default="cr")
    ap.add_argument("--gap", type=float, default=0.5, help="seconds between codes")
    args = ap.parse_args(argv)
    try:
        port = serial.serial_for_url(args.pty, baudrate=9600)
    except serial.SerialException as e:
        print(f"scanner sim: cannot open {args.pty}: {e}", file=sys.stderr)
        return 1
    with port:
        for i, code in enumerate(args.codes):
            if i:
                time.sleep(args.gap)
            port.write(scan_bytes(code, args.suffix))
            port.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
