"""Barcode/QR scanners for booking and ticket codes at the kiosk.

Two kinds:

- keyboard-wedge (USB HID) scanners type the code into the kiosk window: the kiosk
  feeds its key events to ``wedge.WedgeDecoder``; no URL, nothing to open.
- serial scanners (RS-232, or USB in virtual COM mode) through pyserial::

      serial:///dev/ttyACM0?baudrate=9600   a real scanner
      sim://scanner                         in-process simulator (demo, tests)

``open_scanner(url)`` gives an object with ``read_code(timeout) -> str | None``,
``health()`` and ``close()``. What a code holds is checked by ``codes.parse_code``.
"""

from __future__ import annotations

from typing import Protocol

from drivers.base import ConfigError, Health, parse_device_url
from drivers.scanner.codes import ScannedCode, parse_code
from drivers.scanner.wedge import WedgeDecoder

__all__ = ["ScannedCode", "Scanner", "WedgeDecoder", "open_scanner", "parse_code"]


class Scanner(Protocol):
    """A scanner that delivers codes to whoever asks."""

    def read_code(self, timeout: float = 1.0) -> str | None: ...
    def health(self) -> Health: ...
    def close(self) -> None: ...


def open_scanner(url: str) -> Scanner:
    """The scanner a device URL names; ConfigError if the URL is wrong."""
    u = parse_device_url(url, allowed=("serial", "sim"))
    if u.scheme == "sim":
        if u.host != "scanner":
            raise ConfigError(f"{url}: the simulated scanner is sim://scanner")
        from drivers.scanner.sim import SimScanner

        return SimScanner()
    unknown = set(u.params) - {"baudrate", "baud"}
    if unknown:
        raise ConfigError(f"{url}: unknown options {', '.join(sorted(unknown))}")
    if u.host or not u.path:
        raise ConfigError(f"{url}: expected serial:///dev/ttyXXX (three slashes, a path)")
    from drivers.scanner.serial_scanner import SerialScanner

    return SerialScanner(u.path, baudrate=u.int_param("baudrate", u.int_param("baud", 9600)))
