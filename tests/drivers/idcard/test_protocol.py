"""GA 467 framing, parsing and status codes, on byte strings (no I/O)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.idcard import protocol as p
from drivers.idcard.errors import (
    BadChecksum,
    CardDataError,
    CardNotReadable,
    CardRejected,
    LocalProtocolError,
    NoCard,
    ReaderFault,
    RemoteProtocolError,
)


def hx(s: str) -> bytes:
    return bytes.fromhex(s)


PRE = "AA AA AA 96 69"


def reference_frame(body: bytes) -> bytes:
    """HARDWARE.md's own frame() function, verbatim in behaviour."""
    n = (len(body) + 1).to_bytes(2, "big")
    c = 0
    for b in n + body:
        c ^= b
    return b"\xaa\xaa\xaa\x96\x69" + n + body + bytes([c])


# Every host->reader example of HARDWARE.md section 1, byte for byte.
@pytest.mark.parametrize(
    ("command", "wire"),
    [
        (p.CMD_SAM_STATUS, f"{PRE} 00 03 11 FF ED"),
        (p.CMD_SAM_RESET, f"{PRE} 00 03 10 FF EC"),
        (p.CMD_SAM_ID, f"{PRE} 00 03 12 FF EE"),
        (p.CMD_FIND, f"{PRE} 00 03 20 01 22"),
        (p.CMD_SELECT, f"{PRE} 00 03 20 02 21"),
        (p.CMD_READ, f"{PRE} 00 03 30 01 32"),
    ],
)
def test_command_frames_match_hardware_md(command: bytes, wire: str) -> None:
    assert p.build_frame(command) == hx(wire)
    parser = p.FrameParser()
    parser.feed(hx(wire))
    assert p.parse_command(parser.next_payload() or b"") == command


# Every reader->host success example of HARDWARE.md section 1.
@pytest.mark.parametrize(
    ("status", "data", "wire"),
    [
        (0x90, b"", f"{PRE} 00 04 00 00 90 94"),
        (0x9F, bytes(4), f"{PRE} 00 08 00 00 9F 00 00 00 00 97"),
        (0x90, bytes(8), f"{PRE} 00 0C 00 00 90 {'00 ' * 8} 9C"),
    ],
)
def test_reply_frames_match_hardware_md(status: int, data: bytes, wire: str) -> None:
    assert p.build_reply(status, data) == hx(wire)
    parser = p.FrameParser()
    parser.feed(hx(wire))
    assert p.parse_reply(parser.next_payload() or b"") == p.Reply(status, data)


def test_read_reply_header_matches_hardware_md() -> None:
    text, photo = bytes(range(256)), bytes(1024)
    frame = p.build_reply(0x90, hx("01 00 04 00") + text + photo)
    assert frame[:14] == hx(f"{PRE} 05 08 00 00 90 01 00 04 00")
    assert len(frame) == 7 + 0x0508
    parser = p.FrameParser()
    parser.feed(frame)
    reply = p.parse_reply(parser.next_payload() or b"")
    assert p.parse_read_data(reply.data) == text


@given(st.binary(min_size=1, max_size=600))
def test_build_frame_agrees_with_the_reference(body: bytes) -> None:
    assert p.build_frame(body) == reference_frame(body)


def test_build_frame_refuses_empty_and_oversized_payloads() -> None:
    with pytest.raises(LocalProtocolError):
        p.build_frame(b"")
    with pytest.raises(LocalProtocolError):
        p.build_frame(bytes(p.MAX_LEN))


def payloads(data: bytes, parser: p.FrameParser | None = None) -> list[bytes]:
    parser = parser or p.FrameParser()
    parser.feed(data)
    out = []
    while (body := parser.next_payload()) is not None:
        out.append(body)
    return out


def test_garbage_before_a_frame_is_skipped() -> None:
    frame = p.build_reply(0x9F, bytes(4))
    garbage = hx("00 FF AA AA 96 13 AA AA 55 AA")
    assert payloads(garbage + frame) == [hx("00 00 9F 00 00 00 00")]


def test_false_preamble_with_impossible_length_is_skipped() -> None:
    frame = p.build_reply(0x90)
    assert payloads(hx(f"{PRE} FF FF 01 02") + frame) == [hx("00 00 90")]
    assert payloads(hx(f"{PRE} 00 01") + frame) == [hx("00 00 90")]


def test_false_preamble_whose_frame_holds_a_real_one_resyncs() -> None:
    # The false header claims 12 bytes; the real 11-byte frame starts right after it.
    real = p.build_reply(0x90)
    assert payloads(hx(f"{PRE} 00 0C") + real + b"\x00") == [hx("00 00 90")]


def test_frame_split_byte_by_byte() -> None:
    frame = p.build_reply(0x90, hx("01 02 03"))
    parser = p.FrameParser()
    for b in frame[:-1]:
        parser.feed(bytes([b]))
        assert parser.next_payload() is None
    parser.feed(frame[-1:])
    assert parser.next_payload() == hx("00 00 90 01 02 03")


