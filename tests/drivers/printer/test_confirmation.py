"""Printed-ticket confirmation: GS r 1 after each ticket, faults told apart, no half tickets.

Against the TCP emulator, which prints at a set speed, answers GS r only when it
reaches it in its buffer, stalls on a fault with the rest of the buffer kept, and
goes on printing it once the fault is cleared, unless the host cleared the buffer.
"""

from __future__ import annotations

import threading
import time

import pytest

from drivers.base import HealthState
from drivers.printer import (
    CoverOpen,
    CutterError,
    PaperOut,
    PrinterOffline,
    PrinterTimeout,
    TicketPrint,
    open_printer,
)
from drivers.printer import escpos as proto
from drivers.printer.emulator import PrinterEmulator
from drivers.printer.printer import EscposTicketPrinter

from .conftest import make_ticket
from .escpos_parse import ClearBuffers, Cut, Recover, StatusQuery, TransmitStatus, parse


def printer_for(emu: PrinterEmulator, confirm: float = 3.0) -> EscposTicketPrinter:
    p = open_printer(f"{emu.url}?timeout=0.5&confirm={confirm}")
    assert isinstance(p, EscposTicketPrinter)
    return p


def until(cond: object, seconds: float = 2.0) -> bool:
    """Wait for a condition the emulator's threads will make true (the clear is in flight)."""
    deadline = time.monotonic() + seconds
    while not cond() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.01)
    return bool(cond())  # type: ignore[operator]


def settle(emu: PrinterEmulator, seconds: float = 0.3) -> None:
    """Give the emulator's engine time to print whatever it still would."""
    time.sleep(seconds)
    emu.wait_idle(2.0)


def test_the_call_returns_once_the_ticket_is_out(ticket: TicketPrint) -> None:
    with PrinterEmulator(line_seconds=0.02) as emu:
        start = time.monotonic()
        printer_for(emu).print_ticket(ticket)
        took = time.monotonic() - start
        assert emu.cuts == 1  # already cut when the call returned
        lines = sum(1 for e in parse(emu.printed).events if type(e).__name__ == "Line")
        assert took >= lines * 0.02 * 0.9, (took, lines)


def test_a_ticket_that_does_not_come_out_in_time_is_not_confirmed(ticket: TicketPrint) -> None:
    with PrinterEmulator(line_seconds=0.2) as emu:
        printer = printer_for(emu, confirm=0.3)
        with pytest.raises(PrinterTimeout):
            printer.print_ticket(ticket)
        settle(emu)
        assert emu.cuts == 0 and emu.buffered == 0 and emu.clears >= 1


def test_paper_running_out_mid_ticket_never_prints_the_rest(ticket: TicketPrint) -> None:
    with PrinterEmulator(line_seconds=0.005) as emu:
        emu.paper_out_after = 60
        printer = printer_for(emu)
        with pytest.raises(PaperOut) as info:
            printer.print_ticket(ticket)
        assert "打印纸用完" in info.value.user_message
        assert printer.last_health.code == "paper_out"
        half = emu.printed
        assert len(half) == 60 and until(lambda: emu.buffered == 0)
        emu.set_paper("ok")  # the clerk puts a new roll in
        settle(emu)
        assert emu.printed == half and emu.cuts == 0  # the rest of that ticket is gone
        emu.clear()
        printer.print_ticket(make_ticket(number="A024"))
        assert emu.cuts == 1
        events = parse(emu.received).events
        assert events[:2] == [Recover(2), ClearBuffers()]  # cleared again before the next one
        assert "A024" in parse(emu.printed).text


def test_without_a_buffer_clear_the_half_ticket_would_print(ticket: TicketPrint) -> None:
    """The control case: a printer that ignores the clear finishes the old ticket on refill."""
    with PrinterEmulator(line_seconds=0.005) as emu:
        emu.supports_clear = False
        emu.paper_out_after = 60
        with pytest.raises(PaperOut):
            printer_for(emu).print_ticket(ticket)
        emu.set_paper("ok")
        settle(emu)
        assert emu.cuts == 1  # what the clear prevents on printers that have it


