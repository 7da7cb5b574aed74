"""Pure tests of the ESC/POS encoder and the status decoders, read back with the test parser."""

from __future__ import annotations

import pytest
from escpos.constants import QR_ECLEVEL_M
from escpos.printer import Dummy

from drivers.base import HealthState
from drivers.printer import escpos as proto
from drivers.printer.layout import PAPER_58, PAPER_80, QR, Cut, Feed, Op, Paper, Text, layout_ticket

from .conftest import make_ticket
from .escpos_parse import Cut as ParsedCut
from .escpos_parse import Line, parse


def test_text_line_bytes() -> None:
    data = proto.encode_text(Text("A023", "center", 4, True))
    assert data == b"\x1ba\x01" + b"\x1d!\x33" + b"\x1bE\x01" + b"A023\n"


def test_full_width_punctuation_survives() -> None:
    # python-escpos #491: its encoder prints "?" for these when there is no hanzi.
    line = "，。：（）、；！？"
    assert parse(proto.encode_text(Text(line))).lines[0].text == line
    assert b"?" not in proto.encode_text(Text(line))


def test_qr_matches_python_escpos_native_qr() -> None:
    dummy = Dummy()
    dummy.qr("T20240506-A023-7F3A", ec=QR_ECLEVEL_M, size=6, native=True)
    assert proto.encode_qr("T20240506-A023-7F3A", 6) == dummy.output


def test_cut_bytes() -> None:
    assert proto.encode_ops([Cut()], chinese_mode=False).startswith(b"\x1b@" + proto.CUT)
    assert bytes.fromhex("1b6406 1d5600") == proto.CUT


def test_encode_decode_round_trip() -> None:
    ops: list[Op] = [
        Text("标题", "center", 2, True),
        Feed(2),
        QR("T-1", 5),
        Text("left", "left"),
        Cut(),
    ]
    parsed = parse(proto.encode_ops(ops))
    assert parsed.lines == [
        Line("标题", "center", 2, 2, True, True),
        Line("left", "left", 1, 1, False, True),
    ]
    assert [(q.payload, q.module_dots, q.error_level, q.model) for q in parsed.qr_codes] == [
        ("T-1", 5, "M", 2)
    ]
    assert parsed.printed[-1] == ParsedCut(partial=False)


def test_chinese_mode_is_optional() -> None:
    assert b"\x1c&" in proto.encode_ops([Text("号")])
    assert b"\x1c&" not in proto.encode_ops([Text("号")], chinese_mode=False)


@pytest.mark.parametrize("paper", [PAPER_58, PAPER_80])
def test_whole_ticket_parses_strictly(paper: Paper) -> None:
    parsed = parse(proto.encode_ops(layout_ticket(make_ticket(), paper)))
    assert "A023" in parsed.text
    assert len(parsed.cuts) == 1


@pytest.mark.parametrize(
    ("online", "paper", "state", "code"),
    [
        (0x12, 0x12, HealthState.OK, "ok"),
        (0x12, 0x1E, HealthState.DEGRADED, "paper_low"),
        (0x12, 0x72, HealthState.OFFLINE, "paper_out"),
        (0x1A, 0x72, HealthState.OFFLINE, "paper_out"),
        (0x1A, 0x12, HealthState.OFFLINE, "offline"),
        (0x12, 0x16, HealthState.DEGRADED, "paper_low"),  # one near-end sensor bit is enough
    ],
)
def test_status_bytes(online: int, paper: int, state: HealthState, code: str) -> None:
    health = proto.health_of(proto.decode_online(online), proto.decode_paper(paper))
    assert (health.state, health.code) == (state, code)
    assert health.reason  # a sentence for the manager screen


@pytest.mark.parametrize("garbage", [0x00, 0xFF, 0x41, 0x13])
def test_garbage_status_byte_is_rejected(garbage: int) -> None:
    with pytest.raises(proto.BadStatus):
        proto.decode_online(garbage)
