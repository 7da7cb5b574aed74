"""The TCP printer emulator itself: status answers, split queries, state commands."""

from __future__ import annotations

import socket
import time

import pytest

from drivers.printer.emulator import PrinterEmulator, _command


def ask(emu: PrinterEmulator, *chunks: bytes, expect: int = 1) -> bytes:
    with socket.create_connection((emu.host, emu.port), timeout=1) as s:
        for chunk in chunks:
            s.sendall(chunk)
            time.sleep(0.06)  # longer than the emulator's poll, so the chunks arrive apart
        reply = b""
        while len(reply) < expect:
            reply += s.recv(16)
        return reply


@pytest.mark.parametrize(
    ("online", "paper", "reply"),
    [
        (True, "ok", b"\x12\x12"),
        (True, "low", b"\x12\x1e"),
        (True, "out", b"\x12\x72"),
        (False, "ok", b"\x1a\x12"),
    ],
)
def test_status_answers(emulator: PrinterEmulator, online: bool, paper: str, reply: bytes) -> None:
    emulator.online = online
    emulator.set_paper(paper)
    assert ask(emulator, b"\x10\x04\x01\x10\x04\x04", expect=2) == reply
    assert emulator.queries == [1, 4]


def test_query_split_across_reads(emulator: PrinterEmulator) -> None:
    assert ask(emulator, b"\x1b@text\x10", b"\x04", b"\x04") == b"\x12"
    assert emulator.received == b"\x1b@text\x10\x04\x04"


def test_records_and_clears(emulator: PrinterEmulator) -> None:
    with socket.create_connection((emulator.host, emulator.port), timeout=1) as s:
        s.sendall("号".encode("gb18030"))
    deadline = time.monotonic() + 1
    while not emulator.received and time.monotonic() < deadline:
        time.sleep(0.01)
    assert emulator.received == "号".encode("gb18030")
    emulator.clear()
    assert emulator.received == b""
    with pytest.raises(ValueError):
        emulator.set_paper("jammed")


def test_stdin_commands(emulator: PrinterEmulator, capsys: pytest.CaptureFixture[str]) -> None:
    _command(emulator, ["paper", "out"])
    _command(emulator, ["offline"])
    _command(emulator, ["silent"])
    assert (emulator.paper, emulator.online, emulator.silent) == ("out", False, True)
    _command(emulator, ["normal"])
    assert (emulator.paper, emulator.online, emulator.silent) == ("ok", True, False)
    _command(emulator, ["jam"])  # a fault of its own now (the cutter)
    assert emulator.cutter_jam
    _command(emulator, ["explode"])
    assert "unknown command: explode" in capsys.readouterr().out
