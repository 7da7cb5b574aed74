"""Scanners: the keyboard-wedge decoder, code parsing, and a serial scanner on a socat pty."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.base import ConfigError, DeviceUnavailable
from drivers.scanner import WedgeDecoder, open_scanner, parse_code
from drivers.scanner.sim import SimScanner
from tests.ptys import socat_pair


def type_into(decoder: WedgeDecoder, text: str, gap: float, start: float = 100.0) -> list[str]:
    codes = []
    for i, ch in enumerate(text):
        code = decoder.feed(ch, start + i * gap)
        if code is not None:
            codes.append(code)
    return codes


def test_a_fast_burst_ended_by_enter_is_a_scan() -> None:
    assert type_into(WedgeDecoder(), "20261126-A023\r", gap=0.004) == ["20261126-A023"]


def test_a_person_typing_is_not_a_scan() -> None:
    assert type_into(WedgeDecoder(), "20261126-A023\r", gap=0.15) == []


def test_a_burst_after_slow_keys_is_the_code_alone() -> None:
    d = WedgeDecoder()
    assert type_into(d, "ab", gap=0.3) == []
    assert type_into(d, "20261126-A023\n", gap=0.003, start=200.0) == ["20261126-A023"]


def test_enter_after_a_couple_of_keys_is_not_a_code() -> None:
    assert type_into(WedgeDecoder(), "12\r", gap=0.001) == []


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("20261126-A023", "ticket", "20261126-A023"),
        (" 20261126-b7\r\n", "ticket", "20261126-B7"),
        ("20261131-A023", "unknown", "20261131-A023"),  # no 31 November
        ("K7M2Q9XA", "booking", "K7M2Q9XA"),  # an online booking's code
        ("k7m2q9xa\r\n", "booking", "K7M2Q9XA"),
        ("K7M2Q9X1", "unknown", "K7M2Q9X1"),  # 1 is not in the codes' alphabet
        ("K7M2Q9XAB", "unknown", "K7M2Q9XAB"),
        ("https://example.org/x", "unknown", "https://example.org/x"),
        # a ticket's QR with the hall's web gateway: the token alone, case kept
        (
            "https://hall.example.gov.cn/t/Ab3_-xYz0123456789abcd\r\n",
            "ticket_url",
            "Ab3_-xYz0123456789abcd",
        ),
        (
            "http://127.0.0.1:8080/yc/t/Ab3_-xYz0123456789abcd/?lang=en",
            "ticket_url",
            "Ab3_-xYz0123456789abcd",
        ),
        ("https://hall.example.gov.cn/t/short", "unknown", "https://hall.example.gov.cn/t/short"),
        (
            "https://hall.example.gov.cn/t/Ab3_-xYz0123456789abcd/rating",
            "unknown",
            "https://hall.example.gov.cn/t/Ab3_-xYz0123456789abcd/rating",
        ),
        ("ftp://x/t/Ab3_-xYz0123456789abcd", "unknown", "ftp://x/t/Ab3_-xYz0123456789abcd"),
        ("", "unknown", ""),
    ],
)
def test_codes_are_classified(text: str, kind: str, value: str) -> None:
    code = parse_code(text)
    assert (code.kind, code.value) == (kind, value)


def test_sim_scanner_hands_out_codes_in_order() -> None:
    s = open_scanner("sim://scanner")
    assert isinstance(s, SimScanner)
    s.scan("A")
    s.scan("B")
    assert [s.read_code(0.1), s.read_code(0.1), s.read_code(0.05)] == ["A", "B", None]
    s.close()
    with pytest.raises(DeviceUnavailable):
        s.read_code(0.1)


@pytest.mark.parametrize(
    "url", ["sim://printer", "tcp://1.2.3.4:9", "serial://", "serial:///dev/x?parity=E"]
)
def test_bad_scanner_urls(url: str) -> None:
    with pytest.raises(ConfigError):
        open_scanner(url)


def test_a_missing_port_is_unavailable() -> None:
    with pytest.raises(DeviceUnavailable):
        open_scanner("serial:///dev/ttyNOPE9")


@pytest.fixture
def pty_pair(tmp_path: Path) -> Iterator[tuple[str, str]]:
    with socat_pair(tmp_path) as pair:
        yield pair


@pytest.mark.parametrize("suffix", ["cr", "lf", "crlf"])
def test_a_serial_scanner_on_a_pty(pty_pair: tuple[str, str], suffix: str) -> None:
    kiosk, sim = pty_pair
    scanner = open_scanner(f"serial://{kiosk}?baudrate=9600")
    try:
        assert scanner.health().ok
        assert scanner.read_code(0.2) is None  # nothing scanned yet
        codes = ["20261126-A023", "20261126-B101", "扫码测试"]
        subprocess.run(
            [sys.executable, "-m", "drivers.scanner.sim", sim, *codes,
             "--suffix", suffix, "--gap", "0.05"],
            check=True, timeout=20,
        )  # fmt: skip
        got = [scanner.read_code(3.0) for _ in codes]
        assert got == codes
        assert parse_code(got[0]).kind == "ticket"
    finally:
        scanner.close()


# Codes of other platforms, an electronic social security card's code (电子社保卡码) among
# them. No public source gives that code's prefix, length or alphabet; every public
# integration hands it, opaque, to a platform that decodes it (drivers/scanner/README.md).
# So none of these may be taken for a code of ours, and none is shaped like the e-SSC
# code: its shape is unknown, and a test that invented one would prove nothing.
OTHER_PLATFORMS = [
    "https://pay.example.com/q/7Hh2kLx9Qw",  # a web link
    "28" + "0123456789" * 2,  # a long run of digits
    "o5Zb+4Qk/3mW9vTn8yXcR2dLp7sHq1JfG6eAa0uKi4OzNlBtCwVyMgPjUrSxDhEFI=",  # base64
    "K7M2Q9XA-20261126",  # ours run together: neither a booking nor a ticket
    "T" * 700,  # longer than any code of ours (MAX_CODE)
]


@pytest.mark.parametrize("text", OTHER_PLATFORMS)
def test_codes_of_other_platforms_are_unknown(text: str) -> None:
    code = parse_code(text + "\r")
    assert code.kind == "unknown"
    assert code.value == text[:512]


def test_codes_of_other_platforms_through_a_serial_scanner_on_a_pty(
    pty_pair: tuple[str, str],
) -> None:
    kiosk, sim = pty_pair
    scanner = open_scanner(f"serial://{kiosk}?baudrate=9600")
    try:
        subprocess.run(
            [sys.executable, "-m", "drivers.scanner.sim", sim, *OTHER_PLATFORMS, "20261126-A023",
             "--gap", "0.05"],
            check=True, timeout=20,
        )  # fmt: skip
        got = [scanner.read_code(3.0) for _ in range(len(OTHER_PLATFORMS) + 1)]
        assert got == [*OTHER_PLATFORMS, "20261126-A023"]  # read whole, one per line
        kinds = [parse_code(g).kind for g in got if g is not None]
        assert kinds == ["unknown"] * len(OTHER_PLATFORMS) + ["ticket"]
    finally:
        scanner.close()
