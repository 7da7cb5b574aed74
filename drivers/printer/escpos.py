"""ESC/POS protocol, no I/O: print operations to bytes, status bytes to Health.

We encode text ourselves (``drivers.printer.charset``: only what the printer's font
holds, GB2312 by default) and send it raw, instead of using
python-escpos' ``text()``: its code-page guessing turns full-width
punctuation without hanzi into "?" (python-escpos #491).
"""

from __future__ import annotations

import enum

from drivers.base import Health, HealthState
from drivers.printer.charset import DEFAULT_CHARSET
from drivers.printer.charset import encode as encode_for_font
from drivers.printer.layout import QR, Cut, Feed, Op, Text

ESC, GS, FS, DLE, EOT, LF = b"\x1b", b"\x1d", b"\x1c", b"\x10", b"\x04", b"\n"

INIT = ESC + b"@"
CHINESE_MODE = FS + b"&"  # needed by Chinese-font models; harmless on others
CUT = ESC + b"d\x06" + GS + b"V\x00"  # feed 6 lines past the cutter, full cut
STATUS_ONLINE = DLE + EOT + b"\x01"  # DLE EOT 1: printer status
STATUS_OFFLINE_CAUSE = DLE + EOT + b"\x02"  # DLE EOT 2: why offline
STATUS_ERROR_CAUSE = DLE + EOT + b"\x03"  # DLE EOT 3: which error
STATUS_PAPER = DLE + EOT + b"\x04"  # DLE EOT 4: roll paper sensor status
# GS r 1: transmit the paper sensor status. Not real time: the printer answers when it
# reaches it in its buffer, so the answer means everything sent before it has printed.
TRANSMIT_PAPER = GS + b"r\x01"
# Real time, acted on even while the printer is stalled: DLE ENQ 2 recovers from a
# recoverable (cutter) error after clearing the buffers; DLE DC4 fn=8 clears the receive
# and print buffers of printers that have it (answering 37 25 00). Printers without them
# ignore them. Sent after a fault, so what was left of a ticket never prints later.
CLEAR_BUFFERS = DLE + b"\x05\x02" + DLE + b"\x14\x08\x01\x03\x14\x01\x06\x02\x08"

_ALIGN = {"left": 0, "center": 1, "right": 2}
QR_ERROR_LEVEL_M = 1


def _qr_command(fn: int, params: bytes) -> bytes:
    """``GS ( k pL pH cn=49 fn params`` (cn 49 = QR code)."""
    n = len(params) + 2
    return GS + b"(k" + bytes([n & 0xFF, n >> 8, 49, fn]) + params


def encode_qr(payload: str, module_dots: int, error_level: int = QR_ERROR_LEVEL_M) -> bytes:
    """Native QR: select model 2, module size, error level, store the data, print it."""
    data = payload.encode("utf-8")
    if not 1 <= module_dots <= 16:
        raise ValueError(f"QR module size must be 1..16 dots, got {module_dots}")
    if len(data) > 7089:
        raise ValueError("QR payload too long")
    return (
        _qr_command(65, b"\x32\x00")  # fn 65 'A': model 2
        + _qr_command(67, bytes([module_dots]))  # fn 67 'C': module size
        + _qr_command(69, bytes([48 + error_level]))  # fn 69 'E': error correction
        + _qr_command(80, b"\x30" + data)  # fn 80 'P': store in symbol area
        + _qr_command(81, b"\x30")  # fn 81 'Q': print the stored symbol
    )


def encode_text(line: Text, charset: str = DEFAULT_CHARSET) -> bytes:
    """One line of text with its alignment, size and weight, then a line feed.

    Characters the printer's font (`charset`) lacks become safe equivalents first.
    """
    if not 1 <= line.scale <= 8:
        raise ValueError(f"text scale must be 1..8, got {line.scale}")
    size = ((line.scale - 1) << 4) | (line.scale - 1)
    return (
        ESC + b"a" + bytes([_ALIGN[line.align]])
        + GS + b"!" + bytes([size])
        + ESC + b"E" + bytes([1 if line.bold else 0])
        + encode_for_font(line.text, charset)
        + LF
    )  # fmt: skip


def encode_ops(
    ops: list[Op], *, chinese_mode: bool = True, charset: str = DEFAULT_CHARSET
) -> bytes:
    """The whole ticket as one ESC/POS byte string, starting from a reset printer."""
    out = bytearray(INIT)
    if chinese_mode:
        out += CHINESE_MODE
    for op in ops:
        match op:
            case Text():
                out += encode_text(op, charset)
            case QR():
                # No LF after it: the symbol feeds its own height, an LF would add a blank line.
                out += ESC + b"a\x01" + encode_qr(op.payload, op.module_dots)
            case Feed():
                out += ESC + b"d" + bytes([max(0, min(op.lines, 255))])
            case Cut():
                out += CUT
    # Leave the printer in its default state for whoever prints next.
    out += ESC + b"a\x00" + GS + b"!\x00" + ESC + b"E\x00"
    return bytes(out)