@given(st.lists(st.integers(0, 40), max_size=6), st.binary(max_size=30))
def test_any_split_of_garbage_and_frames_gives_the_frames(cuts: list[int], junk: bytes) -> None:
    junk = junk.replace(b"\xaa", b"\x00")  # no preamble fragments in this junk
    stream = junk + p.build_reply(0x9F, bytes(4)) + p.build_reply(0x90, b"xyz")
    parser, got, pos = p.FrameParser(), [], 0
    for cut in [*sorted(cuts), len(stream)]:
        parser.feed(stream[pos:cut])
        pos = max(pos, cut)
        got += payloads(b"", parser)
    assert got == [hx("00 00 9F 00 00 00 00"), b"\x00\x00\x90xyz"]


def test_preamble_split_across_feeds() -> None:
    frame = p.build_reply(0x90)
    parser = p.FrameParser()
    parser.feed(b"\x11\x22" + frame[:3])
    assert parser.next_payload() is None
    parser.feed(frame[3:])
    assert parser.next_payload() == hx("00 00 90")


def test_two_frames_in_one_chunk() -> None:
    assert payloads(p.build_reply(0x80) + p.build_reply(0x9F, bytes(4))) == [
        hx("00 00 80"),
        hx("00 00 9F 00 00 00 00"),
    ]


def test_bad_checksum_raises_then_parsing_goes_on() -> None:
    bad = bytearray(p.build_reply(0x90))
    bad[-1] ^= 0x01
    parser = p.FrameParser()
    parser.feed(bytes(bad) + p.build_reply(0x80))
    with pytest.raises(BadChecksum):
        parser.next_payload()
    assert parser.next_payload() == hx("00 00 80")


def test_needed_counts_what_the_frame_still_lacks() -> None:
    frame = p.build_reply(0x90, bytes(8))
    parser = p.FrameParser()
    assert parser.needed() == 7
    parser.feed(frame[:4])
    assert parser.next_payload() is None
    assert parser.needed() == 3
    parser.feed(frame[4:9])
    assert parser.next_payload() is None
    assert parser.needed() == len(frame) - 9
    parser.feed(frame[9:])
    assert parser.next_payload() is not None
    assert parser.needed() == 7


def test_clear_drops_a_partial_frame() -> None:
    parser = p.FrameParser()
    parser.feed(p.build_reply(0x90, bytes(8))[:9])
    parser.clear()
    parser.feed(p.build_reply(0x80))
    assert parser.next_payload() == hx("00 00 80")


@pytest.mark.parametrize("body", [hx("00 00"), hx("01 00 90"), hx("00 05 90")])
def test_malformed_reply_payload(body: bytes) -> None:
    with pytest.raises(RemoteProtocolError):
        p.parse_reply(body)


def test_parse_command_wants_two_bytes() -> None:
    with pytest.raises(RemoteProtocolError):
        p.parse_command(hx("20 01 00"))


# Every failure status of HARDWARE.md section 1 and the error class it must become.
EXPECTED = {
    0x10: ReaderFault,
    0x11: ReaderFault,
    0x21: ReaderFault,
    0x23: ReaderFault,
    0x24: ReaderFault,
    0x31: CardRejected,
    0x32: CardRejected,
    0x33: CardRejected,
    0x40: CardRejected,
    0x41: CardNotReadable,
    0x47: CardNotReadable,
    0x60: ReaderFault,
    0x66: ReaderFault,
    0x80: NoCard,
    0x81: CardNotReadable,
    0x91: CardNotReadable,
}


def test_every_documented_status_is_mapped() -> None:
    assert set(p.STATUSES) == set(EXPECTED)


@pytest.mark.parametrize(("status", "cls"), sorted(EXPECTED.items()))
def test_status_becomes_a_typed_error_with_chinese_message(status: int, cls: type) -> None:
    err = p.status_error(status, "read card")
    assert type(err) is cls
    assert err.status == status
    assert f"SW3={status:02X}" in str(err) and "read card" in str(err)
    assert err.user_message.endswith(("再试", "人员", "应区", "重试", "放置", "证件", "身份证"))
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err.user_message)


def test_unknown_status_is_a_reader_fault() -> None:
    err = p.status_error(0x5A)
    assert type(err) is ReaderFault and err.status == 0x5A


@pytest.mark.parametrize("status", [0x90, 0x9F])
def test_success_where_another_status_was_due_is_a_reader_fault(status: int) -> None:
    err = p.status_error(status, "find card")
    assert type(err) is ReaderFault and "unexpected" in str(err)


@pytest.mark.parametrize(
    "data",
    [b"", hx("01 00 04"), hx("00 FF 04 00") + bytes(1279), hx("01 00 04 00") + bytes(256 + 1000)],
)
def test_bad_read_data_is_card_data_error(data: bytes) -> None:
    with pytest.raises(CardDataError):
        p.parse_read_data(data)