def test_cover_opened_mid_ticket_is_named(ticket: TicketPrint) -> None:
    with PrinterEmulator(line_seconds=0.03) as emu:
        printer = printer_for(emu)
        opener = threading.Timer(0.1, lambda: setattr(emu, "cover_open", True))
        opener.start()
        try:
            with pytest.raises(CoverOpen) as info:
                printer.print_ticket(ticket)
        finally:
            opener.join()
        assert "盖" in info.value.user_message
        assert (printer.last_health.code, printer.last_health.state) == (
            "cover_open", HealthState.OFFLINE)  # fmt: skip
        emu.cover_open = False
        emu.resume()
        settle(emu)
        assert emu.cuts == 0 and emu.buffered == 0


def test_a_cutter_jam_is_named_and_recovered(ticket: TicketPrint) -> None:
    with PrinterEmulator() as emu:
        emu.cutter_jam = True
        printer = printer_for(emu)
        with pytest.raises(CutterError):
            printer.print_ticket(ticket)
        assert printer.last_health.code == "cutter_error"
        assert until(lambda: not emu.cutter_error and emu.buffered == 0)  # DLE ENQ 2 did it
        printer.print_ticket(make_ticket(number="A024"))
        assert emu.cuts == 1


@pytest.mark.parametrize(
    ("fault", "error", "code"),
    [
        ("cover_open", CoverOpen, "cover_open"),
        ("offline", PrinterOffline, "offline"),
        ("paper", PaperOut, "paper_out"),
    ],
)
def test_a_fault_before_the_ticket_refuses_it_by_name(
    ticket: TicketPrint, fault: str, error: type[Exception], code: str
) -> None:
    with PrinterEmulator() as emu:
        if fault == "cover_open":
            emu.cover_open = True
        elif fault == "offline":
            emu.online = False
        else:
            emu.set_paper("out")
        printer = printer_for(emu)
        with pytest.raises(error):
            printer.print_ticket(ticket)
        assert printer.last_health.code == code and printer.status().code == code
        assert parse(emu.received).printed == []


def test_paper_near_end_comes_back_with_the_confirmation(ticket: TicketPrint) -> None:
    with PrinterEmulator() as emu:
        emu.set_paper("low")
        printer = printer_for(emu)
        printer.print_ticket(ticket)
        assert printer.last_health.code == "paper_low"
        assert parse(emu.received).events[-2:] == [Cut(partial=False), TransmitStatus(1)]


def test_status_bytes_tell_each_fault_apart() -> None:
    f = proto.Fault
    assert proto.decode_offline_cause(0x12) == set()
    assert proto.decode_offline_cause(0x16) == {f.COVER_OPEN}
    assert proto.decode_offline_cause(0x32) == {f.PAPER_END}
    assert proto.decode_offline_cause(0x52) == {f.ERROR}
    assert proto.decode_error_cause(0x1A) == {f.CUTTER}
    assert proto.decode_error_cause(0x32) == {f.UNRECOVERABLE}
    assert [proto.decode_transmit_paper(b) for b in (0x00, 0x03, 0x0C, 0x0F)] == [
        proto.PaperState.OK, proto.PaperState.LOW, proto.PaperState.OUT, proto.PaperState.OUT]  # fmt: skip
    for byte in (0x12, 0x1A, 0x72):  # DLE EOT replies are never taken for GS r replies
        assert proto.is_realtime_status(byte) and not proto.is_transmit_status(byte)
    with pytest.raises(proto.BadStatus):
        proto.decode_transmit_paper(0x12)


def test_the_emulator_answers_gs_r_only_after_printing() -> None:
    import socket

    with (
        PrinterEmulator(line_seconds=0.05) as emu,
        socket.create_connection((emu.host, emu.port), timeout=2) as s,
    ):
        start = time.monotonic()
        s.sendall(b"a\nb\nc\nd\n\x1dr\x01\x10\x04\x01")
        first = s.recv(1)
        assert first == b"\x12" and time.monotonic() - start < 0.1  # DLE EOT: at once
        assert s.recv(1) == b"\x00"
        assert time.monotonic() - start >= 0.15  # GS r: after four lines
        assert parse(emu.received).events[-2:] == [TransmitStatus(1), StatusQuery(1)]
