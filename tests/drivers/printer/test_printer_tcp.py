"""The real driver (python-escpos Network) against the TCP printer emulator."""

from __future__ import annotations

import re
import socket
import time

import pytest

from drivers.base import DeviceTimeout, DeviceUnavailable, HealthState
from drivers.printer import (
    PaperOut,
    PrinterError,
    PrinterOffline,
    PrinterTimeout,
    TicketPrint,
    open_printer,
)
from drivers.printer.emulator import PrinterEmulator
from drivers.printer.printer import EscposTicketPrinter

from .conftest import CITIZEN_ID, make_ticket
from .escpos_parse import Cut, Line, StatusQuery, TransmitStatus, parse

TIMEOUT = 0.5


def printer_for(emu: PrinterEmulator, width: int = 80) -> EscposTicketPrinter:
    p = open_printer(f"{emu.url}?timeout={TIMEOUT}&width={width}")
    assert isinstance(p, EscposTicketPrinter)
    return p


def test_ticket_over_tcp_decodes_to_the_ticket(
    emulator: PrinterEmulator, ticket: TicketPrint
) -> None:
    printer = printer_for(emulator)
    printer.print_ticket(ticket)
    parsed = parse(emulator.received)
    # Status checked before printing; after it a transmit-status request, which the printer
    # answers only once the ticket is out (a real-time DLE EOT there was answered at once).
    assert parsed.events[:2] == [StatusQuery(1), StatusQuery(4)]
    assert parsed.events[-2:] == [Cut(partial=False), TransmitStatus(1)]
    assert all(line.chinese_mode for line in parsed.lines)
    texts = [line.text for line in parsed.lines]
    # GB2312 by default: the en dash arrives as "-" (the middle dot is GB2312 A1A4 either way).
    for expected in (
        "某某市政务服务中心",
        "综合受理·企业开办（设立登记）",
        "您前面还有 3 人等候",
        "预计等候：约10-20分钟",
        "请到二楼市场监管区等候",
        "取号时间：2024-05-06 09:31",
        "请留意叫号，过号请到服务台。",
    ):
        assert expected in texts
    assert Line("A023", "center", 5, 5, True, True) in parsed.lines
    assert [q.payload for q in parsed.qr_codes] == [ticket.qr_payload]
    assert parsed.qr_codes[0].align == "center"
    assert parsed.printed[-1] == Cut(partial=False)
    assert printer.status().state is HealthState.OK


def test_no_id_number_anywhere(emulator: PrinterEmulator) -> None:
    printer_for(emulator).print_ticket(make_ticket())
    raw = emulator.received
    assert CITIZEN_ID.encode() not in raw
    assert not re.search(rb"\d{15,}", raw)
    assert not re.search(r"\d{15,}", parse(raw).text)


@pytest.mark.parametrize(("width", "columns", "scale"), [(58, 32, 4), (80, 48, 5)])
def test_width_wraps_and_centres(
    emulator: PrinterEmulator, width: int, columns: int, scale: int
) -> None:
    long_note = "请留意大厅叫号屏和语音提示，过号请到一楼服务台重新取号，谢谢配合。"
    printer_for(emulator, width).print_ticket(make_ticket(note=long_note))
    lines = parse(emulator.received).lines
    for line in lines:
        cols = sum(1 if ord(c) < 0x80 else 2 for c in line.text) * line.width
        assert cols <= columns, line
    note_lines = [line.text for line in lines if line.text and line.text in long_note]
    assert "".join(note_lines) == long_note
    assert len(note_lines) == (3 if width == 58 else 2)
    assert all(line.align == "center" for line in lines if line.text)
    assert Line("A023", "center", scale, scale, True, True) in lines
    assert "-" * columns in [line.text for line in lines]


def test_full_width_punctuation_reaches_the_printer(emulator: PrinterEmulator) -> None:
    printer_for(emulator).print_ticket(make_ticket(note="，。：（）"))
    assert "，。：（）" in [line.text for line in parse(emulator.received).lines]


def test_paper_low_prints_and_is_degraded(emulator: PrinterEmulator, ticket: TicketPrint) -> None:
    emulator.set_paper("low")
    printer = printer_for(emulator)
    printer.print_ticket(ticket)
    assert parse(emulator.received).qr_codes
    health = printer.status()
    assert (health.state, health.code) == (HealthState.DEGRADED, "paper_low")
    assert printer.last_health == health


def test_paper_out_refuses_and_prints_nothing(
    emulator: PrinterEmulator, ticket: TicketPrint
) -> None:
    emulator.set_paper("out")
    printer = printer_for(emulator)
    with pytest.raises(PaperOut) as info:
        printer.print_ticket(ticket)
    assert "缺纸" in info.value.user_message
    parsed = parse(emulator.received)
    assert parsed.printed == []  # only status queries went out
    assert printer.status().code == "paper_out"


def test_offline_refuses(emulator: PrinterEmulator, ticket: TicketPrint) -> None:
    emulator.online = False
    printer = printer_for(emulator)
    with pytest.raises(PrinterOffline) as info:
        printer.print_ticket(ticket)
    assert isinstance(info.value, DeviceUnavailable)
    assert info.value.user_message.endswith("请到服务台取号")
    assert parse(emulator.received).printed == []
    assert printer.status().state is HealthState.OFFLINE


def test_silent_printer_is_unknown_never_ok(emulator: PrinterEmulator, ticket: TicketPrint) -> None:
    emulator.silent = True
    printer = printer_for(emulator)
    start = time.monotonic()
    health = printer.status()
    assert health.state is HealthState.UNKNOWN
    assert time.monotonic() - start < TIMEOUT + 0.3
    start = time.monotonic()
    with pytest.raises(PrinterTimeout) as info:
        printer.print_ticket(ticket)
    assert time.monotonic() - start < TIMEOUT + 0.3
    assert isinstance(info.value, DeviceTimeout)
    assert parse(emulator.received).printed == []


def test_refusing_printer_is_offline(emulator: PrinterEmulator, ticket: TicketPrint) -> None:
    emulator.refusing = True
    printer = printer_for(emulator)
    with pytest.raises(PrinterOffline):
        printer.print_ticket(ticket)
    assert printer.status().state is HealthState.OFFLINE
    assert emulator.connections == 2


def test_nothing_listening_is_offline_quickly(ticket: TicketPrint) -> None:
    with socket.socket() as s:  # a port that was free a moment ago
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    printer = open_printer(f"tcp://127.0.0.1:{port}?timeout={TIMEOUT}")
    start = time.monotonic()
    health = printer.status()
    assert (health.state, health.code) == (HealthState.OFFLINE, "unreachable")
    with pytest.raises(PrinterOffline) as info:
        printer.print_ticket(ticket)
    assert time.monotonic() - start < 2 * TIMEOUT
    assert info.value.user_message  # what the kiosk shows


def test_printer_recovers_when_paper_is_refilled(
    emulator: PrinterEmulator, ticket: TicketPrint
) -> None:
    printer = printer_for(emulator)
    emulator.set_paper("out")
    with pytest.raises(PaperOut):
        printer.print_ticket(ticket)
    emulator.set_paper("ok")
    printer.print_ticket(ticket)
    assert len(parse(emulator.received).cuts) == 1


def test_closed_printer_refuses(emulator: PrinterEmulator, ticket: TicketPrint) -> None:
    printer = printer_for(emulator)
    printer.close()
    with pytest.raises(PrinterError):
        printer.print_ticket(ticket)
