"""Device URLs, and the other python-escpos transports: a serial pty printer and a device file."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.base import ConfigError, HealthState
from drivers.printer import PrinterOffline, PrinterTimeout, TicketPrint, open_printer
from drivers.printer.layout import PAPER_58
from drivers.printer.printer import EscposTicketPrinter

from .escpos_parse import parse


@pytest.mark.parametrize(
    "url",
    [
        "lpt://1",
        "no-scheme",
        "tcp://:9100",
        "tcp://127.0.0.1:9100?width=76",
        "tcp://127.0.0.1:9100?timeout=0",
        "tcp://127.0.0.1:9100?timeout=soon",
        "tcp://127.0.0.1:9100?chinese=maybe",
        "serial://",
        "usb://zz:11",
        "usb://0416",
        "file://",
    ],
)
def test_bad_urls_are_config_errors(url: str) -> None:
    with pytest.raises(ConfigError):
        open_printer(url)


def test_usb_needs_pyusb() -> None:
    from escpos.printer import Usb

    if Usb.is_usable():
        printer = open_printer("usb://0416:5011")
        assert isinstance(printer, EscposTicketPrinter)
    else:
        with pytest.raises(ConfigError, match="pyusb"):
            open_printer("usb://0416:5011")


def test_options_override_the_url() -> None:
    printer = open_printer("tcp://127.0.0.1:9100?width=80&timeout=3", width=58, timeout=1.5)
    assert isinstance(printer, EscposTicketPrinter)
    assert printer.paper is PAPER_58 and printer.timeout == 1.5
    assert printer.require_status and printer.chinese_mode


def test_file_printer_prints_blind(tmp_path: Path, ticket: TicketPrint) -> None:
    device = tmp_path / "lp0"
    device.touch()
    printer = open_printer(f"file://{device}?chinese=0")
    health = printer.status()
    assert (health.state, health.code) == (HealthState.UNKNOWN, "no_status_channel")
    printer.print_ticket(ticket)
    parsed = parse(device.read_bytes())
    assert [q.payload for q in parsed.qr_codes] == [ticket.qr_payload]
    assert not any(line.chinese_mode for line in parsed.lines)


def test_missing_device_file_is_offline(tmp_path: Path, ticket: TicketPrint) -> None:
    printer = open_printer(f"file://{tmp_path}/missing/lp0")
    with pytest.raises(PrinterOffline):
        printer.print_ticket(ticket)


class PtyPrinter:
    """A serial printer on the far side of a pseudo-terminal, answering DLE EOT and GS r 1
    unless silent."""

    def __init__(self, silent: bool) -> None:
        self.master, slave = os.openpty()
        self.path = os.ttyname(slave)
        self._slave = slave  # kept open so the pty survives between driver calls
        self.silent = silent
        self.received = bytearray()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)
        os.set_blocking(self.master, False)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                chunk = os.read(self.master, 4096)
            except BlockingIOError:
                time.sleep(0.01)
                continue
            except OSError:
                return
            self.received += chunk
            if not self.silent:
                # DLE EOT: status at once; GS r 1 (sent behind a ticket): printed, paper OK.
                os.write(self.master, b"\x12" * chunk.count(b"\x10\x04"))
                os.write(self.master, b"\x00" * chunk.count(b"\x1dr\x01"))

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        os.close(self.master)
        os.close(self._slave)


@pytest.fixture(params=[False, True], ids=["answering", "silent"])
def pty_printer(request: pytest.FixtureRequest) -> Iterator[PtyPrinter]:
    p = PtyPrinter(silent=request.param)
    yield p
    p.close()


def test_serial_printer(pty_printer: PtyPrinter, ticket: TicketPrint) -> None:
    printer = open_printer(f"serial://{pty_printer.path}?baud=9600&timeout=0.5")
    start = time.monotonic()
    health = printer.status()
    if pty_printer.silent:
        # A silent serial line reads b"": that is "unknown", never "paper OK".
        assert health.state is HealthState.UNKNOWN
        with pytest.raises(PrinterTimeout):
            printer.print_ticket(ticket)
        assert time.monotonic() - start < 1.5
        assert b"A023" not in pty_printer.received
    else:
        assert health.state is HealthState.OK
        printer.print_ticket(ticket)
        deadline = time.monotonic() + 2
        while b"\x1dV\x00" not in pty_printer.received and time.monotonic() < deadline:
            time.sleep(0.01)
        assert [q.payload for q in parse(bytes(pty_printer.received)).qr_codes] == [
            ticket.qr_payload
        ]


def test_missing_serial_port_is_offline(ticket: TicketPrint) -> None:
    printer = open_printer("serial:///dev/ttyNOPE0?timeout=0.5")
    assert printer.status().state is HealthState.OFFLINE
    with pytest.raises(PrinterOffline):
        printer.print_ticket(ticket)