class PaperState(enum.Enum):
    """What the paper sensors say."""

    OK = "ok"
    LOW = "low"
    OUT = "out"


class BadStatus(ValueError):
    """The printer answered a status query with a byte that is not a status byte."""


def is_realtime_status(byte: int) -> bool:
    """A DLE EOT reply: bits 1 and 4 set, bits 0 and 7 clear."""
    return byte & 0x93 == 0x12


def is_transmit_status(byte: int) -> bool:
    """A GS r 1 reply: bits 4 and 7 clear (so never mistaken for a DLE EOT reply)."""
    return byte & 0x90 == 0


def _check(byte: int) -> int:
    if not is_realtime_status(byte):
        raise BadStatus(f"not an ESC/POS status byte: 0x{byte:02x}")
    return byte


class Fault(enum.Enum):
    """Why a printer stopped, from DLE EOT 2 and 3."""

    COVER_OPEN = "cover_open"
    PAPER_END = "paper_end"  # printing stopped at paper end
    CUTTER = "cutter_error"  # autocutter error (recoverable)
    UNRECOVERABLE = "printer_error"
    ERROR = "error"  # an error, cause not given


def decode_offline_cause(byte: int) -> set[Fault]:
    """DLE EOT 2 reply: bit 2 cover open, bit 5 stopped by paper end, bit 6 error."""
    return _faults(byte, ((0x04, Fault.COVER_OPEN), (0x20, Fault.PAPER_END), (0x40, Fault.ERROR)))


def decode_error_cause(byte: int) -> set[Fault]:
    """DLE EOT 3 reply: bit 3 autocutter error, bit 5 unrecoverable error."""
    return _faults(byte, ((0x08, Fault.CUTTER), (0x20, Fault.UNRECOVERABLE)))


def _faults(byte: int, bits: tuple[tuple[int, Fault], ...]) -> set[Fault]:
    """The faults whose bit is set in a status byte."""
    _check(byte)
    return {fault for bit, fault in bits if byte & bit}


def decode_transmit_paper(byte: int) -> PaperState:
    """GS r 1 reply: bits 2-3 paper end, bits 0-1 near end."""
    if not is_transmit_status(byte):
        raise BadStatus(f"not a GS r 1 reply: 0x{byte:02x}")
    if byte & 0x0C:
        return PaperState.OUT
    if byte & 0x03:
        return PaperState.LOW
    return PaperState.OK


def decode_online(byte: int) -> bool:
    """DLE EOT 1 reply: True when the printer is online (bit 3 clear)."""
    return not _check(byte) & 0x08


def decode_paper(byte: int) -> PaperState:
    """DLE EOT 4 reply: bits 5–6 paper out, bits 2–3 paper near end."""
    _check(byte)
    if byte & 0x60:
        return PaperState.OUT
    if byte & 0x0C:
        return PaperState.LOW
    return PaperState.OK


FAULT_HEALTH = {
    Fault.COVER_OPEN: Health(HealthState.OFFLINE, "打印机盖未合上", "cover_open"),
    Fault.CUTTER: Health(HealthState.OFFLINE, "打印机切刀故障（卡纸）", "cutter_error"),
    Fault.UNRECOVERABLE: Health(HealthState.OFFLINE, "打印机出现不可恢复的故障", "printer_error"),
    Fault.ERROR: Health(HealthState.OFFLINE, "打印机故障", "printer_error"),
}


def health_of(
    online: bool, paper: PaperState, faults: set[Fault] | frozenset[Fault] = frozenset()
) -> Health:
    """The Health a kiosk shows for decoded status answers (faults from DLE EOT 2 and 3)."""
    # Paper out usually also takes the printer offline; "缺纸" is the more useful reason.
    if paper is PaperState.OUT or Fault.PAPER_END in faults:
        return Health(HealthState.OFFLINE, "打印机缺纸", "paper_out")
    for fault in (Fault.COVER_OPEN, Fault.CUTTER, Fault.UNRECOVERABLE, Fault.ERROR):
        if fault in faults:
            return FAULT_HEALTH[fault]
    if not online:
        return Health(HealthState.OFFLINE, "打印机离线", "offline")
    if paper is PaperState.LOW:
        return Health(HealthState.DEGRADED, "打印纸将用完，请及时换纸", "paper_low")
    return Health(HealthState.OK, "打印机正常", "ok")
