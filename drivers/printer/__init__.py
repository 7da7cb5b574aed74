"""Ticket printers: ``open_printer(url)`` picks the transport from a device URL.

=====================================  ========================================
``tcp://HOST:9100?timeout=3&width=80``  network printer (python-escpos Network)
``serial:///dev/ttyS0?baudrate=19200``  serial printer (``baud`` works too; default 9600)
``usb://0416:5011?in=0x81&out=0x03``    USB printer through pyusb, VID:PID in hex;
                                       ``interface`` (default 0), ``in`` and ``out``
                                       endpoints (default: its bulk ones); opened
                                       once and kept (``drivers.printer.usb``)
``file:///dev/usb/lp0``                 write-only device file (no status)
``sim://printer?out=DIR&paper=ok``      SimPrinter: PNG per ticket, no hardware
=====================================  ========================================

Common options: ``width`` (58 or 80 mm, default 80), ``timeout`` (seconds,
default 3), ``confirm`` (seconds a ticket may take to come out, default 10: the
printer answers a ``GS r 1`` sent behind each ticket once it has printed it),
``charset`` (what the printer's font holds: ``gb2312``, the default, or ``gb18030``;
other characters become safe equivalents, "-" for "–"), ``chinese=0`` to skip ``FS &``, ``status=0`` to print even when
the printer does not answer status queries (the default for ``file://``).
Keyword arguments override the URL's options.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from drivers.base import ConfigError, DeviceURL, parse_device_url
from drivers.printer.charset import DEFAULT_CHARSET, check_charset
from drivers.printer.escpos_lib import DeviceNotFoundError, Escpos, File, Network, Serial
from drivers.printer.layout import Paper, paper_for_width
from drivers.printer.printer import (
    CoverOpen,
    CutterError,
    EscposTicketPrinter,
    PaperOut,
    PrinterError,
    PrinterOffline,
    PrinterTimeout,
    TicketPrinter,
)
from drivers.printer.ticket import TicketPrint

__all__ = [
    "CoverOpen",
    "CutterError",
    "PaperOut",
    "PrinterError",
    "PrinterOffline",
    "PrinterTimeout",
    "TicketPrint",
    "TicketPrinter",
    "open_printer",
]

SCHEMES = ("tcp", "serial", "usb", "file", "sim")
Connect = Callable[[float], Escpos]  # timeout -> an unopened python-escpos printer


class _Network(Network):
    """python-escpos' Network, with two fixes.

    A closed connection is an error, not "no answer"; and a failed connect
    closes its socket (python-escpos 3.1 leaks it, a ResourceWarning).
    """

    def open(self, raise_not_found: bool = True) -> None:
        if self._device:
            self.close()
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        except OSError as e:
            self.device = None
            raise DeviceNotFoundError(f"cannot connect to {self.host}:{self.port}: {e}") from e
        self.device = sock

    def _read(self) -> bytes:
        data: bytes = super()._read()  # recv() gives b"" once the printer has closed
        if not data:
            raise ConnectionResetError("printer closed the connection")
        return data


def _tcp(url: DeviceURL) -> Connect:
    if not url.host:
        raise ConfigError(f"{url.raw}: tcp:// needs a host, e.g. tcp://192.168.1.50:9100")

    return lambda timeout: _Network(url.host, url.port or 9100, timeout=timeout)


class _Serial(Serial):
    """python-escpos' Serial, reading what has arrived instead of waiting for 16 bytes.

    Its ``read(16)`` blocks for the whole timeout on every status query,
    since a printer answers one byte.
    """

    def _read(self) -> bytes:
        dev: Any = self.device
        data: bytes = dev.read(1)
        if data and dev.in_waiting:
            data += dev.read(dev.in_waiting)
        return data


def _serial(url: DeviceURL) -> Connect:
    if not url.path:
        raise ConfigError(f"{url.raw}: serial:// needs a device, e.g. serial:///dev/ttyUSB0")
    baud = url.int_param("baudrate", url.int_param("baud", 9600))
    return lambda timeout: _Serial(devfile=url.path, baudrate=baud, timeout=timeout)


def _usb(url: DeviceURL) -> Connect:
    raw = url.raw
    ids = urlsplit(raw).netloc
    try:
        vid, pid = (int(x, 16) for x in ids.split(":"))
    except ValueError as e:
        raise ConfigError(f"{raw}: usb:// needs VID:PID in hex, e.g. usb://0416:5011") from e
    if not (0 <= vid <= 0xFFFF and 0 <= pid <= 0xFFFF):
        raise ConfigError(f"{raw}: VID and PID are 4 hex digits each")
    interface = url.int_param("interface", 0)
    endpoints = {}
    for key in ("in", "out"):
        if url.param(key) is not None:
            ep = url.int_param(key, 0)
            if not 0 < ep <= 0xFF or (ep & 0x80 == 0) is (key == "in"):
                raise ConfigError(f"{raw}: {key}=0x{ep:02x} is not a USB {key.upper()} endpoint")
            endpoints[f"{key}_ep"] = ep
    from drivers.printer.usb import UsbPrinter  # imports pyusb only when a USB printer is used

    return lambda timeout: UsbPrinter(vid, pid, interface=interface, timeout=timeout, **endpoints)


def _file(url: DeviceURL) -> Connect:
    if not url.path:
        raise ConfigError(f"{url.raw}: file:// needs a path, e.g. file:///dev/usb/lp0")
    return lambda timeout: File(devfile=url.path)


def _flag(params: dict[str, str], key: str, default: bool, raw: str) -> bool:
    text = params.get(key, "1" if default else "0").lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{raw}: option {key}={text!r} should be 0 or 1")


def _parse(url: str) -> DeviceURL:
    if url.lower().startswith("usb://"):
        # Not through parse_device_url: "0416:5011" is VID:PID in hex, not host:port.
        query = parse_qsl(urlsplit(url).query, keep_blank_values=True)
        return DeviceURL("usb", "", None, "", dict(query), url)
    return parse_device_url(url, SCHEMES)


def open_printer(url: str, **options: Any) -> TicketPrinter:
    """The ticket printer a device URL names; ConfigError for anything malformed or unknown.

    ``options`` (``width=58``, ``timeout=2``, ``out=...``) override the URL's query.
    """
    parsed = _parse(url)
    params = {**parsed.params, **{k: str(v) for k, v in options.items()}}
    dev = DeviceURL(parsed.scheme, parsed.host, parsed.port, parsed.path, params, url)
    try:
        paper: Paper = paper_for_width(dev.int_param("width", 80))
    except ValueError as e:
        raise ConfigError(f"{url}: {e}") from e
    if dev.scheme == "sim":
        from drivers.printer.sim import SimPrinter

        state = dev.param("paper") or "ok"
        try:
            sim_charset = check_charset(dev.param("charset") or DEFAULT_CHARSET)
        except ValueError as e:
            raise ConfigError(f"{url}: {e}") from e
        return SimPrinter(dev.param("out"), paper=paper, state=state, font_path=dev.param("font"),
                          charset=sim_charset)  # fmt: skip
    timeout = dev.float_param("timeout", 3.0)
    if not 0 < timeout <= 60:
        raise ConfigError(f"{url}: timeout must be between 0 and 60 seconds")
    confirm = dev.float_param("confirm", 10.0)
    if not 0 < confirm <= 120:
        raise ConfigError(f"{url}: confirm must be between 0 and 120 seconds")
    try:
        charset = check_charset(dev.param("charset") or DEFAULT_CHARSET)
    except ValueError as e:
        raise ConfigError(f"{url}: {e}") from e
    transports = {"tcp": _tcp, "serial": _serial, "file": _file, "usb": _usb}
    return EscposTicketPrinter(
        transports[dev.scheme](dev),
        paper=paper,
        timeout=timeout,
        confirm_timeout=confirm,
        charset=charset,
        chinese_mode=_flag(params, "chinese", True, url),
        # A file:// device cannot answer status queries: printing blind is all it can do.
        require_status=_flag(params, "status", dev.scheme != "file", url),
        name=url,
    )
