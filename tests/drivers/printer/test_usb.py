"""USB printers through pyusb's own interface, with a fake backend standing for the device.

The fake backend (``fake_usb``) is pyusb's ``IBackend``: pyusb's ``find``, ``Device``,
``claim_interface`` and bulk transfers run for real above it; below it, the TCP
printer emulator prints and answers.
"""

from __future__ import annotations

import time

import pytest

from drivers.base import ConfigError, HealthState
from drivers.printer import PaperOut, PrinterOffline, PrinterTimeout, TicketPrint, open_printer
from drivers.printer.emulator import PrinterEmulator
from drivers.printer.printer import EscposTicketPrinter
from drivers.printer.usb import UsbPrinter

from .conftest import make_ticket
from .escpos_parse import parse
from .fake_usb import FakePrinterBackend


def usb_printer(url: str, backend: FakePrinterBackend) -> EscposTicketPrinter:
    """open_printer for a usb:// URL, with pyusb pointed at the fake backend."""
    printer = open_printer(url)
    assert isinstance(printer, EscposTicketPrinter)
    make = printer._connect

    def connect(timeout: float) -> UsbPrinter:
        transport = make(timeout)
        assert isinstance(transport, UsbPrinter)
        transport.backend = backend
        return transport

    printer._connect = connect
    return printer


@pytest.fixture
def backend(emulator: PrinterEmulator) -> FakePrinterBackend:
    return FakePrinterBackend(emulator, in_ep=0x81, out_ep=0x03)


def test_endpoints_from_the_url(
    backend: FakePrinterBackend, emulator: PrinterEmulator, ticket: TicketPrint
) -> None:
    printer = usb_printer("usb://0416:5011?interface=0&in=0x81&out=0x03&timeout=0.5", backend)
    printer.print_ticket(ticket)
    assert emulator.cuts == 1
    assert [q.payload for q in parse(emulator.printed).qr_codes] == [ticket.qr_payload]
    assert backend.written == emulator.received


def test_opened_once_kept_and_never_reset(
    backend: FakePrinterBackend, emulator: PrinterEmulator
) -> None:
    printer = usb_printer("usb://0416:5011?timeout=0.5", backend)  # endpoints found by type
    for n in range(3):
        printer.print_ticket(make_ticket(number=f"A02{n}"))
        assert printer.status().ok
    assert emulator.cuts == 3
    assert (backend.opens, backend.claims, backend.resets) == (1, 1, 0)
    assert backend.set_configurations == 1  # once, as it came unconfigured
    assert not backend.kernel_driver  # usblp let go
    printer.close()
    assert backend._sock is None  # released on close


def test_a_configured_printer_is_not_configured_again(
    backend: FakePrinterBackend, emulator: PrinterEmulator
) -> None:
    backend.configuration = 1
    printer = usb_printer("usb://0416:5011?timeout=0.5", backend)
    assert printer.status().ok
    assert backend.set_configurations == 0 and backend.resets == 0


def test_a_silent_usb_printer_is_not_answering_not_unplugged(
    backend: FakePrinterBackend, emulator: PrinterEmulator, ticket: TicketPrint
) -> None:
    emulator.silent = True
    printer = usb_printer("usb://0416:5011?timeout=0.3", backend)
    start = time.monotonic()
    health = printer.status()
    assert (health.state, health.code) == (HealthState.UNKNOWN, "no_answer")
    with pytest.raises(PrinterTimeout):  # "打印机无响应", as for TCP and serial
        printer.print_ticket(ticket)
    assert time.monotonic() - start < 1.5
    assert backend.opens == 1  # a timeout keeps the device


def test_faults_over_usb(
    backend: FakePrinterBackend, emulator: PrinterEmulator, ticket: TicketPrint
) -> None:
    emulator.set_paper("out")
    printer = usb_printer("usb://0416:5011?timeout=0.5", backend)
    with pytest.raises(PaperOut):
        printer.print_ticket(ticket)
    emulator.set_paper("ok")
    printer.print_ticket(ticket)
    assert emulator.cuts == 1


def test_unplugged_then_plugged_back(
    backend: FakePrinterBackend, emulator: PrinterEmulator, ticket: TicketPrint
) -> None:
    printer = usb_printer("usb://0416:5011?timeout=0.5", backend)
    assert printer.status().ok
    backend.plugged = False
    assert printer.status().state is HealthState.OFFLINE
    with pytest.raises(PrinterOffline):
        printer.print_ticket(ticket)
    backend.plugged = True
    printer.print_ticket(ticket)
    assert emulator.cuts == 1 and backend.opens == 2


def test_a_wrong_endpoint_in_the_url_says_so(backend: FakePrinterBackend) -> None:
    printer = usb_printer("usb://0416:5011?in=0x82&timeout=0.5", backend)
    health = printer.status()
    assert health.state is HealthState.OFFLINE and health.code == "unreachable"


def test_another_printer_is_not_found(backend: FakePrinterBackend) -> None:
    printer = usb_printer("usb://0fe6:811e?timeout=0.5", backend)
    assert printer.status().code == "unreachable"


@pytest.mark.parametrize(
    "url",
    ["usb://0416:5011?in=0x03", "usb://0416:5011?out=0x81", "usb://0416:5011?in=x",
     "usb://10416:5011"],
)  # fmt: skip
def test_bad_usb_urls(url: str) -> None:
    with pytest.raises(ConfigError):
        open_printer(url)


def test_serial_printer_url_takes_baudrate() -> None:
    printer = open_printer("serial:///dev/ttyS0?baudrate=19200")
    assert isinstance(printer, EscposTicketPrinter)
    transport = printer._connect(1.0)
    assert transport.baudrate == 19200  # type: ignore[attr-defined]
