"""Fixtures for the ticket printer: a sample ticket and a live TCP printer emulator."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from drivers.printer.emulator import PrinterEmulator
from drivers.printer.ticket import TicketPrint

# A real-looking ID number: it must never reach paper, bytes or images.
CITIZEN_ID = "11010519491231002X"


def make_ticket(**changes: Any) -> TicketPrint:
    """A typical ticket; keyword arguments replace fields."""
    fields: dict[str, Any] = {
        "hall_name": "某某市政务服务中心",
        "number": "A023",
        "queue_name": "综合受理",
        "item_name": "企业开办（设立登记）",
        "floor_area_text": "请到二楼市场监管区等候",
        "people_ahead": 3,
        "wait_text": "约10–20分钟",
        "issued_at": datetime(2024, 5, 6, 9, 31, 5),
        "qr_payload": "T20240506-A023-7F3A",
        "note": "请留意叫号，过号请到服务台。",
    }
    fields.update(changes)
    return TicketPrint(**fields)


@pytest.fixture
def ticket() -> TicketPrint:
    return make_ticket()


@pytest.fixture
def emulator() -> Iterator[PrinterEmulator]:
    """A printer emulator on a free port of 127.0.0.1, stopped (threads joined) afterwards."""
    before = set(threading.enumerate())
    with PrinterEmulator() as emu:
        yield emu
    leaked = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    assert not leaked, f"emulator left threads running: {leaked}"
